// Python: installed distributions — dist-info (METADATA + RECORD) and egg-info (PKG-INFO +
// installed-files.txt, or a single-file .egg-info) wherever they are in the tree. A
// distribution whose metadata a deb lists among its files is linked to that deb by the catalog
// run (contains), so scanners can tell it came from Debian.
#include <algorithm>
#include <map>

#include "common/limits.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/file_tree.hpp"
#include "sbom/license.hpp"
#include "sbom/purl.hpp"

namespace sigil::sbom {
namespace {

constexpr std::string_view kName = "python-installed-package-cataloger";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Core metadata is RFC 822 headers up to the first blank line; continuation lines start with
// whitespace. Repeated fields (Classifier) are joined with '\n'.
std::map<std::string, std::string> parse_headers(std::string_view text, bool& binary) {
  std::map<std::string, std::string> fields;
  std::string* last = nullptr;
  binary = text.find('\0') != std::string_view::npos;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') && last != nullptr) {
      *last += "\n" + std::string(trim(line));
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key(trim(line.substr(0, colon)));
    std::string value(trim(line.substr(colon + 1)));
    auto [it, inserted] = fields.emplace(key, value);
    if (!inserted) it->second += "\n" + value;
    last = &it->second;
  }
  return fields;
}

std::string parent(const std::string& path) { return path.substr(0, path.rfind('/')); }

class PythonCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return kName; }

  bool matches(std::string_view path) const override {
    // As syft's globs: any directory ending in dist-info / egg-info (either case) holding the
    // metadata file, and single-file .egg-info.
    return path.ends_with("dist-info/METADATA") || path.ends_with("DIST-INFO/METADATA") ||
           path.ends_with("egg-info/PKG-INFO") || path.ends_with("EGG-INFO/PKG-INFO") || path.ends_with(".egg-info");
  }

  bool reads(std::string_view path) const override {
    return matches(path) || path.ends_with("/RECORD") || path.ends_with("/installed-files.txt");
  }

  void catalog(const CatalogContext& ctx, const std::vector<std::string>& matches) const override {
    for (const auto& path : matches) catalog_one(ctx, path);
  }

 private:
  void catalog_one(const CatalogContext& ctx, const std::string& path) const {
    auto text = ctx.tree.read(path, limits::kMaxSbomFileBytes);
    if (!text) {
      ctx.warn(kName, path, text.error().message);
      return;
    }
    bool binary = false;
    auto fields = parse_headers(*text, binary);
    std::string name = fields["Name"];
    std::string version = fields["Version"];
    if (binary || name.empty() || version.empty() || name.find('\n') != std::string::npos ||
        version.find('\n') != std::string::npos) {
      ctx.warn(kName, path, "no valid Name and Version in the core metadata, skipped");
      return;
    }
    Package p;
    p.name = name;
    p.version = version;
    p.type = "python";
    p.found_by = std::string(kName);
    p.purl = pypi_purl(name, version);
    p.description = fields["Summary"];
    p.author = !fields["Author"].empty() ? fields["Author"] : fields["Author-email"];
    std::string declared = fields["License-Expression"];
    if (declared.empty()) declared = fields["License"];
    // A License field sometimes holds the whole license text; only a short one-line value is a name.
    if (!declared.empty() && declared != "UNKNOWN" && declared.size() <= 100 && declared.find('\n') == std::string::npos) {
      p.licenses.push_back(classify_license(declared));
    }
    p.id = "python:" + path;
    p.locations.push_back(ctx.location(path));
    add_files(ctx, p, path);
    ctx.inventory.packages.push_back(std::move(p));
  }

  // RECORD paths are relative to the site directory holding the .dist-info; installed-files.txt
  // paths are relative to the .egg-info directory.
  void add_files(const CatalogContext& ctx, Package& p, const std::string& metadata_path) const {
    std::string meta_dir = parent(metadata_path);
    std::string list;
    std::string base;
    if (metadata_path.ends_with("/METADATA")) {
      list = meta_dir + "/RECORD";
      base = parent(meta_dir);
    } else if (metadata_path.ends_with("/PKG-INFO")) {
      list = meta_dir + "/installed-files.txt";
      base = meta_dir;
    } else {
      return;  // a single-file .egg-info lists nothing
    }
    auto entry = ctx.tree.stat(list);
    if (!entry) return;
    auto text = ctx.tree.read(list, limits::kMaxSbomFileBytes);
    if (!text) {
      ctx.warn(kName, list, text.error().message);
      return;
    }
    std::size_t start = 0;
    while (start < text->size()) {
      std::size_t end = text->find('\n', start);
      if (end == std::string::npos) end = text->size();
      std::string line(trim(std::string_view(*text).substr(start, end - start)));
      start = end + 1;
      if (line.empty()) continue;
      // RECORD is CSV: the path is the first field (quoted when it holds a comma).
      std::string rel;
      if (line.front() == '"') {
        auto close = line.find('"', 1);
        rel = line.substr(1, close == std::string::npos ? std::string::npos : close - 1);
      } else {
        rel = line.substr(0, list.ends_with("RECORD") ? line.find(',') : std::string::npos);
      }
      p.files.push_back(normalize_tree_path(base + "/" + rel));
    }
    p.locations.push_back(ctx.location(list));
  }
};

}  // namespace

std::unique_ptr<Cataloger> make_python_cataloger() { return std::make_unique<PythonCataloger>(); }

}  // namespace sigil::sbom
