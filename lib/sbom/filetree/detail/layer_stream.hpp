// Streams one layer blob from a Store through libarchive (tar, optionally gzip or zstd
// compressed), entry by entry, without writing anything to disk. The blob is fetched on a
// helper thread into a bounded pipe, so memory stays small; it is always read to its end so the
// store verifies its digest, and a digest mismatch fails the whole stream.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/store.hpp"
#include "sbom/filetree/file_tree.hpp"

namespace sigil::sbom::detail {

/// One tar entry as the archive names it.
struct TarEntry {
  std::string name;          ///< path as stored ("./etc/passwd", "usr/")
  EntryKind kind = EntryKind::other;
  std::string link_target;   ///< symlink target, or the hard link's target path
  bool hardlink = false;
  std::uint64_t size = 0;
  std::uint32_t mode = 0;    ///< permission bits (07777)
  std::uint64_t ordinal = 0; ///< position in the layer (0-based), for a later targeted re-read
  std::string magic;         ///< the first bytes (up to 4) of a regular file's data, read ahead
};

/// Reads the current entry's data, refusing more than max_bytes.
using ReadData = std::function<Result<std::string>(std::size_t max_bytes)>;

/// Called per entry; return false to skip the rest of the entries (the blob is still drained).
using OnEntry = std::function<Result<bool>(const TarEntry& entry, const ReadData& read)>;

/// Streams `layer` of `store`, calling `on_entry` for each entry in order. Input error for a
/// corrupt archive, integrity error for a digest mismatch, any error `on_entry` returns.
[[nodiscard]] Result<void> stream_layer(oci::Store& store, const oci::Descriptor& layer, const OnEntry& on_entry);

}  // namespace sigil::sbom::detail
