// npm: every node_modules/<name>/package.json and node_modules/@scope/<name>/package.json at any
// depth (what is installed), plus package-lock.json (v1 "dependencies", v2/v3 "packages") when
// the source is a directory, as syft does for directories. "dependencies", and the
// "optionalDependencies" and "peerDependencies" npm installs too, become depends-on edges,
// resolved the way Node resolves them (nearest node_modules upwards), so the edges are the ones
// `npm ls --all` shows. Beside an installed node_modules, an optional lock entry that is not
// installed (a dependency for another platform, which npm skipped) is left out.
#include <functional>
#include <map>

#include "common/json.hpp"
#include "common/limits.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/license.hpp"
#include "sbom/purl.hpp"

namespace sigil::sbom {
namespace {

constexpr std::string_view kName = "javascript-package-cataloger";
constexpr std::string_view kLockName = "javascript-lock-cataloger";
constexpr std::string_view kModules = "/node_modules/";

// The package directory a package.json in node_modules belongs to ("/app/node_modules/@a/b").
bool is_installed_manifest(std::string_view path) {
  if (!path.ends_with("/package.json")) return false;
  auto dir = path.substr(0, path.size() - 13);
  auto nm = dir.rfind(kModules);
  if (nm == std::string_view::npos) return false;
  auto rest = dir.substr(nm + kModules.size());
  if (rest.empty() || rest.front() == '.') return false;
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return rest.front() != '@';
  return rest.front() == '@' && rest.find('/', slash + 1) == std::string_view::npos && slash + 1 < rest.size();
}

std::string string_field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "license": "MIT" | {"type": "MIT"}; legacy "licenses": [{"type": ...}].
std::vector<License> licenses_of(const Json& j) {
  std::vector<License> out;
  auto add = [&](const Json& v) {
    std::string text = v.is_string() ? v.get<std::string>() : v.is_object() ? string_field(v, "type") : "";
    if (!text.empty()) out.push_back(classify_license(text));
  };
  if (auto it = j.find("license"); it != j.end()) add(*it);
  if (auto it = j.find("licenses"); it != j.end() && it->is_array()) {
    for (const auto& v : *it) add(v);
  }
  return out;
}

std::string person(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (!j.is_object()) return "";
  std::string out = string_field(j, "name");
  if (auto email = string_field(j, "email"); !email.empty()) out += (out.empty() ? "<" : " <") + email + ">";
  return out;
}

std::vector<std::string> dependency_names(const Json& j, const char* key) {
  std::vector<std::string> out;
  if (auto it = j.find(key); it != j.end() && it->is_object()) {
    for (const auto& [name, v] : it->items()) out.push_back(name);
  }
  return out;
}

// Every edge npm installs for a package: regular, optional and peer dependencies (an optional
// or peer dependency that is not installed resolves to nothing and gives no edge).
std::vector<std::string> dependency_names(const Json& j) {
  std::vector<std::string> out;
  for (const char* key : {"dependencies", "optionalDependencies", "peerDependencies"}) {
    for (auto& name : dependency_names(j, key)) out.push_back(std::move(name));
  }
  return out;
}

// Node's lookup: <dir>/node_modules/<dep>, then the same from each ancestor directory.
std::string resolve_dependency(const std::map<std::string, std::string>& by_dir, std::string dir, const std::string& dep) {
  while (true) {
    if (auto it = by_dir.find(dir + "/node_modules/" + dep); it != by_dir.end()) return it->second;
    auto slash = dir.rfind('/');
    if (slash == std::string::npos || dir.empty()) return "";
    dir = dir.substr(0, slash);
  }
}

class NpmCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return kName; }

  bool matches(std::string_view path) const override {
    return is_installed_manifest(path) ||
           (path.ends_with("/package-lock.json") && path.find(kModules) == std::string_view::npos);
  }

  void catalog(const CatalogContext& ctx, const std::vector<std::string>& matches) const override {
    std::map<std::string, std::string> by_dir;  // package directory → package id
    std::vector<std::pair<std::string, std::vector<std::string>>> deps;  // (package dir, dependency names)
    std::map<std::string, std::string> dir_of_id;
    for (const auto& path : matches) {
      if (path.ends_with("/package-lock.json")) {
        if (ctx.inventory.subject.kind == Subject::Kind::directory) catalog_lock(ctx, path);
        continue;
      }
      auto text = ctx.tree.read(path, limits::kMaxSbomFileBytes);
      if (!text) {
        ctx.warn(kName, path, text.error().message);
        continue;
      }
      auto j = parse_json(*text, path);
      if (!j || !j->is_object()) {
        ctx.warn(kName, path, j ? "not a JSON object, skipped" : j.error().message);
        continue;
      }
      std::string name = string_field(*j, "name");
      std::string version = string_field(*j, "version");
      if (name.empty() || version.empty()) {
        ctx.warn(kName, path, "no name or version, skipped");
        continue;
      }
      Package p;
      p.name = name;
      p.version = version;
      p.type = "npm";
      p.found_by = std::string(kName);
      p.purl = npm_purl(name, version);
      p.licenses = licenses_of(*j);
      if (auto it = j->find("author"); it != j->end()) p.author = person(*it);
      p.description = string_field(*j, "description");
      if (auto homepage = string_field(*j, "homepage"); !homepage.empty()) p.metadata["homepage"] = homepage;
      p.id = "npm:" + path;
      p.locations.push_back(ctx.location(path));
      std::string dir = path.substr(0, path.size() - 13);
      by_dir[dir] = p.id;
      deps.emplace_back(dir, dependency_names(*j));
      dir_of_id[dir] = p.id;
      ctx.inventory.packages.push_back(std::move(p));
    }
    for (const auto& [dir, names] : deps) {
      for (const auto& dep : names) {
        auto target = resolve_dependency(by_dir, dir, dep);
        if (!target.empty()) {
          ctx.inventory.relationships.push_back(Relationship{dir_of_id[dir], target, Relationship::Type::depends_on});
        }
      }
    }
  }

 private:
  void catalog_lock(const CatalogContext& ctx, const std::string& path) const {
    auto text = ctx.tree.read(path, limits::kMaxSbomFileBytes);
    if (!text) {
      ctx.warn(kLockName, path, text.error().message);
      return;
    }
    auto j = parse_json(*text, path);
    if (!j || !j->is_object()) {
      ctx.warn(kLockName, path, j ? "not a JSON object, skipped" : j.error().message);
      return;
    }
    std::string root = path.substr(0, path.rfind('/'));
    Location where = ctx.location(path);
    auto modules = ctx.tree.lstat(root + "/node_modules");
    bool installed_beside = modules && modules->kind == EntryKind::directory;
    std::map<std::string, std::string> by_dir;
    std::vector<std::pair<std::string, std::vector<std::string>>> deps;
    auto add = [&](const std::string& key, const std::string& pkg_name, const Json& entry) {
      std::string version = string_field(entry, "version");
      auto link = entry.find("link");  // workspace links point at folders, not installed packages
      if (pkg_name.empty() || version.empty() || (link != entry.end() && link->is_boolean() && link->get<bool>())) return;
      // npm skips an optional dependency it cannot install (fsevents off macOS): not on disk, not in the SBOM.
      auto optional = entry.find("optional");
      if (installed_beside && optional != entry.end() && optional->is_boolean() && optional->get<bool>() &&
          !ctx.tree.stat(root + "/" + key + "/package.json")) {
        return;
      }
      Package p;
      p.name = pkg_name;
      p.version = version;
      p.type = "npm";
      p.found_by = std::string(kLockName);
      p.purl = npm_purl(pkg_name, version);
      p.licenses = licenses_of(entry);
      if (auto resolved = string_field(entry, "resolved"); !resolved.empty()) p.metadata["resolved"] = resolved;
      if (auto integrity = string_field(entry, "integrity"); !integrity.empty()) p.metadata["integrity"] = integrity;
      p.id = "npm-lock:" + path + ":" + key;
      p.locations.push_back(where);
      std::string dir = root + "/" + key;
      by_dir[dir] = p.id;
      auto names = dependency_names(entry);
      if (names.empty()) names = dependency_names(entry, "requires");
      deps.emplace_back(dir, names);
      ctx.inventory.packages.push_back(std::move(p));
    };
    if (auto packages = j->find("packages"); packages != j->end() && packages->is_object()) {
      for (const auto& [key, entry] : packages->items()) {
        if (key.empty() || !entry.is_object()) continue;
        auto nm = key.rfind("node_modules/");
        if (nm == std::string::npos) continue;  // workspace folders, not installed packages
        std::string pkg_name = string_field(entry, "name");
        if (pkg_name.empty()) pkg_name = key.substr(nm + 13);
        add(key, pkg_name, entry);
      }
    } else if (auto dependencies = j->find("dependencies"); dependencies != j->end() && dependencies->is_object()) {
      // lockfile v1: nested "dependencies" mirror the node_modules tree.
      std::function<void(const Json&, const std::string&, int)> walk = [&](const Json& level, const std::string& prefix, int depth) {
        if (depth > 64) return;
        for (const auto& [name, entry] : level.items()) {
          if (!entry.is_object()) continue;
          std::string key = prefix + "node_modules/" + name;
          add(key, name, entry);
          if (auto nested = entry.find("dependencies"); nested != entry.end() && nested->is_object()) {
            walk(*nested, key + "/", depth + 1);
          }
        }
      };
      walk(*dependencies, "", 0);
    } else {
      ctx.warn(kLockName, path, "neither \"packages\" nor \"dependencies\", skipped");
      return;
    }
    for (const auto& [dir, names] : deps) {
      for (const auto& dep : names) {
        auto target = resolve_dependency(by_dir, dir, dep);
        if (!target.empty()) ctx.inventory.relationships.push_back(Relationship{by_dir[dir], target, Relationship::Type::depends_on});
      }
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> make_npm_cataloger() { return std::make_unique<NpmCataloger>(); }

}  // namespace sigil::sbom
