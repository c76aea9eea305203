// Rekor entry bodies (the canonicalizedBody of a TransparencyLogEntry) and whether one describes a
// given bundle. Kinds: hashedrekord v0.0.1, dsse v0.0.1, intoto v0.0.2 (Rekor v1, OpenAPI JSON) and
// hashedrekord v0.0.2, dsse v0.0.2 (Rekor v2, protobuf JSON).
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "sign/bundle.hpp"

namespace sigil::sign::detail {

/// What an entry body commits to, decoded.
struct RekorBody {
  std::string kind;         ///< "hashedrekord", "dsse", "intoto"
  std::string api_version;  ///< "0.0.1", "0.0.2"
  bool rekor_v2 = false;
  std::string signature;                 ///< raw bytes of the (first) signature
  std::string verifier_der;              ///< DER certificate or SubjectPublicKeyInfo of that signature
  bool verifier_is_certificate = false;
  std::string key_details;               ///< Rekor v2 verifier keyDetails; "" for v1
  std::string hash_algorithm;            ///< of `digest` / `payload_hash`: "sha256", "sha384", "sha512"
  std::string digest;                    ///< hashedrekord: raw digest of the signed data
  std::string payload_hash;              ///< dsse / intoto: raw hash of the envelope payload
};

/// Decodes a body. Input error "entry body: <problem>" for bad JSON, an unsupported kind or
/// version, a missing or ill-typed member, bad base64/hex or PEM.
[[nodiscard]] Result<RekorBody> parse_rekor_body(std::string_view canonicalized_body);

/// Whether `body` describes `bundle`, with sigstore-go's comparisons: the same signature bytes, the
/// same certificate (or a public key when the bundle names a key), and the same content (message
/// digest of the bundle or the artifact digest the caller computed; the envelope payload hash for
/// dsse/intoto; the hash of the envelope's PAE for Rekor v2 hashedrekord over DSSE). Denied error
/// "body does not match the bundle (<what>)".
[[nodiscard]] Result<void> match_rekor_body(const RekorBody& body, const Bundle& bundle,
                                            std::string_view artifact_sha256_hex);

}  // namespace sigil::sign::detail
