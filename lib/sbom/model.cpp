#include "sbom/model.hpp"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>

#include "common/limits.hpp"
#include "oci/digest.hpp"

namespace sigil::sbom {
namespace {

// Stable across runs and machines: derived from what identifies the package, never from
// discovery order. Packages without a purl add their first location to stay distinct.
std::string stable_id(const Package& p) {
  std::string key = p.type + "\n" + p.name + "\n" + p.version + "\n" + p.purl;
  if (p.purl.empty() && !p.locations.empty()) key += "\n" + p.locations.front().path;
  return oci::Digest::of(key).hex().substr(0, 16);
}

template <class T>
void append_unique(std::vector<T>& to, const std::vector<T>& from) {
  for (const auto& x : from) {
    if (std::find(to.begin(), to.end(), x) == to.end()) to.push_back(x);
  }
}

}  // namespace

void Inventory::warn(std::string source, std::string path, std::string message) {
  if (warnings.size() >= limits::kMaxSbomWarnings) {
    ++warnings_dropped;
    return;
  }
  warnings.push_back(Warning{std::move(source), std::move(path), std::move(message)});
}

void finalize(Inventory& inv) {
  std::unordered_map<std::string, std::string> id_map;  // cataloger id → final id
  std::unordered_map<std::string, std::size_t> by_key;  // purl (or final id) → index in merged
  std::vector<Package> merged;
  for (auto& p : inv.packages) {
    std::string old_id = p.id;
    std::string fid = stable_id(p);
    std::string key = p.purl.empty() ? "id:" + fid : p.purl;
    auto found = by_key.find(key);
    if (found == by_key.end()) {
      p.id = fid;
      id_map[old_id] = fid;
      by_key.emplace(key, merged.size());
      merged.push_back(std::move(p));
      continue;
    }
    // Same purl seen again (an npm package at two depths): one component, every location.
    Package& into = merged[found->second];
    id_map[old_id] = into.id;
    append_unique(into.locations, p.locations);
    append_unique(into.files, p.files);
    if (into.licenses.empty()) into.licenses = p.licenses;
  }
  for (auto& p : merged) std::sort(p.locations.begin() + (p.locations.empty() ? 0 : 1), p.locations.end());
  std::sort(merged.begin(), merged.end(), [](const Package& a, const Package& b) {
    return std::tie(a.type, a.name, a.version, a.purl, a.id) < std::tie(b.type, b.name, b.version, b.purl, b.id);
  });
  inv.packages = std::move(merged);

  std::set<std::tuple<std::string, std::string, int>> seen;
  std::vector<Relationship> rels;
  for (const auto& r : inv.relationships) {
    auto f = id_map.find(r.from);
    auto t = id_map.find(r.to);
    if (f == id_map.end() || t == id_map.end() || f->second == t->second) continue;
    if (!seen.emplace(f->second, t->second, static_cast<int>(r.type)).second) continue;
    rels.push_back(Relationship{f->second, t->second, r.type});
  }
  std::sort(rels.begin(), rels.end(), [](const Relationship& a, const Relationship& b) {
    return std::tie(a.from, a.to, a.type) < std::tie(b.from, b.to, b.type);
  });
  inv.relationships = std::move(rels);
}

}  // namespace sigil::sbom
