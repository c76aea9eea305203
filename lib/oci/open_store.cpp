#include "oci/open_store.hpp"

#include "oci/layout_store.hpp"

namespace sigil::oci {

Result<std::unique_ptr<Store>> open_store(const Reference& ref, const StoreOptions& options) {
  // Both factories return a derived unique_ptr; convert explicitly so the error side passes through.
  if (ref.transport == Transport::layout) {
    auto layout = LayoutStore::open(ref.layout_path, options.create_layout);
    if (!layout) return std::unexpected(layout.error());
    return std::unique_ptr<Store>(std::move(*layout));
  }
  auto registry = RegistryStore::open(ref, options.registry);
  if (!registry) return std::unexpected(registry.error());
  return std::unique_ptr<Store>(std::move(*registry));
}

}  // namespace sigil::oci
