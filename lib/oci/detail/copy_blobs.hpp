// The second half of copy(): moving the planned blobs, several at once, each streamed from the
// source to the destination through a bounded pipe.
#pragma once

#include <functional>
#include <vector>

#include "common/error.hpp"
#include "oci/copy.hpp"
#include "oci/store.hpp"

namespace sigil::oci::detail {

/// Serialized event reporting (the callback never runs on two threads at once).
using EmitEvent = std::function<void(const CopyEvent&)>;

/// Transfers every blob missing at `dst` with up to `parallelism` transfers at once; blobs already
/// present are skipped and, between two repositories of one registry, mounted when possible.
/// Stops starting new transfers after the first failure and returns it. Every blob written to
/// `dst` (not skipped, not mounted) is appended to `written`, failure or not, so the caller can undo.
[[nodiscard]] Result<void> copy_blobs(Store& src, Store& dst, const std::vector<Descriptor>& blobs, int parallelism,
                                      const EmitEvent& emit, std::vector<Descriptor>& written);

/// Streams one blob from `src` to `dst` (no presence check), reporting progress.
[[nodiscard]] Result<void> transfer_blob(Store& src, Store& dst, const Descriptor& desc, const EmitEvent& emit);

}  // namespace sigil::oci::detail
