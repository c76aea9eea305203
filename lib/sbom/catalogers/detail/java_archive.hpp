// Reading the entries of a zip archive (jar, war, ear...) held in memory, through libarchive,
// with the limits hostile archives need: a cap on the number of entries (checked from the
// end-of-central-directory record before libarchive indexes anything), a cap on the bytes each
// entry may expand to, and a cap on its compression ratio, so a zip bomb becomes an error for
// that entry instead of memory exhaustion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace sigil::sbom::detail {

/// Limits for one archive.
struct ZipLimits {
  std::uint64_t max_entries = 250000;  ///< entries the central directory may list
  std::uint64_t max_ratio = 100;       ///< uncompressed / compressed bytes of one entry...
  std::uint64_t ratio_floor = 1 << 20; ///< ...checked once the entry has expanded past this
};

/// Called for each regular file entry's name; returns how many bytes to read at most, or
/// nullopt to skip the entry without decompressing it.
using ZipWant = std::function<std::optional<std::size_t>(const std::string& name)>;

/// Called with a wanted entry's content, or the error that stopped reading it (larger than
/// its cap, compression ratio over the limit, corrupt data). The archive goes on after an
/// error that concerns one entry.
using ZipVisit = std::function<void(const std::string& name, Result<std::string> content)>;

/// The number of entries the end-of-central-directory record announces (zip64 included);
/// input error when `bytes` has no such record.
[[nodiscard]] Result<std::uint64_t> zip_entry_count(std::string_view bytes);

/// Visits the entries of the zip archive `bytes` in archive order. Input error when it is not
/// a zip archive, has more than limits.max_entries entries, or its structure is corrupt (entries
/// visited before that point were delivered).
[[nodiscard]] Result<void> read_zip(std::string_view bytes, const ZipLimits& limits, const ZipWant& want,
                                    const ZipVisit& visit);

}  // namespace sigil::sbom::detail
