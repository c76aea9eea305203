#include "build/image/base_image.hpp"

#include "build/image/platform.hpp"
#include "common/limits.hpp"
#include "oci/copy.hpp"
#include "oci/media_types.hpp"

namespace sigil::build {

Result<BaseResolver::Root> BaseResolver::root(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (auto it = roots_.find(name); it != roots_.end()) return it->second;
  auto ref = oci::Reference::parse(name);
  if (!ref) return std::unexpected(ref.error().with_context("base image"));
  auto store = oci::open_store(*ref, options_);
  if (!store) return std::unexpected(store.error().with_context("base image " + std::string(name)));
  std::shared_ptr<oci::Store> shared(std::move(*store));
  auto desc = shared->resolve(ref->identifier());
  if (!desc) return std::unexpected(desc.error().with_context("resolve base image " + std::string(name)));
  auto raw = shared->fetch_manifest(*desc);
  if (!raw) return std::unexpected(raw.error().with_context("base image " + std::string(name)));
  Root r{ref->with_digest(desc->digest), shared, *desc, std::move(*raw)};
  roots_.emplace(std::string(name), r);
  return r;
}

Result<BaseImage> BaseResolver::resolve(std::string_view name, const oci::Platform& platform) {
  auto r = root(name);
  if (!r) return std::unexpected(r.error());
  std::string what = "base image " + std::string(name);
  auto type = oci::detect_manifest_media_type(r->raw, what);
  if (!type) return std::unexpected(type.error());
  oci::Descriptor manifest_desc = r->descriptor;
  std::string manifest_raw = r->raw;
  if (oci::media_type::is_index(*type)) {
    auto index = oci::Index::parse(r->raw, what);
    if (!index) return std::unexpected(index.error());
    // Index entries are normalized too, so "arm64/v8" in an index matches "linux/arm64".
    for (auto& d : index->manifests) {
      if (d.platform) d.platform = normalize_platform(*d.platform);
    }
    auto pick = oci::select_platform(*index, normalize_platform(platform), what);
    if (!pick) return std::unexpected(pick.error());
    manifest_desc = *pick;
    auto child = r->store->fetch_manifest(manifest_desc);
    if (!child) return std::unexpected(child.error().with_context(what));
    manifest_raw = std::move(*child);
  } else if (!oci::media_type::is_manifest(*type)) {
    return fail(ErrorCategory::input, what + ": " + *type + " is not an image");
  }
  auto manifest = oci::Manifest::parse(std::move(manifest_raw), what);
  if (!manifest) return std::unexpected(manifest.error());
  auto config_raw = r->store->fetch_blob_bytes(manifest->config, limits::kMaxConfigBytes);
  if (!config_raw) return std::unexpected(config_raw.error().with_context(what + " config"));
  auto config = oci::ImageConfig::parse(std::move(*config_raw), what + " config");
  if (!config) return std::unexpected(config.error());
  if (config->diff_ids.size() != manifest->layers.size()) {
    return fail(ErrorCategory::input, what + ": config lists " + std::to_string(config->diff_ids.size()) +
                                          " diff_ids for " + std::to_string(manifest->layers.size()) + " layers");
  }
  // A single-platform image of another platform is refused, as BuildKit does.
  auto have = normalize_platform(config->platform());
  if (!have.os.empty() && !have.architecture.empty() && !have.satisfies(normalize_platform(platform)) &&
      !oci::media_type::is_index(*type)) {
    return fail(ErrorCategory::input, what + ": image is " + format_platform(have) + ", not " +
                                          format_platform(platform));
  }
  auto state = state_from_config(*config, what + " config");
  if (!state) return std::unexpected(state.error());
  BaseImage b;
  b.name = std::string(name);
  b.reference = r->reference;
  b.store = r->store;
  b.manifest = manifest_desc;
  b.layers = manifest->layers;
  b.config = std::move(*config);
  b.state = std::move(*state);
  return b;
}

}  // namespace sigil::build
