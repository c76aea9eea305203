// The first half of copy(): walking the source graph into an ordered plan, before anything is
// written to the destination, so malformed or missing content fails the copy with nothing changed.
#pragma once

#include <string>
#include <vector>

#include "common/error.hpp"
#include "oci/copy.hpp"
#include "oci/descriptor.hpp"
#include "oci/store.hpp"

namespace sigil::oci::detail {

/// A manifest or index to push, with its exact source bytes.
struct PlannedManifest {
  Descriptor descriptor;  ///< media type taken from the bytes
  std::string raw;
  bool index_child = false;  ///< reached only as an entry of a copied index (not a root or referrer)
};

/// Everything copy() transfers, in push order.
struct CopyPlan {
  std::vector<Descriptor> blobs;            ///< unique configs and layers (and other blobs)
  std::vector<PlannedManifest> manifests;   ///< children before parents; the root is last
  Descriptor result;                        ///< the root that gets the tag
};

/// Walks `root` in `src` (platform selection, nested indexes, referrers when asked), fetching and
/// verifying every manifest. Blobs are only listed, not read.
[[nodiscard]] Result<CopyPlan> plan_copy(Store& src, const Descriptor& root, const CopyOptions& options);

}  // namespace sigil::oci::detail
