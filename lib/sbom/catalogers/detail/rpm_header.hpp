// The rpm header blob as rpm stores it in its databases (headerExport's on-disk form, the value
// of BerkeleyDB `Packages` and the `blob` column of rpmdb.sqlite): big-endian il (index entry
// count) and dl (data length), il entries of {tag, type, offset, count}, then dl bytes of data.
// A v4 header starts with a region entry (tag 61/62/63) that is skipped; entries after the
// region ("dribble" entries) replace earlier ones with the same tag, as rpm's headerImport does.
// Every offset, count and length is checked against the blob, so hostile input is an error.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace sigil::sbom::detail {

/// rpm tag numbers (rpm's lib/rpmtag.h) the cataloger reads.
enum RpmTag : std::int32_t {
  kRpmTagName = 1000,
  kRpmTagVersion = 1001,
  kRpmTagRelease = 1002,
  kRpmTagEpoch = 1003,
  kRpmTagSummary = 1004,
  kRpmTagSize = 1009,
  kRpmTagVendor = 1011,
  kRpmTagLicense = 1014,
  kRpmTagUrl = 1020,
  kRpmTagArch = 1022,
  kRpmTagOldFilenames = 1027,
  kRpmTagSourceRpm = 1044,
  kRpmTagProvideName = 1047,
  kRpmTagRequireName = 1049,
  kRpmTagDirIndexes = 1116,
  kRpmTagBaseNames = 1117,
  kRpmTagDirNames = 1118,
  kRpmTagLongSize = 5009,
  kRpmTagModularityLabel = 5096,
};

/// rpm's largest header (header.c: headerMaxbytes); blobs above it are rejected.
inline constexpr std::size_t kMaxRpmHeaderBytes = 256 * 1024 * 1024;

/// A parsed header: each tag's type, count and data bytes (views into the blob given to parse).
class RpmHeader {
 public:
  /// Parses `blob` (which must outlive the header). Input error naming what is wrong.
  [[nodiscard]] static Result<RpmHeader> parse(std::string_view blob);

  /// First string of a STRING, STRING_ARRAY or I18NSTRING tag; nullopt when absent or of another type.
  [[nodiscard]] std::optional<std::string> string(std::int32_t tag) const;
  /// All strings of a STRING_ARRAY (or the one of a STRING) tag; empty when absent.
  [[nodiscard]] std::vector<std::string> strings(std::int32_t tag) const;
  /// The values of an INT32 tag; empty when absent or of another type.
  [[nodiscard]] std::vector<std::int32_t> int32s(std::int32_t tag) const;
  /// The values of an INT64 tag; empty when absent or of another type.
  [[nodiscard]] std::vector<std::int64_t> int64s(std::int32_t tag) const;

 private:
  struct Item {
    std::uint32_t type = 0;
    std::uint32_t count = 0;
    std::string_view data;
  };
  std::map<std::int32_t, Item> items_;
};

/// What the cataloger takes from one installed package's header.
struct RpmPackageInfo {
  std::string name;
  std::string version;
  std::string release;
  std::optional<int> epoch;
  std::string arch;
  std::string source_rpm;  ///< "" when absent or "(none)"
  std::string license;     ///< "" when absent or "(none)"
  std::string vendor;      ///< "" when absent or "(none)"
  std::string summary;
  std::string url;
  std::string modularity_label;
  std::optional<std::int64_t> size;
  std::vector<std::string> files;         ///< dirnames[dirindexes[i]] + basenames[i] (or old filenames)
  std::string files_problem;              ///< why the file list was dropped, when it was
  std::vector<std::string> provides;      ///< PROVIDENAME
  std::vector<std::string> requirements;  ///< REQUIRENAME
};

/// Parses a header blob into the package fields. Input error for a malformed blob or one with
/// no NAME or VERSION; an inconsistent file list only empties `files` (see files_problem).
[[nodiscard]] Result<RpmPackageInfo> read_rpm_package(std::string_view blob);

}  // namespace sigil::sbom::detail
