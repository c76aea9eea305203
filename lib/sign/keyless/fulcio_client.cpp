#include "sign/keyless/fulcio_client.hpp"

#include <openssl/x509.h>

#include <utility>

#include "common/base64.hpp"
#include "common/json.hpp"
#include "common/openssl_ptr.hpp"
#include "sign/keyless/detail/form.hpp"
#include "sign/keyless/detail/pem.hpp"
#include "sign/signature.hpp"

namespace sigil::sign::keyless {
namespace {

constexpr std::string_view kWhat = "Fulcio";

Error network(const std::string& problem) { return Error{ErrorCategory::network, std::string(kWhat) + ": " + problem}; }

std::string_view algorithm_field(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::ed25519: return "ED25519";
    case KeyAlgorithm::rsa: return "RSA";
    case KeyAlgorithm::ecdsa_p256:
    case KeyAlgorithm::ecdsa_p384: break;
  }
  return "ECDSA";
}

}  // namespace

Result<std::string> signing_cert_request_body(const IdentityToken& token, const PrivateKey& key) {
  auto proof = sign_message(key.get(), token.challenge());
  if (!proof) return std::unexpected(std::move(proof.error()).with_context("Fulcio proof of possession"));
  Json body = {
      {"credentials", {{"oidcIdentityToken", std::string(token.raw.reveal())}}},
      {"publicKeyRequest",
       {{"publicKey", {{"algorithm", std::string(algorithm_field(key.algorithm()))}, {"content", key.public_key().to_pem()}}},
        {"proofOfPossession", base64_encode(*proof)}}}};
  return dump_json(body);
}

Result<FulcioCertificate> parse_signing_cert_response(std::string_view body) {
  auto document = parse_json(body, "Fulcio answer");
  if (!document) return std::unexpected(network("answer is not JSON"));
  if (!document->is_object()) return std::unexpected(network("answer is not a JSON object"));
  FulcioCertificate out;
  const Json* signed_certificate = nullptr;
  if (const auto it = document->find("signedCertificateEmbeddedSct"); it != document->end()) {
    signed_certificate = &*it;
  } else if (const auto detached = document->find("signedCertificateDetachedSct"); detached != document->end()) {
    signed_certificate = &*detached;
    out.embedded_sct = false;
  }
  if (signed_certificate == nullptr || !signed_certificate->is_object()) {
    return std::unexpected(network("answer has no signedCertificateEmbeddedSct or signedCertificateDetachedSct"));
  }
  const auto chain = signed_certificate->find("chain");
  const Json* certificates = nullptr;
  if (chain != signed_certificate->end() && chain->is_object()) {
    if (const auto it = chain->find("certificates"); it != chain->end()) certificates = &*it;
  }
  if (certificates == nullptr || !certificates->is_array() || certificates->empty()) {
    return std::unexpected(network("answer has no certificate chain"));
  }
  for (const Json& pem : *certificates) {
    if (!pem.is_string()) return std::unexpected(network("a chain certificate is not a PEM string"));
    auto der = detail::certificates_from_pem(pem.get_ref<const std::string&>());
    if (!der) return std::unexpected(network("a chain certificate is not a PEM certificate"));
    for (auto& one : *der) out.chain_der.push_back(std::move(one));
  }
  return out;
}

Result<FulcioCertificate> request_signing_certificate(http::Client& client, std::string_view fulcio_url,
                                                      const IdentityToken& token, const PrivateKey& key) {
  auto body = signing_cert_request_body(token, key);
  if (!body) return std::unexpected(std::move(body.error()));
  std::string url(fulcio_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/api/v2/signingCert";
  http::Request request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  request.body = std::move(*body);
  auto response = client.send(request);
  if (!response) return std::unexpected(std::move(response.error()).with_context(kWhat));
  if (response->status < 200 || response->status > 299) {
    return std::unexpected(network("POST " + url + ": HTTP " + std::to_string(response->status) + ": " +
                                   detail::excerpt(response->body)));
  }
  auto certificate = parse_signing_cert_response(response->body);
  if (!certificate) return std::unexpected(std::move(certificate.error()));

  // Fulcio must have certified our key, not another one.
  const std::string& leaf = certificate->chain_der.front();
  const auto* bytes = reinterpret_cast<const unsigned char*>(leaf.data());
  X509Ptr x509(d2i_X509(nullptr, &bytes, static_cast<long>(leaf.size())));
  if (!x509) return std::unexpected(network("the issued certificate is not DER X.509"));
  if (EVP_PKEY_eq(X509_get0_pubkey(x509.get()), key.get()) != 1) {
    return std::unexpected(network("the issued certificate is for another public key"));
  }
  return certificate;
}

}  // namespace sigil::sign::keyless
