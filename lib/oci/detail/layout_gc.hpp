// Mark and sweep over an image layout's blobs. Private to LayoutStore.
#pragma once

#include <ctime>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/detail/layout_index.hpp"
#include "oci/layout_store.hpp"

namespace sigil::oci::detail {

/// Reads a manifest or index blob, verified; nullopt when the blob is absent.
using ManifestReader = std::function<Result<std::optional<std::string>>(const Descriptor&)>;

/// Digests reachable from the index entries: manifests, their configs and layers, index
/// children recursively. A manifest's subject is not followed (a referrer keeps itself alive
/// through its own index entry, not its subject). Absent children are skipped (a layout may hold
/// one platform of an index); an unreadable or unverifiable manifest is an error.
[[nodiscard]] Result<std::set<std::string>> mark_reachable(const LayoutIndex& index, const ManifestReader& read);

/// Removes blobs under DIR/blobs/<alg>/ whose digest is not in `reachable` and whose mtime is
/// before `started`, and `.tmp-*` files (DIR, DIR/blobs, DIR/blobs/<alg>) older than `started`.
/// Files whose names are not digests sigil knows are left alone.
[[nodiscard]] Result<GcStats> sweep_layout(const std::filesystem::path& root, const std::set<std::string>& reachable,
                                           const struct timespec& started);

}  // namespace sigil::oci::detail
