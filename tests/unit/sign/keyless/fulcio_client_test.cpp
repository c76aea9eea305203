// Fulcio v2 client against a stub Fulcio that checks the request as Fulcio does (token, PEM key,
// proof of possession over the token's subject) and issues a real certificate for the key.
#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"
#include "common/openssl_ptr.hpp"
#include "sign/keyless/fulcio_client.hpp"
#include "sign/signature.hpp"
#include "support/http_stub.hpp"
#include "support/sigstore_mock.hpp"

namespace sigil::sign::keyless {
namespace {

using test::HttpStub;
using test::StubRequest;
using test::StubResponse;

SigstoreTime now() { return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()); }

std::string pem_of(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), certificate);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

// A certificate for `subject_key` signed by `issuer_key` (self-issued name: enough for the client,
// which checks only that the leaf certifies its key).
std::string issue(EVP_PKEY* subject_key, EVP_PKEY* issuer_key) {
  X509Ptr certificate(X509_new());
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 600);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(certificate.get()), "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("stub fulcio"), -1, -1, 0);
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(certificate.get()));
  X509_set_pubkey(certificate.get(), subject_key);
  X509_sign(certificate.get(), issuer_key, EVP_sha256());
  return pem_of(certificate.get());
}

struct StubFulcio {
  PrivateKey ca = *generate_private_key(KeyAlgorithm::ecdsa_p256);
  std::string expected_challenge;
  bool answer_other_key = false;
  HttpStub stub{[this](const StubRequest& request) { return answer(request); }};

  StubResponse answer(const StubRequest& request) {
    if (request.method != "POST" || request.path != "/api/v2/signingCert") return StubResponse::text(404, "no");
    if (request.header("content-type") != "application/json") return StubResponse::text(415, "json please");
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body["credentials"]["oidcIdentityToken"].is_string()) {
      return StubResponse::text(400, R"({"code":400,"message":"missing token"})");
    }
    auto key = load_public_key(body["publicKeyRequest"]["publicKey"]["content"].get<std::string>());
    if (!key || body["publicKeyRequest"]["publicKey"]["algorithm"] != "ECDSA") return StubResponse::text(400, "key");
    auto proof = base64_decode(body["publicKeyRequest"]["proofOfPossession"].get<std::string>());
    if (!proof || !verify_message(key->get(), expected_challenge, *proof)) {
      return StubResponse::text(400, R"({"code":400,"message":"The signature supplied in the request could not be verified"})");
    }
    auto other = *generate_private_key(KeyAlgorithm::ecdsa_p256);
    const std::string leaf = issue(answer_other_key ? other.get() : key->get(), ca.get());
    const std::string root = issue(ca.get(), ca.get());
    return StubResponse::text(
        201, nlohmann::json{{"signedCertificateEmbeddedSct", {{"chain", {{"certificates", {leaf, root}}}}}}}.dump(),
        "application/json");
  }
};

TEST(FulcioClient, GetsACertificateForTheKeyWithProofOverTheSubject) {
  StubFulcio fulcio;
  test::TokenClaims claims;
  fulcio.expected_challenge = claims.subject;
  auto token = parse_identity_token(test::mint_identity_token(claims), now());
  ASSERT_TRUE(token);
  auto key = generate_private_key(KeyAlgorithm::ecdsa_p256);
  ASSERT_TRUE(key);
  http::Client client;
  auto certificate = request_signing_certificate(client, fulcio.stub.base_url() + "/", *token, *key);
  ASSERT_TRUE(certificate) << certificate.error().message;
  EXPECT_EQ(certificate->chain_der.size(), 2u);
  EXPECT_TRUE(certificate->embedded_sct);

  // An email token proves possession over the email, not the subject.
  claims.email = "signer@example.com";
  fulcio.expected_challenge = claims.email;
  auto email_token = parse_identity_token(test::mint_identity_token(claims), now());
  ASSERT_TRUE(email_token);
  EXPECT_TRUE(request_signing_certificate(client, fulcio.stub.base_url(), *email_token, *key));
  fulcio.expected_challenge = claims.subject;
  auto wrong_proof = request_signing_certificate(client, fulcio.stub.base_url(), *email_token, *key);
  ASSERT_FALSE(wrong_proof);
  EXPECT_NE(wrong_proof.error().message.find("HTTP 400"), std::string::npos) << wrong_proof.error().message;
}

TEST(FulcioClient, RefusesACertificateForAnotherKey) {
  StubFulcio fulcio;
  test::TokenClaims claims;
  fulcio.expected_challenge = claims.subject;
  fulcio.answer_other_key = true;
  auto token = parse_identity_token(test::mint_identity_token(claims), now());
  auto key = generate_private_key(KeyAlgorithm::ecdsa_p256);
  http::Client client;
  auto certificate = request_signing_certificate(client, fulcio.stub.base_url(), *token, *key);
  ASSERT_FALSE(certificate);
  EXPECT_EQ(certificate.error().category, ErrorCategory::network);
  EXPECT_NE(certificate.error().message.find("for another public key"), std::string::npos);
}

TEST(FulcioClient, ServerErrorsAndMalformedAnswersAreOneLineNetworkErrors) {
  const std::pair<StubResponse, std::string_view> cases[] = {
      {StubResponse::text(500, "internal\nerror"), "HTTP 500: internal error"},
      {StubResponse::text(401, R"({"message":"unauthorized"})"), "HTTP 401"},
      {StubResponse::text(201, "not json"), "answer is not JSON"},
      {StubResponse::text(201, R"({"other":1})"), "no signedCertificateEmbeddedSct"},
      {StubResponse::text(201, R"({"signedCertificateEmbeddedSct":{"chain":{"certificates":[]}}})"), "no certificate chain"},
      {StubResponse::text(201, R"({"signedCertificateDetachedSct":{"chain":{"certificates":["junk"]}}})"),
       "not a PEM certificate"},
  };
  auto token = parse_identity_token(test::mint_identity_token(), now());
  auto key = generate_private_key(KeyAlgorithm::ecdsa_p256);
  http::Client client;
  for (const auto& [response, expected] : cases) {
    HttpStub stub([&response = response](const StubRequest&) { return response; });
    auto certificate = request_signing_certificate(client, stub.base_url(), *token, *key);
    ASSERT_FALSE(certificate) << expected;
    EXPECT_EQ(certificate.error().category, ErrorCategory::network);
    EXPECT_NE(certificate.error().message.find(expected), std::string::npos) << certificate.error().message;
    EXPECT_EQ(certificate.error().message.find('\n'), std::string::npos);
  }
  // Nothing listening: a network error too.
  auto refused = request_signing_certificate(client, "http://127.0.0.1:1", *token, *key);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().category, ErrorCategory::network);
}

}  // namespace
}  // namespace sigil::sign::keyless
