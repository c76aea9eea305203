// Checks one parsed RFC 3161 token against one trusted timestamp authority, with sigstore-go's
// rules. Private to timestamp.cpp.
#pragma once

#include <string>

#include "sign/detail/timestamp_token.hpp"
#include "sign/trusted_root.hpp"

namespace sigil::sign::detail {

/// How far a token got with one authority, from worst to best (the verifier reports the best).
enum class AuthorityOutcome {
  untrusted,         ///< signer not found, not the authority's certificate, or no path to its root
  bad_signature,     ///< the path is trusted but the CMS signature (or ESS binding) does not verify
  cert_outside,      ///< a certificate of the path does not contain genTime
  window_outside,    ///< everything verifies but genTime lies outside the authority's validFor
  verified,
};

struct AuthorityCheck {
  AuthorityOutcome outcome = AuthorityOutcome::untrusted;
  std::string detail;  ///< one line, for the error message (empty when verified)
};

/// Verifies `token` against `authority`: the signer (found among the token's certificates, then
/// the authority's) must be the authority's leaf when its chain starts with a non-CA certificate,
/// must chain to the authority's last certificate (the only anchor; the token's certificates and
/// the authority's others are intermediates candidates) with every certificate valid at genTime
/// and the leaf restricted to a critical timeStamping EKU; the CMS signature and its ESS
/// signing-certificate attribute must verify (OpenSSL's TS_RESP_verify_signature), and
/// authority.valid_for must contain genTime (end inclusive).
[[nodiscard]] AuthorityCheck check_authority(const TimestampToken& token, const CertificateAuthority& authority);

}  // namespace sigil::sign::detail
