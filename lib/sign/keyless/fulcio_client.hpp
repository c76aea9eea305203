// Fulcio's v2 signing-certificate API (POST <fulcio>/api/v2/signingCert): an OIDC token and a
// public key with its proof of possession in, a short-lived code-signing certificate chain out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/http.hpp"
#include "sign/keyless/identity_token.hpp"
#include "sign/keys.hpp"

namespace sigil::sign::keyless {

/// What Fulcio issued.
struct FulcioCertificate {
  std::vector<std::string> chain_der;  ///< leaf first, then intermediates and root, DER
  bool embedded_sct = true;            ///< false when Fulcio answered with a detached SCT
};

/// The request body: credentials.oidcIdentityToken, publicKeyRequest.publicKey {algorithm, content
/// = PEM} and proofOfPossession = base64 of `key`'s signature over token.challenge().
[[nodiscard]] Result<std::string> signing_cert_request_body(const IdentityToken& token, const PrivateKey& key);

/// Parses Fulcio's answer (signedCertificateEmbeddedSct or signedCertificateDetachedSct, each with
/// chain.certificates as PEM strings). Network error naming the problem for anything malformed.
[[nodiscard]] Result<FulcioCertificate> parse_signing_cert_response(std::string_view body);

/// Requests a certificate for `key` from the Fulcio at `fulcio_url` (base URL) and checks that the
/// leaf certifies that key. Network error for transport failures, HTTP errors (the message carries
/// the status and the start of Fulcio's answer) and malformed answers.
[[nodiscard]] Result<FulcioCertificate> request_signing_certificate(http::Client& client, std::string_view fulcio_url,
                                                                    const IdentityToken& token, const PrivateKey& key);

}  // namespace sigil::sign::keyless
