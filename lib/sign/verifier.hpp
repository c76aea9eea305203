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
/// type), else only its digest (Ed25519 refused). For a DSSE envelope of an in-toto statement: some
/// subject must carry `digest`.
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

/// Verifies `bundle` about `artifact` against `trusted`. Denied errors name the failed step:
/// "no trusted key verifies the signature", "artifact digest does not match the bundle",
/// "statement has no subject with digest sha256:…", "payload type is not in-toto" (when a statement is
/// required). Input error for a bundle whose verification material cannot be used with keys.
[[nodiscard]] Result<Facts> verify_bundle(const Bundle& bundle, const ArtifactRef& artifact,
                                          const TrustedMaterial& trusted);

}  // namespace sigil::sign
