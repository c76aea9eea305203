// Opening the store a reference names: a layout directory or a registry repository.
#pragma once

#include <memory>

#include "oci/reference.hpp"
#include "oci/registry_store.hpp"
#include "oci/store.hpp"

namespace sigil::oci {

struct StoreOptions {
  bool create_layout = false;  ///< create the layout directory when missing (destinations)
  RegistryOptions registry;
};

/// The store of `ref`'s transport.
[[nodiscard]] Result<std::unique_ptr<Store>> open_store(const Reference& ref, const StoreOptions& options);

}  // namespace sigil::oci
