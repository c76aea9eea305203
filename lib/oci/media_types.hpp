// Media types of the OCI image spec, Docker schema 2 and the artifacts sigil stores.
#pragma once

#include <string_view>

namespace sigil::oci::media_type {

inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayerTar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kOciEmpty = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view kOciLayoutHeader = "application/vnd.oci.layout.header.v1+json";

inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/// The empty JSON blob `{}` used as config of artifacts (OCI 1.1).
inline constexpr std::string_view kEmptyJson = "{}";
inline constexpr std::string_view kEmptyJsonDigest =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/// True for image manifests (OCI or Docker schema 2).
[[nodiscard]] constexpr bool is_manifest(std::string_view mt) { return mt == kOciManifest || mt == kDockerManifest; }
/// True for indexes (OCI index or Docker manifest list).
[[nodiscard]] constexpr bool is_index(std::string_view mt) { return mt == kOciIndex || mt == kDockerManifestList; }

}  // namespace sigil::oci::media_type
