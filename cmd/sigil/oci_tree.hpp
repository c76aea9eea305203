// `sigil tree`: the referrers graph of a manifest, recursively, as text (like `oras discover`
// and `cosign tree`) or nested JSON.
#pragma once

#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"
#include "oci/descriptor.hpp"
#include "oci/store.hpp"

namespace sigil::cli {

/// A manifest and the manifests that refer to it.
struct ReferrerNode {
  oci::Descriptor descriptor;
  std::vector<ReferrerNode> referrers;
};

/// Lists referrers of `root` and of each referrer, depth-first, each digest once.
[[nodiscard]] Result<ReferrerNode> build_referrer_tree(oci::Store& store, const oci::Descriptor& root);

/// Text with └── / ├── branches under a `title` line.
[[nodiscard]] std::string tree_to_text(const ReferrerNode& root, const std::string& title);

/// {"reference", "digest", "mediaType", "size", "referrers": [{"digest", "mediaType", "artifactType",
///  "size", "annotations", "referrers": [...]}]}.
[[nodiscard]] Json tree_to_json(const ReferrerNode& root, const std::string& title);

}  // namespace sigil::cli
