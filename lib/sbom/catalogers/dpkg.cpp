// dpkg: Debian and Ubuntu packages from /var/lib/dpkg/status and the per-package files of
// distroless images (/var/lib/dpkg/status.d/NAME), with the files each package installed
// (info/NAME[:ARCH].list, else its md5sums), licenses from DEP-5 copyright files and Depends /
// Pre-Depends as depends-on edges.
#include <algorithm>
#include <map>
#include <set>

#include "common/limits.hpp"
#include "sbom/catalogers/detail/deb822.hpp"
#include "sbom/catalogers/detail/debian_copyright.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/license.hpp"
#include "sbom/purl.hpp"

namespace sigil::sbom {
namespace {

constexpr std::string_view kName = "dpkg-db-cataloger";
constexpr std::string_view kStatus = "/var/lib/dpkg/status";
constexpr std::string_view kStatusDir = "/var/lib/dpkg/status.d/";
constexpr std::string_view kInfoDir = "/var/lib/dpkg/info/";
constexpr std::string_view kDocDir = "/usr/share/doc/";

struct DebEntry {
  Package pkg;
  std::vector<std::string> depends;  // raw Depends + Pre-Depends groups
  std::vector<std::string> provides;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    auto part = trim(s.substr(start, end - start));
    if (!part.empty()) out.emplace_back(part);
    start = end + 1;
  }
  return out;
}

// "libc6 (>= 2.34)" or "python3:any" → "libc6" / "python3".
std::string relation_name(std::string_view alt) {
  alt = trim(alt);
  std::size_t end = 0;
  while (end < alt.size() && alt[end] != ' ' && alt[end] != '(' && alt[end] != ':' && alt[end] != '[' && alt[end] != '<') ++end;
  return std::string(alt.substr(0, end));
}

// Status "install ok installed" (or hold): what dpkg-query abbreviates as ii / hi. Distroless
// status.d files carry no Status field; their presence means installed.
bool is_installed(const std::string& status) {
  if (status.empty()) return true;
  auto words = split(status, ' ');
  return words.size() == 3 && (words[0] == "install" || words[0] == "hold") && words[2] == "installed";
}

class DpkgCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return kName; }

  bool matches(std::string_view path) const override {
    if (path == kStatus) return true;
    if (!path.starts_with(kStatusDir)) return false;
    auto rest = path.substr(kStatusDir.size());
    return !rest.empty() && rest.find('/') == std::string_view::npos && !rest.ends_with(".md5sums");
  }

  bool reads(std::string_view path) const override {
    if (matches(path)) return true;
    if (path.starts_with(kStatusDir)) return path.ends_with(".md5sums");
    if (path.starts_with(kInfoDir)) return path.ends_with(".list") || path.ends_with(".md5sums");
    return path.starts_with(kDocDir) && path.ends_with("/copyright") &&
           path.substr(kDocDir.size()).find('/') == path.substr(kDocDir.size()).size() - 10;
  }

  void catalog(const CatalogContext& ctx, const std::vector<std::string>& matches) const override {
    std::vector<DebEntry> entries;
    for (const auto& path : matches) read_database(ctx, path, entries);
    // Depends → edges, by package name or a name another package Provides.
    std::multimap<std::string, std::string> by_name;
    for (const auto& e : entries) {
      by_name.emplace(e.pkg.name, e.pkg.id);
      for (const auto& p : e.provides) by_name.emplace(p, e.pkg.id);
    }
    for (const auto& e : entries) {
      for (const auto& group : e.depends) {
        for (const auto& alt : split(group, '|')) {
          auto [lo, hi] = by_name.equal_range(relation_name(alt));
          for (auto it = lo; it != hi; ++it) {
            ctx.inventory.relationships.push_back(Relationship{e.pkg.id, it->second, Relationship::Type::depends_on});
          }
        }
      }
    }
    for (auto& e : entries) ctx.inventory.packages.push_back(std::move(e.pkg));
  }

 private:
  void read_database(const CatalogContext& ctx, const std::string& path, std::vector<DebEntry>& entries) const {
    auto text = ctx.tree.read(path, limits::kMaxSbomFileBytes);
    if (!text) {
      ctx.warn(kName, path, text.error().message);
      return;
    }
    Location db = ctx.location(path);
    bool distroless = path.starts_with(kStatusDir);
    for (const auto& para : detail::parse_deb822(*text)) {
      std::string name = para.get("Package");
      std::string version = para.get("Version");
      if (name.empty() || version.empty() || name.find_first_of(" \n/") != std::string::npos) {
        ctx.warn(kName, path, "entry at line " + std::to_string(para.line) + ": no valid Package and Version, skipped");
        continue;
      }
      if (!is_installed(para.get("Status"))) continue;
      DebEntry e;
      Package& p = e.pkg;
      p.name = name;
      p.version = version;
      p.type = "deb";
      p.found_by = std::string(kName);
      std::string arch = para.get("Architecture");
      std::string source = para.get("Source");
      std::string source_version;
      // "Source: gcc-12 (12.2.0-14)": the source package and its version when it differs.
      if (auto paren = source.find('('); paren != std::string::npos) {
        auto close = source.find(')', paren);
        source_version = std::string(trim(std::string_view(source).substr(paren + 1, close == std::string::npos ? std::string::npos : close - paren - 1)));
        source = std::string(trim(std::string_view(source).substr(0, paren)));
      }
      p.purl = deb_purl(ctx.distro, name, version, arch, source, source_version);
      p.supplier = para.get("Maintainer");
      auto description = para.get("Description");
      p.description = description.substr(0, description.find('\n'));
      p.metadata["architecture"] = arch;
      if (!source.empty()) p.metadata["source"] = source;
      if (!source_version.empty()) p.metadata["sourceVersion"] = source_version;
      if (auto size = para.get("Installed-Size"); !size.empty()) p.metadata["installedSize"] = size;
      p.id = "deb:" + name + ":" + arch + ":" + path;
      p.locations.push_back(db);
      for (const char* field : {"Depends", "Pre-Depends"}) {
        for (auto& g : split(para.get(field), ',')) e.depends.push_back(std::move(g));
      }
      for (const auto& prov : split(para.get("Provides"), ',')) e.provides.push_back(relation_name(prov));
      add_files(ctx, p, arch, distroless ? path.substr(0, path.rfind('/') + 1) : std::string(kInfoDir), distroless);
      add_licenses(ctx, p);
      entries.push_back(std::move(e));
    }
  }

  // info/NAME:ARCH.list (multi-arch) or info/NAME.list; else the md5sums (relative paths).
  void add_files(const CatalogContext& ctx, Package& p, const std::string& arch, const std::string& dir,
                 bool distroless) const {
    std::vector<std::string> keys;
    if (!arch.empty() && arch != "all") keys.push_back(p.name + ":" + arch);
    keys.push_back(p.name);
    for (const char* ext : {".list", ".md5sums"}) {
      if (distroless && std::string_view(ext) == ".list") continue;
      for (const auto& key : keys) {
        std::string file = dir + key + ext;
        auto entry = ctx.tree.stat(file);
        if (!entry) continue;
        auto text = ctx.tree.read(file, limits::kMaxSbomFileBytes);
        if (!text) {
          ctx.warn(kName, file, text.error().message);
          return;
        }
        bool md5 = std::string_view(ext) == ".md5sums";
        for (const auto& line : split(*text, '\n')) {
          std::string f = line;
          if (md5) {
            // "<32 hex>  relative/path"
            auto space = line.find("  ");
            if (space == std::string::npos) continue;
            f = "/" + std::string(trim(std::string_view(line).substr(space + 2)));
          }
          if (f.starts_with('/') && f != "/.") p.files.push_back(f);
        }
        p.locations.push_back(ctx.location(file));
        return;
      }
    }
  }

  void add_licenses(const CatalogContext& ctx, Package& p) const {
    std::string file = std::string(kDocDir) + p.name + "/copyright";
    auto entry = ctx.tree.stat(file);
    if (!entry || entry->kind != EntryKind::file) return;
    auto text = ctx.tree.read(file, limits::kMaxSbomFileBytes);
    if (!text) {
      ctx.warn(kName, file, text.error().message);
      return;
    }
    for (const auto& name : detail::debian_copyright_licenses(*text)) {
      License l = classify_license(name);
      if (std::find(p.licenses.begin(), p.licenses.end(), l) == p.licenses.end()) p.licenses.push_back(l);
    }
    p.locations.push_back(ctx.location(file));
  }
};

}  // namespace

std::unique_ptr<Cataloger> make_dpkg_cataloger() { return std::make_unique<DpkgCataloger>(); }

}  // namespace sigil::sbom
