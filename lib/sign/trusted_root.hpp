// Sigstore trusted material: trusted_root.json (dev.sigstore.trustedroot.v0.1+json) as data.
// Parsing only; the tlog, certificate and timestamp verifiers take a TrustedRoot and decide.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "sign/keys.hpp"

namespace sigil::sign {

/// Seconds since the Unix epoch, UTC (the resolution of every Sigstore time).
using SigstoreTime = std::chrono::sys_seconds;

/// A validity window from the trusted root. Both ends are inclusive (sigstore-go treats `end` as
/// still valid); a missing end means "still valid". A missing start is refused at parse time for
/// transparency logs and CT logs, and means "always" for authorities.
struct ValidityWindow {
  std::optional<SigstoreTime> start;
  std::optional<SigstoreTime> end;
  [[nodiscard]] bool contains(SigstoreTime t) const {
    return (!start || *start <= t) && (!end || t <= *end);
  }
};

/// A Fulcio certificate authority or an RFC 3161 timestamp authority.
struct CertificateAuthority {
  std::string uri;
  std::string subject_organization;
  std::string subject_common_name;
  /// DER certificates in file order: the issuing certificate first, the root last.
  std::vector<std::string> chain_der;
  ValidityWindow valid_for;
};

/// A transparency log (Rekor v1 or v2) or a certificate-transparency log.
struct TransparencyLog {
  std::string base_url;        ///< "https://rekor.sigstore.dev"
  std::string hash_algorithm;  ///< "SHA2_256"
  std::string key_details;     ///< protobuf PublicKeyDetails name, e.g. "PKIX_ECDSA_P256_SHA_256", "PKIX_ED25519"
  std::string public_key_der;  ///< DER SubjectPublicKeyInfo as in the file
  /// The loaded key; shared so that a TrustedRoot can be copied.
  std::shared_ptr<const PublicKey> public_key;
  std::string log_id;          ///< raw logId.keyId bytes (SHA-256 of the SPKI for v1 logs)
  ValidityWindow valid_for;
};

/// Everything a Sigstore verifier trusts.
struct TrustedRoot {
  std::string media_type;
  std::vector<TransparencyLog> tlogs;
  std::vector<CertificateAuthority> certificate_authorities;
  std::vector<TransparencyLog> ctlogs;
  std::vector<CertificateAuthority> timestamp_authorities;

  /// The tlog (or CT log) whose log_id equals `log_id` (raw bytes); nullptr when none.
  [[nodiscard]] const TransparencyLog* find_tlog(std::string_view log_id) const;
  [[nodiscard]] const TransparencyLog* find_ctlog(std::string_view log_id) const;
};

/// Parses trusted_root.json (media types "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
/// and "application/vnd.dev.sigstore.trustedroot.v0.2+json"). Input error, naming the member, for
/// malformed JSON, bad base64, a key or certificate that does not load, a tlog/ctlog without
/// validFor.start, or an unknown media type. At most limits::kMaxBundleBytes.
[[nodiscard]] Result<TrustedRoot> parse_trusted_root(std::string_view json);

/// RFC 3339 UTC time as Sigstore writes it ("2021-01-12T11:53:27Z", optional fractional seconds,
/// truncated). Input error otherwise.
[[nodiscard]] Result<SigstoreTime> parse_sigstore_time(std::string_view text);

/// Loads a DER SubjectPublicKeyInfo of an accepted algorithm (ECDSA P-256/P-384, Ed25519, RSA).
[[nodiscard]] Result<PublicKey> public_key_from_der(std::string_view der);

}  // namespace sigil::sign
