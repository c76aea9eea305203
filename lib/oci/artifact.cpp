#include "oci/artifact.hpp"

#include <cerrno>
#include <cstdlib>

#include "common/json.hpp"
#include "oci/media_types.hpp"

namespace sigil::oci {
namespace {

using Ordered = nlohmann::ordered_json;

constexpr std::string_view kEmptyData = "e30=";  // base64 of "{}"

bool restricted_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '!' || c == '#' ||
         c == '$' || c == '&' || c == '-' || c == '^' || c == '_' || c == '.' || c == '+';
}

bool restricted_name(std::string_view s) {
  if (s.empty() || s.size() > 127) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9')))
    return false;
  for (char c : s) {
    if (!restricted_name_char(c)) return false;
  }
  return true;
}

Ordered annotations_json(const Annotations& annotations) {
  Ordered j = Ordered::object();
  for (const auto& [k, v] : annotations) j[k] = v;  // std::map: sorted, as Go marshals maps
  return j;
}

// go-containerregistry's v1.Descriptor member order: mediaType, size, digest, data, urls,
// annotations, platform, artifactType.
Ordered cosign_descriptor(const Descriptor& d) {
  Ordered j;
  j["mediaType"] = d.media_type;
  j["size"] = d.size;
  j["digest"] = d.digest.str();
  if (d.data) j["data"] = *d.data;
  if (!d.annotations.empty()) j["annotations"] = annotations_json(d.annotations);
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  return j;
}

// The image spec's descriptor order: mediaType, digest, size, data, annotations, artifactType.
Ordered oras_descriptor(const Descriptor& d) {
  Ordered j;
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest.str();
  j["size"] = d.size;
  if (d.data) j["data"] = *d.data;
  if (!d.annotations.empty()) j["annotations"] = annotations_json(d.annotations);
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  return j;
}

// The subject names the manifest only: platform, annotations and artifactType of the subject's
// own descriptor are not part of what a referrer points at.
Descriptor bare_subject(const Descriptor& subject) {
  Descriptor d;
  d.media_type = subject.media_type;
  d.digest = subject.digest;
  d.size = subject.size;
  return d;
}

std::string dump_ordered(const Ordered& j) {
  return j.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

}  // namespace

nlohmann::ordered_json descriptor_json(const Descriptor& descriptor, ManifestStyle style) {
  return style == ManifestStyle::cosign ? cosign_descriptor(descriptor) : oras_descriptor(descriptor);
}

Descriptor empty_descriptor(bool with_data) {
  Descriptor d = Descriptor::of(media_type::kEmptyJson, media_type::kOciEmpty);
  if (with_data) d.data = std::string(kEmptyData);
  return d;
}

bool is_media_type(std::string_view text) {
  auto semicolon = text.find(';');
  std::string_view essence = text.substr(0, semicolon);
  auto slash = essence.find('/');
  if (slash == std::string_view::npos) return false;
  if (!restricted_name(essence.substr(0, slash)) || !restricted_name(essence.substr(slash + 1))) return false;
  if (semicolon == std::string_view::npos) return true;
  // Parameters: printable ASCII without control characters; their grammar is the type's business.
  std::string_view params = text.substr(semicolon + 1);
  if (params.empty()) return false;
  for (char c : params) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::string serialize_artifact_manifest(const ArtifactManifest& manifest) {
  Ordered j;
  j["schemaVersion"] = 2;
  j["mediaType"] = media_type::kOciManifest;
  Descriptor subject = bare_subject(manifest.subject);
  Ordered layers = Ordered::array();
  if (manifest.style == ManifestStyle::cosign) {
    Descriptor config = empty_descriptor(false);
    config.artifact_type = manifest.artifact_type;
    j["config"] = cosign_descriptor(config);
    for (const auto& l : manifest.layers) layers.push_back(cosign_descriptor(l));
    j["layers"] = std::move(layers);
    if (!manifest.annotations.empty()) j["annotations"] = annotations_json(manifest.annotations);
    j["subject"] = cosign_descriptor(subject);
    j["artifactType"] = manifest.artifact_type;
  } else {
    j["artifactType"] = manifest.artifact_type;
    j["config"] = oras_descriptor(empty_descriptor(true));
    for (const auto& l : manifest.layers) layers.push_back(oras_descriptor(l));
    j["layers"] = std::move(layers);
    j["subject"] = oras_descriptor(subject);
    if (!manifest.annotations.empty()) j["annotations"] = annotations_json(manifest.annotations);
  }
  return dump_ordered(j);
}

Result<Descriptor> attach_artifact(Store& store, const Descriptor& subject, std::string_view artifact_type,
                                   const std::vector<ArtifactLayer>& layers, const Annotations& annotations,
                                   ManifestStyle style) {
  std::string what =
      "attach " + std::string(artifact_type) + " to " + subject.digest.str() + " in " + store.name();
  // Everything is checked before the first byte is pushed: bad input leaves the store unchanged.
  if (!is_media_type(artifact_type)) {
    return fail(ErrorCategory::input,
                what + ": artifact type \"" + std::string(artifact_type) + "\" is not a media type");
  }
  if (layers.empty()) return fail(ErrorCategory::input, what + ": an artifact needs at least one layer");
  if (subject.digest.empty() || subject.media_type.empty()) {
    return fail(ErrorCategory::input, what + ": the subject descriptor has no digest or media type");
  }
  ArtifactManifest manifest;
  manifest.artifact_type = artifact_type;
  manifest.subject = subject;
  manifest.annotations = annotations;
  manifest.style = style;
  for (const auto& layer : layers) {
    if (!is_media_type(layer.media_type)) {
      return fail(ErrorCategory::input,
                  what + ": layer media type \"" + layer.media_type + "\" is not a media type");
    }
    Descriptor d = Descriptor::of(layer.bytes, layer.media_type);
    d.annotations = layer.annotations;
    manifest.layers.push_back(std::move(d));
  }
  std::string raw = serialize_artifact_manifest(manifest);

  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (auto r = store.push_blob_bytes(manifest.layers[i], layers[i].bytes); !r) {
      return std::unexpected(r.error().with_context(what));
    }
  }
  if (auto r = store.push_blob_bytes(empty_descriptor(false), media_type::kEmptyJson); !r) {
    return std::unexpected(r.error().with_context(what));
  }
  auto pushed = store.push_manifest(raw, media_type::kOciManifest, std::nullopt);
  if (!pushed) return std::unexpected(pushed.error().with_context(what));
  return pushed;
}

std::string rfc3339_utc(std::time_t when) {
  std::tm tm{};
  ::gmtime_r(&when, &tm);
  char buffer[32];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buffer, n);
}

std::string creation_time() {
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
    char* end = nullptr;
    errno = 0;
    long long seconds = std::strtoll(epoch, &end, 10);
    if (errno == 0 && end != nullptr && *end == '\0' && seconds >= 0)
      return rfc3339_utc(static_cast<std::time_t>(seconds));
  }
  return rfc3339_utc(std::time(nullptr));
}

}  // namespace sigil::oci
