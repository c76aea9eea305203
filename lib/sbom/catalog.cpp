#include "sbom/catalog.hpp"

#include <algorithm>
#include <unordered_map>

#include "sbom/catalogers/detail/elf.hpp"
#include "sbom/distro.hpp"

namespace sigil::sbom {
namespace {

bool is_release_file(const std::string& path) {
  return path == "/etc/os-release" || path == "/usr/lib/os-release" || path == "/etc/debian_version" ||
         path == "/etc/alpine-release";
}

// A package whose evidence file (or directory) another package lists among its installed files
// came with that package: the owner "contains" it, as syft's ownership-by-file-overlap says.
void link_owned_packages(Inventory& inv) {
  std::unordered_map<std::string, std::size_t> owner_of;
  for (std::size_t i = 0; i < inv.packages.size(); ++i) {
    if (inv.packages[i].type != "deb" && inv.packages[i].type != "apk" && inv.packages[i].type != "rpm") continue;
    for (const auto& f : inv.packages[i].files) owner_of.emplace(f, i);
  }
  if (owner_of.empty()) return;
  for (std::size_t i = 0; i < inv.packages.size(); ++i) {
    auto& p = inv.packages[i];
    if (p.type == "deb" || p.type == "apk" || p.type == "rpm" || p.locations.empty()) continue;
    // The primary evidence (METADATA, PKG-INFO) or its directory (an egg-info dir listed by dpkg).
    std::string path = p.locations.front().path;
    std::string dir = path.substr(0, path.rfind('/'));
    auto it = owner_of.find(path);
    if (it == owner_of.end()) it = owner_of.find(dir);
    if (it == owner_of.end()) continue;
    inv.relationships.push_back(Relationship{inv.packages[it->second].id, p.id, Relationship::Type::contains});
  }
}

}  // namespace

Location CatalogContext::location(const std::string& path) const {
  Location loc{path, ""};
  if (auto e = tree.stat(path)) loc.layer = e->layer;
  return loc;
}

bool wanted_by(const std::vector<std::unique_ptr<Cataloger>>& catalogers, const std::string& path) {
  if (is_release_file(path)) return true;
  return std::any_of(catalogers.begin(), catalogers.end(), [&](const auto& c) { return c->reads(path); });
}

std::function<std::string(std::string_view)> elf_excerpt_for(const std::vector<std::unique_ptr<Cataloger>>& catalogers,
                                                            const std::string& path, const Entry& entry) {
  std::vector<const Cataloger*> readers;
  for (const auto& c : catalogers) {
    if (c->matches_entry(path, entry) && c->elf_sections("")) readers.push_back(c.get());
  }
  if (readers.empty()) return {};
  return [readers = std::move(readers)](std::string_view content) {
    std::vector<std::string> names;
    for (const auto* c : readers) {
      if (auto more = c->elf_sections(content)) names.insert(names.end(), more->begin(), more->end());
    }
    return detail::elf_excerpt(content, names);
  };
}

Inventory catalog(const FileTree& tree, Subject subject, const std::vector<std::unique_ptr<Cataloger>>& catalogers,
                  std::vector<Warning> warnings) {
  Inventory inv;
  inv.subject = std::move(subject);
  for (auto& w : warnings) inv.warn(std::move(w.source), std::move(w.path), std::move(w.message));
  inv.distro = detect_distro(tree);

  std::vector<std::vector<std::string>> matches(catalogers.size());
  tree.walk(
      [&](const std::string& path, const Entry& entry) {
        if (entry.kind != EntryKind::file) return;
        for (std::size_t i = 0; i < catalogers.size(); ++i) {
          if (catalogers[i]->matches_entry(path, entry)) matches[i].push_back(path);
        }
      },
      [&](const std::string& path, const std::string& message) { inv.warn("filetree", path, message); });

  CatalogContext ctx{tree, inv.distro, inv};
  for (std::size_t i = 0; i < catalogers.size(); ++i) {
    std::sort(matches[i].begin(), matches[i].end());
    catalogers[i]->catalog(ctx, matches[i]);
  }
  link_owned_packages(inv);
  finalize(inv);
  return inv;
}

}  // namespace sigil::sbom
