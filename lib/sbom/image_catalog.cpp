#include "sbom/image_catalog.hpp"

#include "sbom/catalog.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/image_tree.hpp"

namespace sigil::sbom {

Result<ImageCatalog> catalog_image(oci::Store& store, const oci::Descriptor& root, const oci::Platform& platform,
                                   const std::string& name) {
  auto catalogers = all_catalogers();
  std::vector<Warning> warnings;
  auto tree = ImageTree::build(
      store, root, platform, [&](const std::string& path) { return wanted_by(catalogers, path); },
      [&](const std::string& path, const std::string& message) { warnings.push_back({"filetree", path, message}); },
      [&](const std::string& path, const Entry& entry) { return elf_excerpt_for(catalogers, path, entry); });
  if (!tree) return std::unexpected(tree.error());
  Subject subject{Subject::Kind::image, name, (*tree)->info().manifest.digest.str(), (*tree)->info().platform};
  ImageCatalog out{catalog(**tree, subject, catalogers, std::move(warnings)), (*tree)->info().manifest};
  return out;
}

}  // namespace sigil::sbom
