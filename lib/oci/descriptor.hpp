// Descriptors and platforms: the pointers every manifest and index is made of.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"
#include "oci/digest.hpp"

namespace sigil::oci {

using Annotations = std::map<std::string, std::string>;

/// Well-known annotation keys.
inline constexpr std::string_view kAnnotationRefName = "org.opencontainers.image.ref.name";
inline constexpr std::string_view kAnnotationCreated = "org.opencontainers.image.created";

/// An image platform ("linux/arm64/v8").
struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string os_version;
  std::vector<std::string> os_features;

  /// Parses "os/arch[/variant]"; input error otherwise.
  [[nodiscard]] static Result<Platform> parse(std::string_view text);
  [[nodiscard]] static Result<Platform> from_json(const Json& j, std::string_view what);
  [[nodiscard]] Json to_json() const;
  /// "os/arch[/variant]".
  [[nodiscard]] std::string str() const;
  /// True when os and architecture are equal and, if `want` names a variant, the variant too.
  [[nodiscard]] bool satisfies(const Platform& want) const;

  friend bool operator==(const Platform&, const Platform&) = default;
};

/// A content descriptor (OCI image-spec descriptor.md).
struct Descriptor {
  std::string media_type;
  Digest digest;
  std::int64_t size = 0;
  std::vector<std::string> urls;
  Annotations annotations;
  std::optional<std::string> data;  ///< base64 as in the JSON
  std::optional<Platform> platform;
  std::string artifact_type;

  /// Validates required fields (mediaType, digest, size >= 0) and types; `what` names the input.
  [[nodiscard]] static Result<Descriptor> from_json(const Json& j, std::string_view what);
  [[nodiscard]] Json to_json() const;
  /// Descriptor of bytes with the given media type.
  [[nodiscard]] static Descriptor of(std::string_view bytes, std::string_view media_type);

  friend bool operator==(const Descriptor&, const Descriptor&) = default;
};

/// Reads an optional "annotations" object of string values.
[[nodiscard]] Result<Annotations> annotations_from_json(const Json& j, std::string_view what);

}  // namespace sigil::oci
