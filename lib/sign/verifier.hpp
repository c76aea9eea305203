// Bundle verification: takes a parsed bundle, what it must be about, trusted material and the
// identity it must come from, and returns facts or a denied error saying which step failed. The
// order is sigstore-go's: transparency-log entries, timestamps, certificate path at the verified
// times, SCTs, signature, identity.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "oci/digest.hpp"
#include "sign/bundle.hpp"
#include "sign/certificate.hpp"
#include "sign/keys.hpp"
#include "sign/statement.hpp"
#include "sign/timestamp.hpp"
#include "sign/tlog_verify.hpp"
#include "sign/trusted_root.hpp"

namespace sigil::sign {

/// Material a verifier trusts: plain keys (key-signed bundles) and a Sigstore trusted root (Fulcio
/// CAs, transparency logs, CT logs, timestamp authorities). A key-signed bundle's log entries and
/// timestamps are checked against the root when one is given.
struct TrustedMaterial {
  std::vector<PublicKey> keys;
  std::optional<TrustedRoot> root;
};

/// What a certificate-signed bundle must additionally satisfy.
struct VerificationPolicy {
  /// The signer's identity and issuer (cosign's --certificate-identity/--certificate-oidc-issuer
  /// family). A certificate bundle is refused when this is empty, unless allow_any_identity is set
  /// (for callers that judge Facts::certificate themselves, such as the policy engine).
  IdentityPolicy identity;
  bool allow_any_identity = false;
  /// The present, for refusing log entries from the future; the system clock when unset.
  std::optional<SigstoreTime> now;
};

/// What the bundle must be about. For a messageSignature: the artifact bytes when known (any key
/// type; a recorded messageDigest must match them), else only its digest, whose algorithm must be
/// the recorded one (Ed25519 refused: it signs the bytes themselves). For a DSSE envelope: the
/// payloadType must be in-toto and some subject must carry `digest` (computed as sha256 from `bytes`
/// when `digest` is empty). With neither bytes nor digest a DSSE envelope is checked for its
/// signature only (the caller inspects Facts::statement itself); a messageSignature is refused.
struct ArtifactRef {
  std::optional<std::string_view> bytes;
  oci::Digest digest;
};

/// Facts about a bundle that verified: the input to policy decisions and to printed results.
struct Facts {
  std::string key_id;           ///< hex SHA-256 of the SPKI DER of the key that verified
  std::string content;          ///< "dsse-envelope" or "message-signature"
  std::string payload_type;     ///< DSSE only
  std::string payload;          ///< DSSE only: the raw payload bytes that were signed
  std::optional<Statement> statement;  ///< DSSE with an in-toto payload
  bool transparency_logged = false;    ///< true when at least one log entry verified
  std::optional<CertificateFacts> certificate;  ///< certificate bundles: who signed (identity, issuer, extensions)
  std::vector<TlogFacts> tlog_entries;          ///< every verified log entry
  std::vector<TimestampFacts> timestamps;       ///< every verified RFC 3161 timestamp
  /// The earliest verified time the signature is known to have existed (SET integrated time or
  /// RFC 3161 time); unset for a key bundle with neither.
  std::optional<SigstoreTime> signed_at;
};

/// Verifies `bundle` about `artifact` against `trusted` and `policy`.
///
/// Key bundles: every trusted key is tried (the bundle's key hint is advisory). Log entries and
/// timestamps the bundle carries are verified when trusted.root is set (and must then verify); with
/// no root they are not checked and Facts::transparency_logged stays false.
/// Certificate bundles need trusted.root: at least one log entry must verify (Rekor v2 entries also
/// need an RFC 3161 timestamp), the leaf must chain to a trusted Fulcio CA at every verified time
/// (SET integrated times and timestamps), carry a valid embedded SCT, and match policy.identity.
/// A bundle-supplied chain that contains a self-signed (root) certificate is refused.
///
/// Denied errors ("verify bundle: <reason>") name the failed step:
/// "no trusted key verifies the signature (...)", "artifact digest does not match the bundle",
/// "statement has no subject with digest sha256:…", "payload type \"…\" is not in-toto",
/// "signed payload is not a valid statement: …", "no verified transparency-log entry",
/// "Rekor v2 entry without a verified RFC 3161 timestamp", "the certificate's key does not verify the signature (...)".
/// Input errors: a key bundle with no trusted key, an unsupported messageDigest algorithm, a digest of another algorithm than the recorded one,
/// digest-only verification with an Ed25519 key; a certificate bundle without a trusted root or
/// without an identity policy. Errors of the tlog, certificate and timestamp verifiers pass through.
[[nodiscard]] Result<Facts> verify_bundle(const Bundle& bundle, const ArtifactRef& artifact,
                                          const TrustedMaterial& trusted, const VerificationPolicy& policy = {});

}  // namespace sigil::sign
