// Layer entries → reproducible tar → gzip or zstd → a blob file, with the uncompressed digest
// (diff_id) and the compressed digest and size computed in the same single pass.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "build/layer/layer_entry.hpp"
#include "common/error.hpp"
#include "oci/digest.hpp"

namespace sigil::build {

/// Layer compression.
enum class Compression { gzip, zstd };

/// "gzip" / "zstd"; and the reverse (input error for anything else).
[[nodiscard]] std::string_view compression_name(Compression compression);
[[nodiscard]] Result<Compression> parse_compression(std::string_view name);

/// How a layer is written. The same entries and options always give the same bytes, on any
/// machine and with any number of layers written in parallel.
struct LayerOptions {
  Compression compression = Compression::gzip;
  /// gzip 1..9 (default 6, zlib's default), zstd 1..19 (default 3); -1 = the default.
  int compression_level = -1;
  /// Every mtime in the tar (SOURCE_DATE_EPOCH); file times on disk never reach a layer.
  std::int64_t epoch = 0;
};

/// What was written.
struct LayerResult {
  /// sha256 of the uncompressed tar (the config's rootfs.diff_ids entry).
  oci::Digest diff_id;
  /// sha256 and size of the compressed blob (the manifest's layer descriptor).
  oci::Digest digest;
  std::uint64_t size = 0;
  /// application/vnd.oci.image.layer.v1.tar+gzip or +zstd.
  std::string media_type;
  /// The blob file: `<dir>/<digest hex>`.
  std::filesystem::path path;
};

/// Writes entries as one layer into `dir` (which must exist): the tar is libarchive's restricted
/// pax format (ustar headers, a pax extended header only for long names, large values and
/// SCHILY.xattr records, as Go's archive/tar writes for BuildKit), entries sorted bytewise with
/// parents first (missing parents added as 0755 root directories), every mtime = epoch, numeric
/// uid/gid without user or group names, hardlinks as hardlinks. The blob is written to a temp
/// file in `dir` and renamed to `<dir>/<hex>` once complete. Regular-file content is read with
/// O_NOFOLLOW; a file whose size changed since it was collected is an input error.
[[nodiscard]] Result<LayerResult> write_layer(std::vector<LayerEntry> entries, const std::filesystem::path& dir,
                                              const LayerOptions& options);

}  // namespace sigil::build
