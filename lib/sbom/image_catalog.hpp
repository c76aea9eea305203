// Catalog one image of a store with every cataloger: the image half of `sigil sbom`, shared
// with `sigil build --sbom`, which catalogs what it has just written.
#pragma once

#include <string>

#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/store.hpp"
#include "sbom/model.hpp"

namespace sigil::sbom {

/// What catalog_image found, and which manifest it cataloged (the platform's, for an index).
struct ImageCatalog {
  Inventory inventory;
  oci::Descriptor manifest;
};

/// Streams the layers of `root` (a manifest, or an index from which `platform` is picked) and
/// catalogs the final file system. `name` is the subject as the user wrote it. Problems with
/// single files become warnings in the inventory; errors only for what stops the walk (missing
/// platform, unreadable or corrupt blobs).
[[nodiscard]] Result<ImageCatalog> catalog_image(oci::Store& store, const oci::Descriptor& root,
                                                 const oci::Platform& platform, const std::string& name);

}  // namespace sigil::sbom
