#include "sign/keyless/keyless_signer.hpp"

#include <utility>

#include "common/base64.hpp"
#include "sign/keyless/fulcio_client.hpp"
#include "sign/keyless/rekor_client.hpp"
#include "sign/keyless/tsa_client.hpp"
#include "sign/signature.hpp"

namespace sigil::sign::keyless {

KeylessSigner::KeylessSigner(PrivateKey key, std::vector<std::string> chain)
    : key_(std::move(key)), chain_(std::move(chain)) {}

Result<std::unique_ptr<KeylessSigner>> KeylessSigner::create(http::Client& client, std::string_view fulcio_url,
                                                             const IdentityToken& token) {
  // P-256 with SHA-256: what Fulcio certifies by default and every Sigstore verifier accepts.
  auto key = generate_private_key(KeyAlgorithm::ecdsa_p256);
  if (!key) return std::unexpected(std::move(key.error()).with_context("ephemeral key"));
  auto certificate = request_signing_certificate(client, fulcio_url, token, *key);
  if (!certificate) return std::unexpected(std::move(certificate.error()));
  return std::unique_ptr<KeylessSigner>(new KeylessSigner(std::move(*key), std::move(certificate->chain_der)));
}

Result<SignedBytes> KeylessSigner::sign(std::string_view message) {
  auto signature = sign_message(key_.get(), message);
  if (!signature) return std::unexpected(std::move(signature.error()));
  SignedBytes out;
  out.signature = std::move(*signature);
  out.material = MaterialKind::certificate;
  out.certificate_chain = chain_;
  out.digest_algorithm = oci::DigestAlgorithm::sha256;
  return out;
}

Result<void> complete_bundle(http::Client& client, Bundle& bundle, const CompletionEndpoints& endpoints) {
  if (endpoints.rekor_url.empty()) return fail(ErrorCategory::usage, "no Rekor URL to log the signature in");
  auto entry = proposed_entry(bundle);
  if (!entry) return std::unexpected(std::move(entry.error()));

  nlohmann::ordered_json timestamps;
  if (!endpoints.tsa_url.empty()) {
    const std::string& signature = std::holds_alternative<MessageSignature>(bundle.content)
                                       ? std::get<MessageSignature>(bundle.content).signature
                                       : std::get<Envelope>(bundle.content).signatures.front().sig;
    auto timestamp = request_timestamp(client, endpoints.tsa_url, signature);
    if (!timestamp) return std::unexpected(std::move(timestamp.error()));
    nlohmann::ordered_json one;
    one["signedTimestamp"] = base64_encode(*timestamp);
    timestamps["rfc3161Timestamps"] = nlohmann::ordered_json::array({std::move(one)});
  }
  auto logged = create_log_entry(client, endpoints.rekor_url, *entry);
  if (!logged) return std::unexpected(std::move(logged.error()));
  bundle.tlog_entries = nlohmann::ordered_json::array({std::move(*logged)});
  if (!timestamps.is_null()) bundle.timestamp_verification_data = std::move(timestamps);
  return {};
}

}  // namespace sigil::sign::keyless
