// cosign's legacy signature storage: an image manifest tagged "sha256-<hex>.sig" whose layers are
// simple-signing payloads, each with its base64 signature in a layer annotation. New signatures
// are appended (read-modify-write of the tag), as cosign's mutate.AttachSignatureToEntity does.
#include <algorithm>
#include <utility>

#include "common/base64.hpp"
#include "common/limits.hpp"
#include "oci/artifact.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "sign/cosign_image.hpp"

namespace sigil::sign {
namespace {

using Ordered = nlohmann::ordered_json;

std::string dump(const Ordered& j) { return j.dump(-1, ' ', false, Ordered::error_handler_t::replace); }

// A missing tag is an input error from both stores (layout: not in index.json; registry: 404).
// Anything else (network, integrity) must stop the caller rather than look like "no signatures".
bool is_absent(const Error& error) { return error.category == ErrorCategory::input; }

// The image config go-containerregistry derives for cosign's signature image: an empty image
// with one history entry and one diff_id (the layer digest: the layers are not tarballs) per layer.
std::string signature_config(const std::vector<oci::Descriptor>& layers) {
  Ordered history = Ordered::array();
  Ordered diff_ids = Ordered::array();
  for (const auto& l : layers) {
    history.push_back(Ordered{{"created", "0001-01-01T00:00:00Z"}});
    diff_ids.push_back(l.digest.str());
  }
  Ordered j = Ordered::object();
  j["architecture"] = "";
  j["created"] = "0001-01-01T00:00:00Z";
  j["history"] = std::move(history);
  j["os"] = "";
  j["rootfs"] = Ordered{{"type", "layers"}, {"diff_ids", std::move(diff_ids)}};
  j["config"] = Ordered::object();
  return dump(j);
}

Result<std::optional<oci::Manifest>> read_tagged_manifest(oci::Store& store, const std::string& tag) {
  auto desc = store.resolve(tag);
  if (!desc) {
    if (is_absent(desc.error())) return std::optional<oci::Manifest>();
    return std::unexpected(desc.error());
  }
  auto raw = store.fetch_manifest(*desc);
  if (!raw) return std::unexpected(raw.error());
  auto manifest = oci::Manifest::parse(std::move(*raw), "manifest " + tag + " in " + store.name());
  if (!manifest) return std::unexpected(manifest.error());
  return std::optional<oci::Manifest>(std::move(*manifest));
}

}  // namespace

Result<oci::Descriptor> append_legacy_signature(oci::Store& store, const oci::Digest& image,
                                                std::string_view payload, std::string_view signature) {
  std::string tag = legacy_signature_tag(image);
  std::string what = "write " + tag + " to " + store.name();
  auto existing = read_tagged_manifest(store, tag);
  if (!existing) return std::unexpected(existing.error().with_context(what));

  oci::Descriptor layer = oci::Descriptor::of(payload, kSimpleSigningMediaType);
  layer.annotations[std::string(kCosignSignatureAnnotation)] = base64_encode(signature);
  std::vector<oci::Descriptor> layers;
  if (*existing) {
    layers = (*existing)->layers;
    bool present = std::any_of(layers.begin(), layers.end(), [&](const oci::Descriptor& l) {
      return l.digest == layer.digest && l.annotations == layer.annotations;
    });
    if (present) return (*existing)->descriptor();
  }
  layers.push_back(layer);

  std::string config = signature_config(layers);
  oci::Descriptor config_desc = oci::Descriptor::of(config, oci::media_type::kOciConfig);
  Ordered layers_json = Ordered::array();
  for (const auto& l : layers) layers_json.push_back(oci::descriptor_json(l, oci::ManifestStyle::cosign));
  Ordered manifest = Ordered::object();
  manifest["schemaVersion"] = 2;
  manifest["mediaType"] = oci::media_type::kOciManifest;
  manifest["config"] = oci::descriptor_json(config_desc, oci::ManifestStyle::cosign);
  manifest["layers"] = std::move(layers_json);

  if (auto r = store.push_blob_bytes(layer, payload); !r)
    return std::unexpected(r.error().with_context(what));
  if (auto r = store.push_blob_bytes(config_desc, config); !r)
    return std::unexpected(r.error().with_context(what));
  auto pushed = store.push_manifest(dump(manifest), oci::media_type::kOciManifest, tag);
  if (!pushed) return std::unexpected(pushed.error().with_context(what));
  return pushed;
}

Result<std::optional<std::vector<LegacyLayer>>> read_legacy_layers(oci::Store& store, const std::string& tag,
                                                                   std::size_t max_layers,
                                                                   std::size_t& total) {
  total = 0;
  auto manifest = read_tagged_manifest(store, tag);
  if (!manifest) return std::unexpected(manifest.error().with_context("read " + tag + " in " + store.name()));
  if (!*manifest) return std::optional<std::vector<LegacyLayer>>();
  total = (*manifest)->layers.size();
  std::vector<LegacyLayer> out;
  for (const auto& layer : (*manifest)->layers) {
    if (out.size() >= max_layers) break;
    LegacyLayer item;
    item.layer = layer;
    if (auto it = layer.annotations.find(std::string(kCosignSignatureAnnotation));
        it != layer.annotations.end()) {
      auto sig = base64_decode(it->second);
      if (sig) {
        item.signature = std::move(*sig);
      } else {
        item.problem = "signature annotation is not base64";
      }
    }
    auto bytes = store.fetch_blob_bytes(layer, limits::kMaxDsseEnvelopeBytes);
    if (!bytes) {
      if (bytes.error().category == ErrorCategory::network) {
        return std::unexpected(bytes.error().with_context("read " + tag + " in " + store.name()));
      }
      item.problem = bytes.error().message;
    } else {
      item.payload = std::move(*bytes);
    }
    out.push_back(std::move(item));
  }
  return std::optional<std::vector<LegacyLayer>>(std::move(out));
}

}  // namespace sigil::sign
