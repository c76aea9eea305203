#include "sign/signature.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/openssl_ptr.hpp"
#include "oci/digest.hpp"
#include "support/temp_dir.hpp"

namespace sigil::sign {
namespace {

PkeyPtr make_ec(const char* curve) { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve)); }
PkeyPtr make_ed25519() { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); }
PkeyPtr make_rsa() { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})); }

// The public half only, so verification is proven not to need the private key.
PkeyPtr public_only(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key);
  return PkeyPtr(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

std::string raw_digest(std::string_view message, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(message.data(), message.size(), out, &length, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), length);
}

struct Case {
  const char* name;
  PkeyPtr (*make)();
};

class SignatureAlgorithms : public ::testing::TestWithParam<Case> {};

TEST_P(SignatureAlgorithms, RoundTripAndTamper) {
  PkeyPtr key = GetParam().make();
  ASSERT_TRUE(key);
  PkeyPtr pub = public_only(key.get());
  ASSERT_TRUE(pub);
  const std::string message = "{\"critical\":{\"image\":{}}}";
  auto signature = sign_message(key.get(), message);
  ASSERT_TRUE(signature) << signature.error().message;
  EXPECT_TRUE(verify_message(pub.get(), message, *signature));

  auto tampered_message = verify_message(pub.get(), message + " ", *signature);
  ASSERT_FALSE(tampered_message);
  EXPECT_EQ(tampered_message.error().category, ErrorCategory::denied);
  EXPECT_NE(tampered_message.error().message.find("does not verify"), std::string::npos);

  std::string flipped = *signature;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x01);
  auto tampered_sig = verify_message(pub.get(), message, flipped);
  ASSERT_FALSE(tampered_sig);
  // A flipped bit may also break the DER shape of an ECDSA signature: either way it is refused.
  EXPECT_TRUE(tampered_sig.error().category == ErrorCategory::denied ||
              tampered_sig.error().category == ErrorCategory::input);

  PkeyPtr other = GetParam().make();
  auto wrong_key = verify_message(other.get(), message, *signature);
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(wrong_key.error().category, ErrorCategory::denied);

  auto empty = verify_message(pub.get(), message, "");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().category, ErrorCategory::input);
}

INSTANTIATE_TEST_SUITE_P(
    All, SignatureAlgorithms,
    ::testing::Values(Case{"p256", [] { return make_ec("P-256"); }},
                      Case{"p384", [] { return make_ec("P-384"); }},
                      Case{"ed25519", make_ed25519}, Case{"rsa", make_rsa}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Signature, P384UsesSha384) {
  PkeyPtr key = make_ec("P-384");
  auto signature = sign_message(key.get(), "abc");
  ASSERT_TRUE(signature);
  // Checked independently of verify_message: the signature is over SHA-384, not SHA-256.
  MdCtxPtr ctx(EVP_MD_CTX_new());
  ASSERT_EQ(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key.get()), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                             signature->size(), reinterpret_cast<const unsigned char*>("abc"), 3),
            1);
  MdCtxPtr ctx256(EVP_MD_CTX_new());
  ASSERT_EQ(EVP_DigestVerifyInit(ctx256.get(), nullptr, EVP_sha256(), nullptr, key.get()), 1);
  EXPECT_NE(EVP_DigestVerify(ctx256.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                             signature->size(), reinterpret_cast<const unsigned char*>("abc"), 3),
            1);
}

TEST(Signature, TruncatedDerIsInputError) {
  PkeyPtr key = make_ec("P-256");
  auto signature = sign_message(key.get(), "payload");
  ASSERT_TRUE(signature);
  auto result = verify_message(key.get(), "payload", signature->substr(0, signature->size() - 3));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::input);
  EXPECT_NE(result.error().message.find("DER"), std::string::npos);
}

// Refusals leave nothing on OpenSSL's error queue to confuse a later caller.
TEST(Signature, FailuresLeaveNoOpensslErrors) {
  ERR_clear_error();
  PkeyPtr key = make_ec("P-256");
  PkeyPtr rsa = make_rsa();
  EXPECT_FALSE(verify_message(key.get(), "m", "\x30\x01"));
  EXPECT_FALSE(verify_message(rsa.get(), "m", std::string(256, 'x')));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(Signature, RsaPssIsAccepted) {
  PkeyPtr key = make_rsa();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  ASSERT_EQ(EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
  const std::string message = "pss message";
  size_t length = 0;
  auto* data = reinterpret_cast<const unsigned char*>(message.data());
  ASSERT_EQ(EVP_DigestSign(ctx.get(), nullptr, &length, data, message.size()), 1);
  std::string signature(length, '\0');
  ASSERT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                           data, message.size()),
            1);
  signature.resize(length);
  EXPECT_TRUE(verify_message(key.get(), message, signature));
  EXPECT_TRUE(verify_digest_signature(key.get(), oci::DigestAlgorithm::sha256,
                                      raw_digest(message, EVP_sha256()), signature));
  EXPECT_FALSE(verify_message(key.get(), "other", signature));
}

TEST(Signature, DigestOnlyVerification) {
  for (auto make : {+[] { return make_ec("P-256"); }, +[] { return make_rsa(); }}) {
    PkeyPtr key = make();
    auto signature = sign_message(key.get(), "artifact bytes");
    ASSERT_TRUE(signature);
    const std::string digest = raw_digest("artifact bytes", EVP_sha256());
    EXPECT_TRUE(verify_digest_signature(key.get(), oci::DigestAlgorithm::sha256, digest, *signature));
    auto wrong = verify_digest_signature(key.get(), oci::DigestAlgorithm::sha256,
                                         raw_digest("other", EVP_sha256()), *signature);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().category, ErrorCategory::denied);
    auto short_digest =
        verify_digest_signature(key.get(), oci::DigestAlgorithm::sha256, digest.substr(1), *signature);
    ASSERT_FALSE(short_digest);
    EXPECT_EQ(short_digest.error().category, ErrorCategory::input);
  }
}

TEST(Signature, Ed25519DigestOnlyIsRefused) {
  PkeyPtr key = make_ed25519();
  auto signature = sign_message(key.get(), "m");
  ASSERT_TRUE(signature);
  auto result = verify_digest_signature(key.get(), oci::DigestAlgorithm::sha256,
                                        raw_digest("m", EVP_sha256()), *signature);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::input);
  EXPECT_NE(result.error().message.find("Ed25519 signs the message itself"), std::string::npos);
}

TEST(Signature, PublicKeyCannotSign) {
  PkeyPtr key = make_ec("P-256");
  PkeyPtr pub = public_only(key.get());
  auto result = sign_message(pub.get(), "m");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::input);
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void spit(const std::filesystem::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Interop with the openssl CLI in both directions, so our DER ECDSA is the standard one.
TEST(Signature, EcdsaInteropWithOpensslCli) {
  test::TempDir dir;
  PkeyPtr key = make_ec("P-256");
  {
    BioPtr bio(BIO_new_file((dir / "key.pem").c_str(), "w"));
    ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr), 1);
    BioPtr pub(BIO_new_file((dir / "pub.pem").c_str(), "w"));
    ASSERT_EQ(PEM_write_bio_PUBKEY(pub.get(), key.get()), 1);
  }
  const std::string message = "interop message\n";
  spit(dir / "msg", message);
  const std::string d = dir.path().string();
  ASSERT_EQ(std::system(("openssl dgst -sha256 -sign " + d + "/key.pem -out " + d + "/cli.sig " + d +
                         "/msg")
                            .c_str()),
            0);
  EXPECT_TRUE(verify_message(key.get(), message, slurp(dir / "cli.sig")));

  auto ours = sign_message(key.get(), message);
  ASSERT_TRUE(ours);
  spit(dir / "ours.sig", *ours);
  EXPECT_EQ(std::system(("openssl dgst -sha256 -verify " + d + "/pub.pem -signature " + d +
                         "/ours.sig " + d + "/msg >/dev/null")
                            .c_str()),
            0);
  spit(dir / "msg", message + "x");
  EXPECT_NE(std::system(("openssl dgst -sha256 -verify " + d + "/pub.pem -signature " + d +
                         "/ours.sig " + d + "/msg >/dev/null")
                            .c_str()),
            0);
}

}  // namespace
}  // namespace sigil::sign
