#include "cmd/sigil/oci_tree.hpp"

#include <set>

namespace sigil::cli {
namespace {

// Referrer chains in practice are two or three deep (image → SBOM → signature); the bound only
// protects against hostile graphs.
constexpr int kMaxDepth = 16;
// Annotations longer than this (inline bundle contents, certificates) would drown the tree.
constexpr std::size_t kMaxAnnotationShown = 100;

Result<void> add_referrers(oci::Store& store, ReferrerNode& node, std::set<oci::Digest>& seen, int depth) {
  if (depth >= kMaxDepth) {
    return fail(ErrorCategory::input, "referrers of " + node.descriptor.digest.str() + " nest deeper than " +
                                          std::to_string(kMaxDepth) + " levels");
  }
  auto found = store.referrers(node.descriptor.digest);
  if (!found) return std::unexpected(found.error().with_context("list referrers of " + node.descriptor.digest.str()));
  for (const auto& d : *found) {
    if (!seen.insert(d.digest).second) continue;
    node.referrers.push_back(ReferrerNode{d, {}});
  }
  for (auto& child : node.referrers) {
    if (auto r = add_referrers(store, child, seen, depth + 1); !r) return r;
  }
  return {};
}

std::string artifact_type_of(const oci::Descriptor& d) {
  return d.artifact_type.empty() ? d.media_type : d.artifact_type;
}

void render(const ReferrerNode& node, const std::string& prefix, std::string& out) {
  for (std::size_t i = 0; i < node.referrers.size(); ++i) {
    const auto& child = node.referrers[i];
    bool last = i + 1 == node.referrers.size();
    const auto& d = child.descriptor;
    out += prefix + (last ? "└── " : "├── ") + artifact_type_of(d) + "  " + d.digest.str() + "  (" +
           std::to_string(d.size) + " bytes)\n";
    std::string inner = prefix + (last ? "    " : "│   ");
    for (const auto& [key, value] : d.annotations) {
      if (value.size() > kMaxAnnotationShown) continue;
      std::string clean;
      for (char c : value) clean += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
      out += inner + (child.referrers.empty() ? "  " : "│ ") + key + ": " + clean + "\n";
    }
    render(child, inner, out);
  }
}

Json node_json(const ReferrerNode& node) {
  const auto& d = node.descriptor;
  Json j = {{"digest", d.digest.str()}, {"mediaType", d.media_type}, {"size", d.size}};
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  Json children = Json::array();
  for (const auto& child : node.referrers) children.push_back(node_json(child));
  j["referrers"] = std::move(children);
  return j;
}

}  // namespace

Result<ReferrerNode> build_referrer_tree(oci::Store& store, const oci::Descriptor& root) {
  ReferrerNode node{root, {}};
  std::set<oci::Digest> seen{root.digest};
  if (auto r = add_referrers(store, node, seen, 0); !r) return std::unexpected(r.error());
  return node;
}

std::string tree_to_text(const ReferrerNode& root, const std::string& title) {
  std::string out = title + "\n";
  render(root, "", out);
  return out;
}

Json tree_to_json(const ReferrerNode& root, const std::string& title) {
  Json j = node_json(root);
  j["reference"] = title;
  return j;
}

}  // namespace sigil::cli
