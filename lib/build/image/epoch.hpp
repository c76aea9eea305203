// The build's timestamp (SOURCE_DATE_EPOCH): every time that reaches an image (layer entries,
// history, config "created", the created annotation) comes from it, so builds are reproducible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace sigil::build {

/// What a git checkout says about the context: the HEAD commit, its time and where it came from.
struct GitInfo {
  std::string revision;      ///< full commit id of HEAD
  std::int64_t commit_time = 0;  ///< committer time of HEAD, seconds since 1970
  std::string source;        ///< remote.origin.url without credentials; empty when none
  /// "refs/heads/<branch>" when HEAD is on a branch, else "refs/tags/<tag>" for a tag pointing
  /// at HEAD, else empty (detached).
  std::string ref;
};

/// Git facts about `context` when it is inside a git work tree (asks `git`, if installed).
[[nodiscard]] std::optional<GitInfo> git_info(const std::filesystem::path& context);

/// Parses a SOURCE_DATE_EPOCH value: decimal seconds, 0 ≤ n < 253402300800 (year 10000).
[[nodiscard]] Result<std::int64_t> parse_epoch(std::string_view text, std::string_view what);

/// The epoch of a build: `flag` (--source-date-epoch) when given, else the SOURCE_DATE_EPOCH
/// environment variable when set and non-empty, else `git`'s HEAD commit time, else 0.
[[nodiscard]] Result<std::int64_t> resolve_epoch(const std::optional<std::string>& flag,
                                                 const std::optional<GitInfo>& git);

/// RFC 3339 UTC as Go marshals a time.Time with no fraction: "1970-01-01T00:00:00Z".
[[nodiscard]] std::string rfc3339(std::int64_t seconds);

}  // namespace sigil::build
