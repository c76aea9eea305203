// apk: Alpine packages from lib/apk/db/installed (P name, V version, A arch, L license,
// o origin, m maintainer, T description, F/R files, D depends resolved against P and p provides).
#include <map>

#include "common/limits.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/license.hpp"
#include "sbom/purl.hpp"

namespace sigil::sbom {
namespace {

constexpr std::string_view kName = "apk-db-cataloger";
constexpr std::string_view kDb = "/lib/apk/db/installed";

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    while (start < s.size() && s[start] == ' ') ++start;
    std::size_t end = s.find(' ', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// "so:libc.musl-x86_64.so.1=1" / "musl>=1.2" → the name before any version constraint.
std::string constraint_name(std::string_view w) {
  auto end = w.find_first_of("<>=~");
  return std::string(w.substr(0, end));
}

struct ApkEntry {
  Package pkg;
  std::vector<std::string> depends;
  std::vector<std::string> provides;
};

class ApkCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return kName; }
  bool matches(std::string_view path) const override { return path == kDb; }

  void catalog(const CatalogContext& ctx, const std::vector<std::string>& matches) const override {
    for (const auto& path : matches) catalog_db(ctx, path);
  }

 private:
  void catalog_db(const CatalogContext& ctx, const std::string& path) const {
    auto text = ctx.tree.read(path, limits::kMaxSbomFileBytes);
    if (!text) {
      ctx.warn(kName, path, text.error().message);
      return;
    }
    Location db = ctx.location(path);
    std::vector<ApkEntry> entries;
    std::map<char, std::string> fields;
    std::vector<std::string> files;
    std::string dir;
    std::size_t record_line = 1;
    std::size_t line_no = 0;
    auto flush = [&] {
      if (fields.empty()) return;
      std::string name = fields['P'];
      std::string version = fields['V'];
      if (name.empty() || version.empty()) {
        ctx.warn(kName, path, "entry at line " + std::to_string(record_line) + ": no P (name) or V (version), skipped");
      } else {
        ApkEntry e;
        Package& p = e.pkg;
        p.name = name;
        p.version = version;
        p.type = "apk";
        p.found_by = std::string(kName);
        p.purl = apk_purl(ctx.distro, name, version, fields['A'], fields['o']);
        p.supplier = fields['m'];
        p.description = fields['T'];
        if (!fields['A'].empty()) p.metadata["architecture"] = fields['A'];
        if (!fields['o'].empty()) p.metadata["originPackage"] = fields['o'];
        if (!fields['U'].empty()) p.metadata["url"] = fields['U'];
        // License: an SPDX expression as a whole, else space-separated names (as syft splits them).
        if (const auto& l = fields['L']; !l.empty()) {
          License whole = classify_license(l);
          if (whole.kind != License::Kind::text || l.find(' ') == std::string::npos) {
            p.licenses.push_back(whole);
          } else {
            for (const auto& w : words(l)) p.licenses.push_back(classify_license(w));
          }
        }
        p.files = files;
        p.id = "apk:" + name + ":" + path;
        p.locations.push_back(db);
        e.depends = words(fields['D']);
        for (const auto& w : words(fields['p'])) e.provides.push_back(constraint_name(w));
        entries.push_back(std::move(e));
      }
      fields.clear();
      files.clear();
      dir.clear();
    };
    std::size_t start = 0;
    while (start <= text->size()) {
      std::size_t end = text->find('\n', start);
      if (end == std::string::npos) end = text->size();
      std::string_view line = std::string_view(*text).substr(start, end - start);
      start = end + 1;
      ++line_no;
      if (line.empty()) {
        flush();
        record_line = line_no + 1;
        if (end == text->size()) break;
        continue;
      }
      if (line.size() < 2 || line[1] != ':') {
        ctx.warn(kName, path, "line " + std::to_string(line_no) + ": not KEY:value, ignored");
        continue;
      }
      char key = line[0];
      std::string value(line.substr(2));
      if (key == 'F') {
        dir = "/" + value;
      } else if (key == 'R') {
        files.push_back((dir == "/" ? "" : dir) + "/" + value);
      } else if (!fields.contains(key)) {
        fields[key] = value;
      }
      if (end == text->size()) break;
    }
    flush();
    std::multimap<std::string, std::string> by_name;
    for (const auto& e : entries) {
      by_name.emplace(e.pkg.name, e.pkg.id);
      for (const auto& p : e.provides) by_name.emplace(p, e.pkg.id);
    }
    for (const auto& e : entries) {
      for (const auto& d : e.depends) {
        if (d.starts_with('!')) continue;  // a conflict, not a dependency
        auto [lo, hi] = by_name.equal_range(constraint_name(d));
        for (auto it = lo; it != hi; ++it) {
          ctx.inventory.relationships.push_back(Relationship{e.pkg.id, it->second, Relationship::Type::depends_on});
        }
      }
    }
    for (auto& e : entries) ctx.inventory.packages.push_back(std::move(e.pkg));
  }
};

}  // namespace

std::unique_ptr<Cataloger> make_apk_cataloger() { return std::make_unique<ApkCataloger>(); }

}  // namespace sigil::sbom
