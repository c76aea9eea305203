#include "sign/verifier.hpp"

#include <gtest/gtest.h>

#include "common/hex.hpp"
#include "sign/signer.hpp"

namespace sigil::sign {
namespace {

const std::string kArtifact = "release tarball bytes\n";

PrivateKey make_key(KeyAlgorithm algorithm) {
  auto key = generate_private_key(algorithm, 2048);
  if (!key) throw std::runtime_error(key.error().message);
  return std::move(*key);
}

TrustedMaterial trust(const PrivateKey& key) {
  TrustedMaterial trusted;
  trusted.keys.push_back(key.public_key());
  return trusted;
}

std::string statement_about(const oci::Digest& digest, std::string predicate_type = "https://sigstore.dev/cosign/sign/v1") {
  Statement statement;
  Subject subject;
  subject.digest[std::string(oci::algorithm_name(digest.algorithm()))] = digest.hex();
  statement.subjects.push_back(subject);
  statement.predicate_type = std::move(predicate_type);
  return serialize_statement(statement);
}

// Denied with the reason in the message: a verification "no" must never look like bad input.
void expect_denied(const Result<Facts>& result, std::string_view reason) {
  ASSERT_FALSE(result) << "verified but should not: " << reason;
  EXPECT_EQ(result.error().category, ErrorCategory::denied) << result.error().message;
  EXPECT_NE(result.error().message.find(reason), std::string::npos) << result.error().message;
}

void expect_input_error(const Result<Facts>& result, std::string_view reason) {
  ASSERT_FALSE(result) << "verified but should not: " << reason;
  EXPECT_EQ(result.error().category, ErrorCategory::input) << result.error().message;
  EXPECT_NE(result.error().message.find(reason), std::string::npos) << result.error().message;
}

class VerifierPerKey : public ::testing::TestWithParam<KeyAlgorithm> {
 protected:
  void SetUp() override { key_.emplace(make_key(GetParam())); }
  std::optional<PrivateKey> key_;
};

TEST_P(VerifierPerKey, MessageBundleRoundTripThroughJson) {
  KeySigner signer(make_key(GetParam()));
  auto signed_bundle = sign_message_bundle(signer, kArtifact);
  ASSERT_TRUE(signed_bundle) << signed_bundle.error().message;
  auto bundle = parse_bundle(serialize_bundle(*signed_bundle));
  ASSERT_TRUE(bundle) << bundle.error().message;
  const TrustedMaterial trusted = trust(signer.key());

  auto facts = verify_bundle(*bundle, ArtifactRef{kArtifact, oci::Digest::of(kArtifact)}, trusted);
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->content, "message-signature");
  EXPECT_EQ(facts->key_id, signer.key().public_key().key_id());
  EXPECT_FALSE(facts->transparency_logged);
  EXPECT_FALSE(facts->statement);

  // Digest-only: with the digest the bundle records (sha384 for P-384); Ed25519 is refused clearly.
  const oci::Digest digest = oci::Digest::of(kArtifact, GetParam() == KeyAlgorithm::ecdsa_p384
                                                            ? oci::DigestAlgorithm::sha384
                                                            : oci::DigestAlgorithm::sha256);
  auto by_digest = verify_bundle(*bundle, ArtifactRef{std::nullopt, digest}, trusted);
  if (GetParam() == KeyAlgorithm::ed25519) {
    expect_input_error(by_digest, "Ed25519 signs the artifact itself");
  } else {
    ASSERT_TRUE(by_digest) << by_digest.error().message;
    EXPECT_EQ(by_digest->key_id, facts->key_id);
  }
}

TEST_P(VerifierPerKey, DsseBundleRoundTripThroughJson) {
  KeySigner signer(make_key(GetParam()));
  const oci::Digest image = oci::Digest::of("manifest");
  auto signed_bundle = sign_dsse_bundle(signer, kInTotoPayloadType, statement_about(image));
  ASSERT_TRUE(signed_bundle) << signed_bundle.error().message;
  auto bundle = parse_bundle(serialize_bundle(*signed_bundle));
  ASSERT_TRUE(bundle) << bundle.error().message;

  auto facts = verify_bundle(*bundle, ArtifactRef{std::nullopt, image}, trust(signer.key()));
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->content, "dsse-envelope");
  EXPECT_EQ(facts->payload_type, kInTotoPayloadType);
  EXPECT_EQ(facts->payload, statement_about(image));
  ASSERT_TRUE(facts->statement);
  EXPECT_EQ(facts->statement->predicate_type, "https://sigstore.dev/cosign/sign/v1");

  // Subject mismatch: a valid signature about another image.
  expect_denied(verify_bundle(*bundle, ArtifactRef{std::nullopt, oci::Digest::of("other")}, trust(signer.key())),
                "statement has no subject with digest " + oci::Digest::of("other").str());
}

INSTANTIATE_TEST_SUITE_P(AllKeyTypes, VerifierPerKey,
                         ::testing::Values(KeyAlgorithm::ecdsa_p256, KeyAlgorithm::ecdsa_p384, KeyAlgorithm::ed25519,
                                           KeyAlgorithm::rsa),
                         [](const auto& param_info) {
                           std::string name(algorithm_name(param_info.param));
                           for (char& ch : name) ch = ch == '-' ? '_' : ch;
                           return name;
                         });

class VerifierTamper : public ::testing::Test {
 protected:
  VerifierTamper() : signer_(make_key(KeyAlgorithm::ecdsa_p256)) {}
  KeySigner signer_;
  const oci::Digest image_ = oci::Digest::of("manifest");

  Bundle message_bundle() { return *sign_message_bundle(signer_, kArtifact); }
  Bundle dsse_bundle() { return *sign_dsse_bundle(signer_, kInTotoPayloadType, statement_about(image_)); }
  ArtifactRef artifact() const { return ArtifactRef{kArtifact, oci::Digest::of(kArtifact)}; }
};

TEST_F(VerifierTamper, ArtifactChanged) {
  const std::string changed = "release tarball bytes!\n";
  expect_denied(verify_bundle(message_bundle(), ArtifactRef{changed, oci::Digest::of(changed)}, trust(signer_.key())),
                "artifact digest does not match the bundle");
  expect_denied(verify_bundle(message_bundle(), ArtifactRef{std::nullopt, oci::Digest::of(changed)}, trust(signer_.key())),
                "artifact digest does not match the bundle");
}

// The recorded digest altered to match another artifact: the signature still refuses it.
TEST_F(VerifierTamper, MessageDigestRewritten) {
  Bundle bundle = message_bundle();
  const std::string other = "evil";
  auto raw = hex_decode(oci::Digest::of(other).hex());
  std::get<MessageSignature>(bundle.content).digest.assign(raw->begin(), raw->end());
  expect_denied(verify_bundle(bundle, ArtifactRef{other, oci::Digest::of(other)}, trust(signer_.key())),
                "no trusted key verifies the signature");
}

TEST_F(VerifierTamper, SignatureChanged) {
  Bundle bundle = message_bundle();
  std::string& signature = std::get<MessageSignature>(bundle.content).signature;
  signature[signature.size() - 1] = static_cast<char>(signature.back() ^ 0x01);
  expect_denied(verify_bundle(bundle, artifact(), trust(signer_.key())), "no trusted key verifies the signature");
  // Not even DER any more: still a refusal of the bundle, not bad input from the user.
  signature = "garbage";
  expect_denied(verify_bundle(bundle, artifact(), trust(signer_.key())), "no trusted key verifies the signature");
}

TEST_F(VerifierTamper, WrongKey) {
  const PrivateKey other = make_key(KeyAlgorithm::ecdsa_p256);
  expect_denied(verify_bundle(message_bundle(), artifact(), trust(other)), "no trusted key verifies the signature");
  expect_denied(verify_bundle(dsse_bundle(), ArtifactRef{std::nullopt, image_}, trust(other)),
                "no trusted key verifies the signature");
  // A second trusted key that does verify is found whatever the order.
  TrustedMaterial both = trust(other);
  both.keys.push_back(signer_.key().public_key());
  auto facts = verify_bundle(message_bundle(), artifact(), both);
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->key_id, signer_.key().public_key().key_id());
}

TEST_F(VerifierTamper, DssePayloadChanged) {
  Bundle bundle = dsse_bundle();
  std::get<Envelope>(bundle.content).payload = statement_about(oci::Digest::of("other"));
  expect_denied(verify_bundle(bundle, ArtifactRef{std::nullopt, oci::Digest::of("other")}, trust(signer_.key())),
                "no trusted key verifies the signature");
}

TEST_F(VerifierTamper, DssePayloadTypeChanged) {
  Bundle bundle = dsse_bundle();
  std::get<Envelope>(bundle.content).payload_type = "text/plain";
  expect_denied(verify_bundle(bundle, ArtifactRef{std::nullopt, image_}, trust(signer_.key())),
                "no trusted key verifies the signature");
}

TEST_F(VerifierTamper, DsseNotInToto) {
  auto bundle = sign_dsse_bundle(signer_, "text/plain", "hello");
  ASSERT_TRUE(bundle);
  expect_denied(verify_bundle(*bundle, ArtifactRef{std::nullopt, image_}, trust(signer_.key())),
                "payload type \"text/plain\" is not in-toto");
  // Without an artifact to match, only the signature is checked (the caller reads the payload).
  auto facts = verify_bundle(*bundle, ArtifactRef{}, trust(signer_.key()));
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->payload, "hello");
}

TEST_F(VerifierTamper, DsseSignedGarbageStatement) {
  auto bundle = sign_dsse_bundle(signer_, kInTotoPayloadType, "{\"_type\":\"nope\"}");
  ASSERT_TRUE(bundle);
  expect_denied(verify_bundle(*bundle, ArtifactRef{std::nullopt, image_}, trust(signer_.key())),
                "signed payload is not a valid statement");
}

TEST_F(VerifierTamper, DsseSubjectFromBytes) {
  auto bundle = sign_dsse_bundle(signer_, kInTotoPayloadType, statement_about(oci::Digest::of(kArtifact)));
  ASSERT_TRUE(bundle);
  auto facts = verify_bundle(*bundle, ArtifactRef{kArtifact, oci::Digest()}, trust(signer_.key()));
  EXPECT_TRUE(facts) << facts.error().message;
}

TEST_F(VerifierTamper, DigestOfAnotherAlgorithmThanRecorded) {
  expect_input_error(verify_bundle(message_bundle(), ArtifactRef{std::nullopt, oci::Digest::of(kArtifact, oci::DigestAlgorithm::sha512)},
                                   trust(signer_.key())),
                     "records a SHA2_256 digest");
}

TEST_F(VerifierTamper, MessageSignatureNeedsAnArtifact) {
  expect_input_error(verify_bundle(message_bundle(), ArtifactRef{}, trust(signer_.key())),
                     "no artifact or artifact digest");
}

TEST_F(VerifierTamper, NoTrustedKey) {
  expect_input_error(verify_bundle(message_bundle(), artifact(), TrustedMaterial{}),
                     "signed with a key, not keyless: give its public key");
}

TEST_F(VerifierTamper, CertificateBundlesNeedATrustedRoot) {
  Bundle bundle = message_bundle();
  bundle.material = MaterialKind::certificate;
  bundle.certificate = "der";
  // A key given for a keyless bundle: the user is told what the bundle needs instead.
  expect_input_error(verify_bundle(bundle, artifact(), trust(signer_.key())),
                     "certificate-signed (keyless): give the expected identity");
  // The identity given, but nothing to check the certificate against.
  VerificationPolicy policy;
  policy.identity.identity = "me@example.com";
  policy.identity.issuer = "https://issuer.example";
  expect_input_error(verify_bundle(bundle, artifact(), TrustedMaterial{}, policy),
                     "certificate-signed (keyless) bundle needs a trusted root");
}

TEST_F(VerifierTamper, UnsupportedDigestAlgorithm) {
  Bundle bundle = message_bundle();
  std::get<MessageSignature>(bundle.content).digest_algorithm = "SHA3_256";
  expect_input_error(verify_bundle(bundle, artifact(), trust(signer_.key())), "SHA3_256 is not supported");
}

// Malformed, truncated and unknown bundles never reach the verifier: parsing refuses them as input.
TEST_F(VerifierTamper, TruncatedMalformedAndUnknownBundles) {
  const std::string json = serialize_bundle(message_bundle());
  auto truncated = parse_bundle(json.substr(0, json.size() / 2));
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().category, ErrorCategory::input);
  auto malformed = parse_bundle("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"}");
  ASSERT_FALSE(malformed);
  EXPECT_NE(malformed.error().message.find("missing verificationMaterial"), std::string::npos);
  std::string unknown = json;
  unknown.replace(unknown.find("v0.3"), 4, "v0.9");
  auto parsed = parse_bundle(unknown);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("unsupported media type"), std::string::npos) << parsed.error().message;
}

}  // namespace
}  // namespace sigil::sign
