// OCI 1.1 artifacts that refer to a subject: the image manifest with an artifactType, the empty
// config and a subject descriptor that signatures, attestations and `attach artifact` push, so
// that referrers(subject) finds them (registry fallback tag included, see Store::push_manifest).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"
#include "oci/descriptor.hpp"
#include "oci/store.hpp"

namespace sigil::oci {

/// Annotation naming a file (oras writes the file name of each layer under it).
inline constexpr std::string_view kAnnotationTitle = "org.opencontainers.image.title";

/// The empty descriptor of OCI 1.1: application/vnd.oci.empty.v1+json over `{}` (sha256:44136fa3…,
/// size 2). `with_data` adds the bytes inline ("data": "e30="), as the image spec's guidance and
/// oras write it; cosign leaves it out.
[[nodiscard]] Descriptor empty_descriptor(bool with_data);

/// Who the manifest bytes imitate. Both are valid OCI 1.1 image manifests; only member order and
/// a few optional members differ, so that tools comparing bytes or layouts see what they expect.
enum class ManifestStyle {
  /// cosign v3 (go-containerregistry's v1.Manifest + artifactType): schemaVersion, mediaType,
  /// config, layers, annotations, subject, artifactType; descriptors as mediaType, size, digest;
  /// the config descriptor carries the artifactType and no data.
  cosign,
  /// oras / the image spec's examples: schemaVersion, mediaType, artifactType, config, layers,
  /// subject, annotations; descriptors as mediaType, digest, size; the config carries data "e30=".
  oras,
};

/// One layer of an artifact: its bytes and the descriptor fields written for it.
struct ArtifactLayer {
  std::string media_type;
  std::string bytes;
  Annotations annotations;
};

/// What an artifact manifest says.
struct ArtifactManifest {
  std::string artifact_type;       ///< required, a media type ("type/subtype")
  Descriptor subject;              ///< only mediaType, digest and size are written
  std::vector<Descriptor> layers;  ///< descriptors of the layer blobs, in order
  Annotations annotations;         ///< manifest annotations (may be empty)
  ManifestStyle style = ManifestStyle::oras;
};

/// A descriptor as JSON in the member order of `style` (see ManifestStyle; urls and platform are not
/// written).
[[nodiscard]] nlohmann::ordered_json descriptor_json(const Descriptor& descriptor, ManifestStyle style);

/// The manifest bytes (compact JSON, member order per `style`).
[[nodiscard]] std::string serialize_artifact_manifest(const ArtifactManifest& manifest);

/// True when `text` looks like a media type: "type/subtype" of RFC 6838 restricted-name characters,
/// optionally followed by ";parameters".
[[nodiscard]] bool is_media_type(std::string_view text);

/// Pushes the layer blobs, the empty config blob and then the manifest referring to `subject` with
/// `artifact_type` and `annotations`. Input error before anything is pushed for an artifact type or
/// layer media type that is not a media type, or no layers. Returns the manifest's descriptor as
/// push_manifest() returns it (artifactType and annotations copied).
[[nodiscard]] Result<Descriptor> attach_artifact(Store& store, const Descriptor& subject,
                                                 std::string_view artifact_type,
                                                 const std::vector<ArtifactLayer>& layers,
                                                 const Annotations& annotations,
                                                 ManifestStyle style = ManifestStyle::oras);

/// "2006-01-02T15:04:05Z" (RFC 3339, UTC, seconds) of `when`.
[[nodiscard]] std::string rfc3339_utc(std::time_t when);

/// The creation time written into org.opencontainers.image.created: SOURCE_DATE_EPOCH when it is
/// set to a valid number of seconds (reproducible builds), else the current time.
[[nodiscard]] std::string creation_time();

}  // namespace sigil::oci
