// The TUF client workflow (specification §5, as python-tuf's ngclient and tuf-js do it): root
// rotation chain, timestamp, snapshot, targets, then target files by length and hash. Works on
// bytes in memory and a fetch function: nothing is written here, so a failure at any step leaves
// the caller's files as they were; the caller persists UpdateResult only when update() succeeds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "sign/tuf/metadata.hpp"

namespace sigil::sign::tuf {

/// Size limits of fetched metadata (python-tuf's defaults). Targets are limited by their length.
struct FetchLimits {
  std::size_t root = 512000;
  std::size_t timestamp = 16384;
  std::size_t snapshot = 2000000;
  std::size_t targets = 5000000;
  std::uint64_t max_root_rotations = 256;
};

/// Metadata the client trusts, as file bytes; empty strings for files it does not have yet.
/// `root` is required (the trust anchor).
struct TrustedMetadata {
  std::string root;
  std::string timestamp;
  std::string snapshot;
  std::string targets;
};

/// A target the caller wants, with the copy it has (to skip downloading an unchanged file).
struct WantedTarget {
  std::string name;                   ///< as the targets role lists it, e.g. "trusted_root.json"
  std::optional<std::string> current; ///< bytes the caller has now, if any
  bool required = true;               ///< missing from targets metadata: error (true) or skipped
};

/// GETs `url`, at most `max_bytes` of body. nullopt when the server answers 404 or 403 (the end of
/// the root chain); an error for other statuses, transport failures and larger bodies.
using Fetch = std::function<Result<std::optional<std::string>>(const std::string& url, std::size_t max_bytes)>;

struct TargetUpdate {
  std::string name;
  std::string bytes;
  bool changed = false;  ///< differs from WantedTarget::current
};

struct UpdateResult {
  TrustedMetadata metadata;  ///< the new trusted metadata (bytes as served)
  std::uint64_t old_root_version = 0;
  std::uint64_t new_root_version = 0;
  std::uint64_t timestamp_version = 0;
  std::uint64_t snapshot_version = 0;
  std::uint64_t targets_version = 0;
  std::vector<TargetUpdate> targets;  ///< wanted targets that the repository lists, in request order
};

struct UpdateOptions {
  std::string mirror;  ///< base URL; metadata at <mirror>/..., targets at <mirror>/targets/...
  Time now{};          ///< the time expiry is checked against
  FetchLimits limits;
};

/// Runs the workflow. Error categories: input (malformed metadata, oversized bodies), denied
/// (signatures, rollback, expiry, version mismatches: "refused"), integrity (length or hash of a
/// file differs from what signed metadata says), network (fetch failures).
[[nodiscard]] Result<UpdateResult> update(const TrustedMetadata& trusted, const std::vector<WantedTarget>& wanted,
                                          const UpdateOptions& options, const Fetch& fetch);

}  // namespace sigil::sign::tuf
