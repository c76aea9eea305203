// SBOM output formats named as syft names them: "cyclonedx-json" (CycloneDX 1.6; "@1.5" and
// "@1.7" on request) and "spdx-json" (SPDX 2.3). Encoding is deterministic: the same inventory,
// options and timestamp give the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "sbom/model.hpp"

namespace sigil::sbom {

/// A parsed format name.
struct Format {
  enum class Kind { cyclonedx_json, spdx_json };
  Kind kind = Kind::cyclonedx_json;
  std::string version;  ///< "1.6" / "2.3"

  /// "cyclonedx-json@1.6".
  [[nodiscard]] std::string name() const;
  /// Media type of the document (application/vnd.cyclonedx+json, application/spdx+json).
  [[nodiscard]] std::string_view media_type() const;
};

/// Parses "cyclonedx-json[@1.5|1.6|1.7]" or "spdx-json[@2.3]"; usage error otherwise.
[[nodiscard]] Result<Format> parse_format(std::string_view text);

/// What the writers need besides the inventory.
struct EncodeOptions {
  std::string tool_name = "sigil";
  std::string tool_version = SIGIL_VERSION;
  std::int64_t timestamp = 0;  ///< seconds since the epoch (SOURCE_DATE_EPOCH or now)
};

/// Encodes `inventory` (finalized) in `format`; internal error if the result fails our own
/// consistency checks (SPDX references, ids).
[[nodiscard]] Result<std::string> encode(const Inventory& inventory, const Format& format, const EncodeOptions& options);

/// "2024-05-01T12:00:00Z".
[[nodiscard]] std::string rfc3339_utc(std::int64_t seconds);

/// Name-based UUID (version 5, RFC 9562) of `name` in the URL namespace, lower-case text form.
[[nodiscard]] std::string uuid_v5(std::string_view name);

/// The subject's digest: the image manifest digest, or for a directory a sha256 over its name
/// and the identities of what was found in it (stable per content).
[[nodiscard]] std::string subject_digest(const Inventory& inventory);

/// The UUID that names one document: uuid_v5 of (subject digest, format, tool version).
[[nodiscard]] std::string document_uuid(const Inventory& inventory, const Format& format, const EncodeOptions& options);

}  // namespace sigil::sbom
