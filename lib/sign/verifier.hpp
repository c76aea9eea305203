// Bundle verification: takes a parsed bundle, what it must be about, and trusted material, and
// returns facts or a denied error saying which step failed. Keys only for now; the keyless issue
// adds certificate authorities, transparency logs and timestamp authorities to TrustedMaterial and
// their checks before the signature step, with the same result type.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "oci/digest.hpp"
#include "sign/bundle.hpp"
#include "sign/keys.hpp"
#include "sign/statement.hpp"

namespace sigil::sign {

/// Material a verifier trusts.
struct TrustedMaterial {
  std::vector<PublicKey> keys;
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
  bool transparency_logged = false;    ///< true only once a log entry has been verified (keyless issue)
};

/// Verifies `bundle` about `artifact` against `trusted` (every key is tried; the bundle's key hint is
/// advisory). Denied errors ("verify bundle: <reason>") name the failed step:
/// "no trusted key verifies the signature (...)", "artifact digest does not match the bundle",
/// "statement has no subject with digest sha256:…", "payload type \"…\" is not in-toto",
/// "signed payload is not a valid statement: …". Input errors: certificate-based bundles
/// ("... need a trusted root (keyless verification is not implemented yet)"), no trusted key, an
/// unsupported messageDigest algorithm, a digest of another algorithm than the recorded one,
/// digest-only verification with an Ed25519 key. Transparency-log entries are not checked yet.
[[nodiscard]] Result<Facts> verify_bundle(const Bundle& bundle, const ArtifactRef& artifact,
                                          const TrustedMaterial& trusted);

}  // namespace sigil::sign
