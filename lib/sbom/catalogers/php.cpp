// PHP: Composer packages as syft's php-composer-installed-cataloger reads them — every
// installed.json (vendor/composer/installed.json; Composer 1 writes a JSON array of packages,
// Composer 2 an object {"packages": [...], "dev": ..., "dev-package-names": [...]}) — plus
// composer.lock ("packages", not "packages-dev", as syft) when the source is a directory.
// Edges follow Composer's links: a package depends on each package of the same file that
// provides a name it requires (its own name, or one listed under "provide" or "replace").
#include <map>
#include <set>

#include "common/json.hpp"
#include "common/limits.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/license.hpp"
#include "sbom/purl.hpp"

namespace sigil::sbom {
namespace {

constexpr std::string_view kName = "php-composer-installed-cataloger";
constexpr std::string_view kLockName = "php-composer-lock-cataloger";

std::string string_field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Keys of an object member ("require", "provide", "replace"); nothing when it is not an object.
std::vector<std::string> link_names(const Json& j, const char* key) {
  std::vector<std::string> out;
  if (auto it = j.find(key); it != j.end() && it->is_object()) {
    for (const auto& [name, constraint] : it->items()) out.push_back(name);
  }
  return out;
}

// "license": ["MIT"] as Composer writes it; a bare string is accepted too.
std::vector<License> licenses_of(const Json& j) {
  std::vector<License> out;
  auto add = [&](const Json& v) {
    if (v.is_string() && !v.get<std::string>().empty()) out.push_back(classify_license(v.get<std::string>()));
  };
  if (auto it = j.find("license"); it != j.end() && it->is_array()) {
    for (const auto& v : *it) add(v);
  } else if (it != j.end()) {
    add(*it);
  }
  return out;
}

// "authors": [{"name", "email", "homepage"}] → "Name <email>, Other".
std::string authors_of(const Json& j) {
  std::string out;
  auto it = j.find("authors");
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& a : *it) {
    if (!a.is_object()) continue;
    std::string one = string_field(a, "name");
    if (auto email = string_field(a, "email"); !email.empty()) one += (one.empty() ? "<" : " <") + email + ">";
    if (one.empty()) continue;
    out += (out.empty() ? "" : ", ") + one;
  }
  return out;
}

// pkg:composer/vendor/name@version; a name with more slashes keeps the first as the namespace
// and joins the rest with '-', as syft does.
std::string purl_of(const std::string& name, const std::string& version) {
  std::string n = name;
  if (auto first = n.find('/'); first != std::string::npos) {
    for (auto at = n.find('/', first + 1); at != std::string::npos; at = n.find('/', at + 1)) n[at] = '-';
  }
  return composer_purl(n, version);
}

class PhpCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return kName; }

  bool matches(std::string_view path) const override {
    return path.ends_with("/installed.json") || path.ends_with("/composer.lock");
  }

  void catalog(const CatalogContext& ctx, const std::vector<std::string>& matches) const override {
    for (const auto& path : matches) {
      if (path.ends_with("/composer.lock")) {
        if (ctx.inventory.subject.kind == Subject::Kind::directory) catalog_file(ctx, path, kLockName);
      } else {
        catalog_file(ctx, path, kName);
      }
    }
  }

 private:
  void catalog_file(const CatalogContext& ctx, const std::string& path, std::string_view source) const {
    auto text = ctx.tree.read(path, limits::kMaxSbomFileBytes);
    if (!text) {
      ctx.warn(source, path, text.error().message);
      return;
    }
    auto j = parse_json(*text, path);
    if (!j) {
      ctx.warn(source, path, j.error().message);
      return;
    }
    const Json* packages = nullptr;
    if (source == kName && j->is_array()) {
      packages = &*j;  // Composer 1
    } else if (j->is_object()) {
      auto it = j->find("packages");
      if (it != j->end() && it->is_array()) packages = &*it;
    }
    if (packages == nullptr) {
      ctx.warn(source, path,
               source == kName ? "neither a package array (Composer 1) nor an object with a \"packages\" array (Composer 2), skipped"
                               : "no \"packages\" array, skipped");
      return;
    }

    Location where = ctx.location(path);
    std::map<std::string, std::set<std::string>> providers;  // provided name → package ids
    std::vector<std::pair<std::string, std::vector<std::string>>> requires_of;  // (id, required names)
    std::size_t skipped = 0;
    for (std::size_t i = 0; i < packages->size(); ++i) {
      const Json& entry = (*packages)[i];
      std::string name = entry.is_object() ? string_field(entry, "name") : "";
      std::string version = entry.is_object() ? string_field(entry, "version") : "";
      if (name.empty() || version.empty()) {
        ++skipped;
        continue;
      }
      Package p;
      p.name = name;
      p.version = version;
      p.type = "php-composer";
      p.found_by = std::string(source);
      p.purl = purl_of(name, version);
      p.licenses = licenses_of(entry);
      p.author = authors_of(entry);
      p.description = string_field(entry, "description");
      if (auto homepage = string_field(entry, "homepage"); !homepage.empty()) p.metadata["homepage"] = homepage;
      for (const char* ref : {"source", "dist"}) {
        auto it = entry.find(ref);
        if (it == entry.end() || !it->is_object()) continue;
        if (auto url = string_field(*it, "url"); !url.empty()) p.metadata[std::string(ref) + "-url"] = url;
        if (auto r = string_field(*it, "reference"); !r.empty()) p.metadata[std::string(ref) + "-reference"] = r;
      }
      p.id = "composer:" + path + ":" + std::to_string(i);
      p.locations.push_back(where);
      providers[name].insert(p.id);
      for (const char* key : {"provide", "replace"}) {
        for (const auto& provided : link_names(entry, key)) providers[provided].insert(p.id);
      }
      requires_of.emplace_back(p.id, link_names(entry, "require"));
      ctx.inventory.packages.push_back(std::move(p));
    }
    if (skipped > 0) {
      ctx.warn(source, path, std::to_string(skipped) + " package entries without a string name and version, skipped");
    }
    for (const auto& [id, names] : requires_of) {
      for (const auto& required : names) {
        auto it = providers.find(required);
        if (it == providers.end()) continue;  // php, ext-*: the platform, not a package here
        for (const auto& target : it->second) {
          if (target != id) ctx.inventory.relationships.push_back(Relationship{id, target, Relationship::Type::depends_on});
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> make_php_cataloger() { return std::make_unique<PhpCataloger>(); }

}  // namespace sigil::sbom
