// Transparency-log entry verification (Rekor v1 and v2), in sigstore-go's order: the entry body
// matches the bundle, the SET verifies (v1), the RFC 6962 inclusion proof verifies, and its signed
// checkpoint verifies against the trusted log key. Returns facts; the caller decides what a
// verified integrated time is worth.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/json.hpp"
#include "sign/bundle.hpp"
#include "sign/trusted_root.hpp"

namespace sigil::sign {

/// Facts about one verified transparency-log entry.
struct TlogFacts {
  std::string log_id_hex;           ///< lower-case hex of the raw log id
  std::string base_url;             ///< of the trusted log that matched
  std::int64_t log_index = 0;
  std::string kind;                 ///< "hashedrekord", "dsse" or "intoto"
  std::string kind_version;         ///< "0.0.1", "0.0.2", ...
  bool rekor_v2 = false;            ///< entry from a Rekor v2 (tile) log: no SET, no integrated time
  /// The integrated time, set only when a SET (inclusionPromise) over it verified.
  std::optional<SigstoreTime> integrated_time;
  bool inclusion_proof_verified = false;
  /// DER certificate or SubjectPublicKeyInfo the entry records for the signature. For a bundle
  /// with a public key (which holds only a hint), the caller compares it with the key it verifies with.
  std::string entry_verifier_der;
};

/// Verifies one element of bundle.tlog_entries (protobuf JSON TransparencyLogEntry) against the
/// bundle it came from. `artifact_sha256_hex` is the artifact digest the caller established (for a
/// messageSignature without a recorded digest; "" otherwise). `now` bounds integrated times from the
/// future. Denied errors name the failed step: "tlog entry: log <id> is not trusted", "...body does
/// not match the bundle (<what>)", "...invalid signed entry timestamp", "...inclusion proof does not
/// match the checkpoint root", "...checkpoint signature does not verify", "...integrated time is in
/// the future", "...no inclusion proof" (required for v0.2+ bundles and for every Rekor v2 entry);
/// input errors for malformed members (negative logIndex, bad base64, bad body JSON).
[[nodiscard]] Result<TlogFacts> verify_tlog_entry(const nlohmann::ordered_json& entry, const Bundle& bundle,
                                                  std::string_view artifact_sha256_hex,
                                                  const TrustedRoot& root, SigstoreTime now);

}  // namespace sigil::sign
