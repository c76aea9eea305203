#include "oci/detail/copy_plan.hpp"

#include <set>

#include "common/limits.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"

namespace sigil::oci::detail {
namespace {

// Bounds against hostile graphs: nested indexes and referrer chains are rare and shallow.
constexpr int kMaxIndexDepth = 8;
constexpr std::size_t kMaxManifests = 10000;

// Layers a registry must not (or cannot) serve: Docker foreign layers and OCI non-distributable
// layers with external URLs. skopeo and crane leave them out as well.
bool is_foreign(const Descriptor& d) {
  return !d.urls.empty() && (d.media_type.find("foreign") != std::string::npos ||
                             d.media_type.find("nondistributable") != std::string::npos);
}

class Planner {
 public:
  Planner(Store& src, const CopyOptions& options) : src_(src), options_(options) {}

  Result<CopyPlan> run(const Descriptor& root) {
    auto root_raw = fetch(root);
    if (!root_raw) return std::unexpected(root_raw.error());
    auto root_type = media_type_of(root, *root_raw);
    if (!root_type) return std::unexpected(root_type.error());

    Descriptor selected = root;
    if (media_type::is_index(*root_type) && !options_.all_platforms) {
      auto index = Index::parse(*root_raw, "index " + root.digest.str());
      if (!index) return std::unexpected(index.error());
      Platform want = options_.platform ? *options_.platform : host_platform();
      auto pick = select_platform(*index, want, "index " + root.digest.str() + " in " + src_.name());
      if (!pick) return std::unexpected(pick.error());
      selected = *pick;
      auto raw = fetch(selected);
      if (!raw) return std::unexpected(raw.error());
      if (auto r = add(selected, std::move(*raw), 0); !r) return std::unexpected(r.error());
    } else {
      if (auto r = add(root, std::move(*root_raw), 0); !r) return std::unexpected(r.error());
    }
    std::size_t root_position = plan_.manifests.size() - 1;

    if (options_.referrers) {
      // Breadth-first over everything planned so far, including referrers found on the way, so
      // referrers of referrers (a signature on an SBOM) come along.
      for (std::size_t i = 0; i < plan_.manifests.size(); ++i) {
        Digest subject = plan_.manifests[i].descriptor.digest;
        auto found = src_.referrers(subject);
        if (!found) return std::unexpected(found.error().with_context("list referrers of " + subject.str()));
        for (const auto& referrer : *found) {
          if (seen_.contains(referrer.digest)) continue;
          auto raw = fetch(referrer);
          if (!raw) return std::unexpected(raw.error());
          if (auto r = add(referrer, std::move(*raw), 0); !r) return std::unexpected(r.error());
        }
      }
    }

    // The root is pushed last: only then does the tag appear, with everything it needs in place.
    PlannedManifest root_node = std::move(plan_.manifests[root_position]);
    plan_.manifests.erase(plan_.manifests.begin() + static_cast<std::ptrdiff_t>(root_position));
    plan_.result = root_node.descriptor;
    plan_.manifests.push_back(std::move(root_node));
    return std::move(plan_);
  }

 private:
  Result<std::string> fetch(const Descriptor& desc) {
    if (desc.size < 0 || static_cast<std::size_t>(desc.size) > limits::kMaxManifestBytes) {
      return fail(ErrorCategory::input, "manifest " + desc.digest.str() + " in " + src_.name() + ": size " +
                                            std::to_string(desc.size) + " exceeds the limit of " +
                                            std::to_string(limits::kMaxManifestBytes) + " bytes");
    }
    auto raw = src_.fetch_manifest(desc);
    if (!raw) return std::unexpected(raw.error());
    // The store verifies too; checking here keeps copy honest whatever store it is given.
    std::string what = "manifest " + desc.digest.str() + " in " + src_.name();
    if (static_cast<std::int64_t>(raw->size()) != desc.size) {
      return fail(ErrorCategory::integrity, what + ": got " + std::to_string(raw->size()) + " bytes, expected " +
                                                std::to_string(desc.size));
    }
    if (auto v = verify_digest(*raw, desc.digest, what); !v) return std::unexpected(v.error());
    return raw;
  }

  // The media type written in the bytes wins; a descriptor claiming a manifest for an index (or the
  // reverse) is an error, since the bytes would be stored under a lie.
  Result<std::string> media_type_of(const Descriptor& desc, std::string_view raw) {
    std::string what = "manifest " + desc.digest.str() + " in " + src_.name();
    auto detected = detect_manifest_media_type(raw, what);
    if (!detected) return detected;
    bool desc_known = media_type::is_manifest(desc.media_type) || media_type::is_index(desc.media_type);
    if (desc_known && media_type::is_index(desc.media_type) != media_type::is_index(*detected)) {
      return fail(ErrorCategory::input, what + ": descriptor says " + desc.media_type + " but the content is " +
                                            *detected);
    }
    return detected;
  }

  Result<void> add(const Descriptor& desc, std::string raw, int depth, bool index_child = false) {
    if (seen_.contains(desc.digest)) return {};
    if (plan_.manifests.size() >= kMaxManifests) {
      return fail(ErrorCategory::input, "copy from " + src_.name() + ": more than " + std::to_string(kMaxManifests) +
                                            " manifests");
    }
    seen_.insert(desc.digest);
    auto type = media_type_of(desc, raw);
    if (!type) return std::unexpected(type.error());
    std::string what = "manifest " + desc.digest.str() + " in " + src_.name();
    if (media_type::is_index(*type)) {
      if (depth >= kMaxIndexDepth) return fail(ErrorCategory::input, what + ": indexes nested too deeply");
      auto index = Index::parse(raw, what);
      if (!index) return std::unexpected(index.error());
      for (const auto& child : index->manifests) {
        if (seen_.contains(child.digest)) continue;
        auto child_raw = fetch(child);
        if (!child_raw) return std::unexpected(child_raw.error().with_context(what));
        if (auto r = add(child, std::move(*child_raw), depth + 1, true); !r) return r;
      }
    } else {
      auto manifest = Manifest::parse(raw, what);
      if (!manifest) return std::unexpected(manifest.error());
      add_blob(manifest->config);
      for (const auto& layer : manifest->layers) {
        if (!is_foreign(layer)) add_blob(layer);
      }
    }
    Descriptor planned = desc;
    planned.media_type = *type;
    plan_.manifests.push_back(PlannedManifest{std::move(planned), std::move(raw), index_child});
    return {};
  }

  void add_blob(const Descriptor& d) {
    if (blob_seen_.insert(d.digest).second) plan_.blobs.push_back(d);
  }

  Store& src_;
  const CopyOptions& options_;
  CopyPlan plan_;
  std::set<Digest> seen_;
  std::set<Digest> blob_seen_;
};

}  // namespace

Result<CopyPlan> plan_copy(Store& src, const Descriptor& root, const CopyOptions& options) {
  return Planner(src, options).run(root);
}

}  // namespace sigil::oci::detail
