// Blob files of an image layout: streaming reads and verified writes with hashing, and the
// symlink check that keeps every blob access inside the layout. Private to LayoutStore.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/store.hpp"

namespace sigil::oci::detail {

/// Size of the chunks blobs are streamed in.
inline constexpr std::size_t kBlobChunkBytes = 1024 * 1024;

/// Input error when `path` is a symlink whose target lies outside `canonical_root` (or dangles).
/// A missing path or a regular entry passes. `what` names the path in the error.
[[nodiscard]] Result<void> check_inside_layout(const std::filesystem::path& canonical_root,
                                               const std::filesystem::path& path, std::string_view what);

/// Streams the file at `path` into `sink` in chunks while hashing; integrity error after the last
/// chunk when size or digest differ from `desc`; input error when the file is missing.
/// `store_name` ("oci:DIR") appears in errors.
[[nodiscard]] Result<void> stream_blob_file(const std::filesystem::path& path, const Descriptor& desc,
                                            BlobSink& sink, std::string_view store_name);

/// Copies `source` into a temp file in `temp_dir` while hashing and counting, verifies size and
/// digest against `desc`, and only then renames it to `target`. On any failure nothing is left.
[[nodiscard]] Result<void> write_blob_file(const std::filesystem::path& temp_dir, const std::filesystem::path& target,
                                           const Descriptor& desc, BlobSource& source, std::string_view store_name);

}  // namespace sigil::oci::detail
