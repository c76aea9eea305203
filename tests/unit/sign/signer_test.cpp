#include "sign/signer.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/base64.hpp"
#include "common/file.hpp"
#include "common/hex.hpp"
#include "sign/dsse.hpp"
#include "sign/signature.hpp"

namespace sigil::sign {
namespace {

struct KeyCase {
  KeyAlgorithm algorithm;
  const char* digest_name;
  oci::DigestAlgorithm digest;
};

const KeyCase kKeyCases[] = {
    {KeyAlgorithm::ecdsa_p256, "SHA2_256", oci::DigestAlgorithm::sha256},
    {KeyAlgorithm::ecdsa_p384, "SHA2_384", oci::DigestAlgorithm::sha384},
    {KeyAlgorithm::ed25519, "SHA2_256", oci::DigestAlgorithm::sha256},
    {KeyAlgorithm::rsa, "SHA2_256", oci::DigestAlgorithm::sha256},
};

PrivateKey make_key(KeyAlgorithm algorithm) {
  auto key = generate_private_key(algorithm, 2048);
  if (!key) throw std::runtime_error(key.error().message);
  return std::move(*key);
}

std::string raw(const oci::Digest& digest) {
  auto bytes = hex_decode(digest.hex());
  return std::string(bytes->begin(), bytes->end());
}

class SignerPerKey : public ::testing::TestWithParam<KeyCase> {};

TEST_P(SignerPerKey, MessageBundleAsCosignV3WritesIt) {
  const KeyCase& c = GetParam();
  KeySigner signer(make_key(c.algorithm));
  const PublicKey public_key = signer.key().public_key();
  auto bundle = sign_message_bundle(signer, "hello, blob\n");
  ASSERT_TRUE(bundle) << bundle.error().message;
  EXPECT_EQ(bundle->media_type, "application/vnd.dev.sigstore.bundle.v0.3+json");
  EXPECT_EQ(bundle->material, MaterialKind::public_key);
  EXPECT_EQ(bundle->public_key_hint, public_key_hint(public_key));
  EXPECT_TRUE(bundle->tlog_entries.empty());
  const auto& message = std::get<MessageSignature>(bundle->content);
  EXPECT_EQ(message.digest_algorithm, c.digest_name);
  EXPECT_EQ(message.digest, raw(oci::Digest::of("hello, blob\n", c.digest)));
  EXPECT_TRUE(verify_message(public_key.get(), "hello, blob\n", message.signature));
  EXPECT_FALSE(verify_message(public_key.get(), "hello, blob!\n", message.signature));

  const std::string json = serialize_bundle(*bundle);
  const std::string prefix = "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":"
                             "{\"publicKey\":{\"hint\":\"" + bundle->public_key_hint +
                             "\"}},\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"" + c.digest_name +
                             "\",\"digest\":\"" + base64_encode(message.digest) + "\"},\"signature\":\"";
  EXPECT_EQ(json.rfind(prefix, 0), 0u) << json;
  auto reparsed = parse_bundle(json);
  ASSERT_TRUE(reparsed) << reparsed.error().message;
  EXPECT_EQ(serialize_bundle(*reparsed), json);
}

TEST_P(SignerPerKey, DsseBundleSignsThePae) {
  KeySigner signer(make_key(GetParam().algorithm));
  auto bundle = sign_dsse_bundle(signer, "application/vnd.in-toto+json", "{\"a\":1}");
  ASSERT_TRUE(bundle) << bundle.error().message;
  const auto& envelope = std::get<Envelope>(bundle->content);
  EXPECT_EQ(envelope.payload_type, "application/vnd.in-toto+json");
  EXPECT_EQ(envelope.payload, "{\"a\":1}");
  ASSERT_EQ(envelope.signatures.size(), 1u);
  EXPECT_EQ(envelope.signatures[0].keyid, "");
  EXPECT_TRUE(verify_envelope(signer.key().public_key().get(), envelope));
  const std::string json = serialize_bundle(*bundle);
  EXPECT_NE(json.find("\"dsseEnvelope\":{\"payload\":\"eyJhIjoxfQ==\",\"payloadType\":\"application/vnd.in-toto+json\","
                      "\"signatures\":[{\"sig\":\""),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("keyid"), std::string::npos) << json;
}

INSTANTIATE_TEST_SUITE_P(AllKeyTypes, SignerPerKey, ::testing::ValuesIn(kKeyCases), [](const auto& param_info) {
  std::string name(algorithm_name(param_info.param.algorithm));
  for (char& ch : name) ch = ch == '-' ? '_' : ch;
  return name;
});

// The hint is base64(SHA-256(SPKI DER)), as sigstore-go's keypair writes it; the conformance suite's
// managed-key bundle (written by cosign) carries this exact hint for its key.
TEST(PublicKeyHint, MatchesCosignForTheConformanceKey) {
  const std::filesystem::path dir = std::filesystem::path(SIGIL_SOURCE_DIR) /
                                    "../shared/testdata/sigstore/conformance/managed-key-happy-path";
  if (!std::filesystem::exists(dir)) {
    if (std::getenv("CI") != nullptr) FAIL() << dir << " is missing";
    GTEST_SKIP() << dir << " is missing (../shared absent)";
  }
  auto pem = read_file((dir / "key.pub").string(), 1 << 20);
  ASSERT_TRUE(pem) << pem.error().message;
  auto key = load_public_key(*pem);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(public_key_hint(*key), "TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=");
}

TEST(PublicKeyHint, IsBase64OfTheKeyId) {
  const PublicKey key = make_key(KeyAlgorithm::ecdsa_p256).public_key();
  const std::string hint = public_key_hint(key);
  EXPECT_EQ(hint.size(), 44u);
  auto decoded = base64_decode(hint);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(hex_encode(std::span(reinterpret_cast<const unsigned char*>(decoded->data()), decoded->size())),
            key.key_id());
}

// A signer that fails: its error reaches the caller with what was being signed.
class BrokenSigner final : public Signer {
 public:
  Result<SignedBytes> sign(std::string_view) override { return fail(ErrorCategory::network, "fulcio down"); }
};

TEST(SignBundle, SignerErrorsKeepTheirCategory) {
  BrokenSigner signer;
  auto message = sign_message_bundle(signer, "x");
  ASSERT_FALSE(message);
  EXPECT_EQ(message.error().category, ErrorCategory::network);
  EXPECT_EQ(message.error().message, "sign blob: fulcio down");
  auto dsse = sign_dsse_bundle(signer, "t", "p");
  ASSERT_FALSE(dsse);
  EXPECT_EQ(dsse.error().message, "sign DSSE envelope: fulcio down");
}

// A keyless signer reports its certificate; a v0.3 bundle carries the leaf alone.
class CertificateSigner final : public Signer {
 public:
  Result<SignedBytes> sign(std::string_view) override {
    SignedBytes out;
    out.signature = "sig";
    out.material = MaterialKind::certificate;
    out.certificate_chain = {"leaf-der", "intermediate-der"};
    return out;
  }
};

TEST(SignBundle, CertificateMaterialIsTheLeaf) {
  CertificateSigner signer;
  auto bundle = sign_message_bundle(signer, "x");
  ASSERT_TRUE(bundle);
  EXPECT_EQ(bundle->material, MaterialKind::certificate);
  EXPECT_EQ(bundle->certificate, "leaf-der");
  EXPECT_TRUE(bundle->public_key_hint.empty());
}

}  // namespace
}  // namespace sigil::sign
