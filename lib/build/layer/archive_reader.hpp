// Local tar archives (plain, gzip, bzip2, xz, zstd; detected from their bytes) read as layer
// entries for ADD's auto-extraction, refusing anything that would land outside the destination.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "build/layer/layer_entry.hpp"
#include "common/error.hpp"

namespace sigil::build {

/// Limits for reading an archive.
struct ArchiveOptions {
  /// Largest total of decompressed file content accepted (limits::kMaxArchiveExtractBytes).
  std::uint64_t max_bytes = 0;  // 0 = the default limit
};

/// True when `file` is a tar archive libarchive can read (possibly compressed); false for any
/// other file (ADD then copies it as is). Input error only when the file cannot be read.
[[nodiscard]] Result<bool> is_tar_archive(const std::filesystem::path& file);

/// Reads a tar archive into entries relative to the extraction directory. File contents are
/// written to numbered files in a new directory below `scratch_dir` (which must exist; the
/// caller removes it after the layer is written) and
/// referenced as FileContent, so nothing is ever extracted by path. Leading '/' is dropped (as
/// docker and GNU tar do); input error naming the archive and the entry for a path escaping
/// with "..", a hardlink to a path outside the archive or not yet seen, a symlink whose relative
/// target climbs above the extraction directory, an entry below a symlink, or decompressed
/// content beyond the limit. Devices, fifos and sockets are skipped.
[[nodiscard]] Result<std::vector<LayerEntry>> read_tar_archive(const std::filesystem::path& file,
                                                               const std::filesystem::path& scratch_dir,
                                                               const ArchiveOptions& options = {});

}  // namespace sigil::build
