// Image manifests, indexes and image configs. Each keeps the exact bytes it was parsed from:
// digests are always computed over those bytes, never over a re-serialization.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"
#include "oci/descriptor.hpp"

namespace sigil::oci {

/// An image manifest (OCI v1.1, or Docker schema 2 on read).
struct Manifest {
  std::string media_type;
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  Annotations annotations;
  std::string raw;  ///< bytes as received or written

  /// Parses and validates raw bytes (size-limited to limits::kMaxManifestBytes).
  [[nodiscard]] static Result<Manifest> parse(std::string raw, std::string_view what = "manifest");
  /// Serializes the fields into new bytes (OCI media type unless set), storing them in `raw`.
  [[nodiscard]] std::string serialize();
  /// Descriptor of `raw`, with artifactType and annotations copied (as referrers lists do).
  [[nodiscard]] Descriptor descriptor() const;
};

/// An image index (OCI) or Docker manifest list.
struct Index {
  std::string media_type;
  std::string artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  Annotations annotations;
  std::string raw;

  [[nodiscard]] static Result<Index> parse(std::string raw, std::string_view what = "index");
  [[nodiscard]] std::string serialize();
  [[nodiscard]] Descriptor descriptor() const;
};

/// Media type of a manifest or index from its bytes: the "mediaType" field, else inferred from
/// its shape ("manifests" → index, "layers"/"config" → manifest). Input error for anything else.
[[nodiscard]] Result<std::string> detect_manifest_media_type(std::string_view raw, std::string_view what);

/// The image config fields sigil reads; the full JSON stays in `json` and `raw`.
struct ImageConfig {
  std::string architecture;
  std::string os;
  std::string variant;
  std::string created;
  std::vector<Digest> diff_ids;
  Json json;
  std::string raw;

  [[nodiscard]] static Result<ImageConfig> parse(std::string raw, std::string_view what = "image config");
  [[nodiscard]] Platform platform() const;
};

}  // namespace sigil::oci
