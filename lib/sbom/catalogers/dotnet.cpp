// .NET: *.deps.json, the dependency manifest the .NET SDK writes beside an application, read as
// syft's dotnet-deps-cataloger reads it. Every "NAME/VERSION" entry of every target framework
// under "targets" is a package (entries of several frameworks merge); "libraries" gives its type
// ("project", "package", "runtimepack"...), path and the sha512 of its .nupkg (base64 after
// "sha512-", recorded as a SHA-512 hash). A reference assembly with no sha512 is not a package
// (the SDK lists framework facades that way), as syft decides. A target's "dependencies"
// ("NAME": "VERSION") become depends-on edges.
#include <map>
#include <set>
#include <span>

#include "common/base64.hpp"
#include "common/hex.hpp"
#include "common/json.hpp"
#include "common/limits.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/purl.hpp"

namespace sigil::sbom {
namespace {

constexpr std::string_view kName = "dotnet-deps-cataloger";

std::string string_field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// What the targets say about one NAME/VERSION, merged over target frameworks.
struct Entry {
  std::set<std::string> dependencies;  // "NAME/VERSION"
};

// "sha512-<base64>" → lower-case hex of the 64-byte digest; "" when it is anything else.
std::string sha512_hex(const std::string& text) {
  if (!text.starts_with("sha512-")) return "";
  auto raw = base64_decode(std::string_view(text).substr(7));
  if (!raw || raw->size() != 64) return "";
  return hex_encode(std::span(reinterpret_cast<const unsigned char*>(raw->data()), raw->size()));
}

class DotnetCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return kName; }

  bool matches(std::string_view path) const override {
    return path.ends_with(".deps.json") && path.size() > 10 && path[path.size() - 11] != '/';
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
    auto j = parse_json(*text, path);
    if (!j || !j->is_object()) {
      ctx.warn(kName, path, j ? "not a JSON object, skipped" : j.error().message);
      return;
    }
    auto targets = j->find("targets");
    if (targets == j->end() || !targets->is_object()) {
      ctx.warn(kName, path, "no \"targets\" object, skipped");
      return;
    }
    const Json empty = Json::object();
    auto libs_it = j->find("libraries");
    const Json& libraries = libs_it != j->end() && libs_it->is_object() ? *libs_it : empty;

    std::map<std::string, Entry> entries;  // sorted by NAME/VERSION, as syft emits them
    std::size_t malformed = 0;
    for (const auto& [framework, libs] : targets->items()) {
      if (!libs.is_object()) {
        ++malformed;
        continue;
      }
      for (const auto& [key, target] : libs.items()) {
        auto slash = key.find('/');
        if (slash == 0 || slash == std::string::npos || slash + 1 == key.size() || !target.is_object()) {
          ++malformed;
          continue;
        }
        Entry& e = entries[key];
        if (auto deps = target.find("dependencies"); deps != target.end() && deps->is_object()) {
          for (const auto& [dep, version] : deps->items()) {
            if (version.is_string()) e.dependencies.insert(dep + "/" + version.get<std::string>());
          }
        }
      }
    }
    if (malformed > 0) {
      ctx.warn(kName, path, std::to_string(malformed) + " target entries that are not NAME/VERSION objects, skipped");
    }

    Location where = ctx.location(path);
    std::map<std::string, std::string> id_of;  // NAME/VERSION → package id
    for (const auto& [key, entry] : entries) {
      const Json* lib = nullptr;
      if (auto it = libraries.find(key); it != libraries.end() && it->is_object()) lib = &*it;
      std::string type = lib ? string_field(*lib, "type") : "";
      std::string sha512 = lib ? string_field(*lib, "sha512") : "";
      if (type == "referenceassembly" && sha512.empty()) continue;
      auto slash = key.find('/');
      Package p;
      p.name = key.substr(0, slash);
      p.version = key.substr(slash + 1);
      p.type = "dotnet";
      p.found_by = std::string(kName);
      p.purl = nuget_purl(p.name, p.version);
      if (auto hex = sha512_hex(sha512); !hex.empty()) p.hashes.emplace_back("SHA-512", hex);
      if (!type.empty()) p.metadata["type"] = type;
      if (lib) {
        if (auto v = string_field(*lib, "path"); !v.empty()) p.metadata["path"] = v;
        if (auto v = string_field(*lib, "hashPath"); !v.empty()) p.metadata["hashPath"] = v;
      }
      p.id = "dotnet:" + path + ":" + key;
      p.locations.push_back(where);
      id_of[key] = p.id;
      ctx.inventory.packages.push_back(std::move(p));
    }
    for (const auto& [key, entry] : entries) {
      auto from = id_of.find(key);
      if (from == id_of.end()) continue;
      for (const auto& dep : entry.dependencies) {
        // A dependency the file describes but no package stands for (a reference assembly) gives no edge.
        if (auto to = id_of.find(dep); to != id_of.end()) {
          ctx.inventory.relationships.push_back(Relationship{from->second, to->second, Relationship::Type::depends_on});
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> make_dotnet_cataloger() { return std::make_unique<DotnetCataloger>(); }

}  // namespace sigil::sbom
