// Keyless signing: an ephemeral ECDSA P-256 key held only in memory, certified by Fulcio for an OIDC
// identity, signs; the finished bundle is then logged in Rekor and optionally timestamped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/http.hpp"
#include "sign/bundle.hpp"
#include "sign/keyless/identity_token.hpp"
#include "sign/signer.hpp"

namespace sigil::sign::keyless {

/// A Signer whose key lives as long as the object and never touches disk. Each sign() returns
/// SignedBytes with MaterialKind::certificate and the Fulcio chain (leaf first).
class KeylessSigner final : public Signer {
 public:
  /// Generates the ephemeral key and obtains its certificate from the Fulcio at `fulcio_url` for
  /// `token` (see request_signing_certificate for the errors).
  [[nodiscard]] static Result<std::unique_ptr<KeylessSigner>> create(http::Client& client, std::string_view fulcio_url,
                                                                     const IdentityToken& token);

  Result<SignedBytes> sign(std::string_view message) override;

  /// The Fulcio chain, leaf first (DER).
  [[nodiscard]] const std::vector<std::string>& certificate_chain() const { return chain_; }

 private:
  KeylessSigner(PrivateKey key, std::vector<std::string> chain);
  PrivateKey key_;
  std::vector<std::string> chain_;
};

/// Where a signed bundle goes to be completed.
struct CompletionEndpoints {
  std::string rekor_url;  ///< Rekor v1 base URL; required
  std::string tsa_url;    ///< RFC 3161 timestamp URL; "" for no timestamp
};

/// Completes a freshly signed keyless bundle: timestamps its signature at the TSA (when tsa_url is
/// set: timestamp_verification_data.rfc3161Timestamps[0].signedTimestamp) and logs it in Rekor
/// (hashedrekord for messageSignature, dsse for DSSE; tlog_entries[0] with inclusion proof,
/// checkpoint and SET). The bundle is changed only when both succeed. Network errors from the
/// services; input error for a bundle without certificate.
[[nodiscard]] Result<void> complete_bundle(http::Client& client, Bundle& bundle, const CompletionEndpoints& endpoints);

}  // namespace sigil::sign::keyless
