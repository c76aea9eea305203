// Sigstore bundle (protobuf-specs Bundle, media types v0.1 to v0.3) parsing and serialization.
// Structure only: whether a bundle is trustworthy is decided by the verification policy elsewhere.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"
#include "sign/dsse.hpp"

namespace sigil::sign {

/// Bundle format version named by the media type.
enum class BundleVersion { v0_1, v0_2, v0_3 };

/// "application/vnd.dev.sigstore.bundle.v0.3+json" (the spelling cosign v3 writes).
inline constexpr std::string_view kBundleMediaTypeV03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// Version for a bundle media type, accepting "...bundle+json;version=0.N" and "...bundle.v0.N+json";
/// input error for anything else.
[[nodiscard]] Result<BundleVersion> bundle_version(std::string_view media_type);

/// messageSignature: a signature over an artifact, with the artifact digest when present.
struct MessageSignature {
  std::string digest_algorithm;  ///< protobuf HashAlgorithm name ("SHA2_256"); "" when no digest given
  std::string digest;            ///< raw digest bytes
  std::string signature;         ///< raw signature bytes
};

/// What identifies the signer in verificationMaterial (exactly one is present).
enum class MaterialKind { public_key, certificate_chain, certificate };

struct Bundle {
  std::string media_type;
  BundleVersion version = BundleVersion::v0_3;
  MaterialKind material = MaterialKind::public_key;
  std::string public_key_hint;                 ///< for MaterialKind::public_key; may be ""
  std::vector<std::string> certificate_chain;  ///< raw DER, leaf first (certificate_chain)
  std::string certificate;                     ///< raw DER leaf (certificate)
  /// Kept as JSON, in document order, for the transparency-log and timestamp verifiers.
  nlohmann::ordered_json tlog_entries = nlohmann::ordered_json::array();
  nlohmann::ordered_json timestamp_verification_data;  ///< null when absent
  std::variant<MessageSignature, Envelope> content;
};

/// Parses bundle JSON (at most limits::kMaxBundleBytes). Input error for malformed JSON, an unknown
/// media type, missing or ill-typed fields, bad base64, an empty certificate chain, or no content.
[[nodiscard]] Result<Bundle> parse_bundle(std::string_view json);

/// Serializes as sigstore-go/cosign write bundles (protobuf JSON): camelCase names in field order,
/// standard base64 for bytes, empty optional members left out.
[[nodiscard]] std::string serialize_bundle(const Bundle& bundle);

}  // namespace sigil::sign
