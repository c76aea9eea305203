// Key loading, generation and cosign encryption: every PEM kind users bring, wrong passwords and
// broken input as one-line input errors, and cosign's own test key.
#include "sign/keys.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/base64.hpp"
#include "common/json.hpp"
#include "sign/detail/key_cosign.hpp"
#include "sign/detail/key_pem.hpp"
#include "support/temp_dir.hpp"

namespace sigil::sign {
namespace {

SecretBytes pw(std::string_view s) { return SecretBytes(s); }

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

PrivateKey gen(KeyAlgorithm a, int bits = 2048) {
  auto k = generate_private_key(a, bits);
  EXPECT_TRUE(k.has_value()) << (k ? "" : k.error().message);
  return std::move(*k);
}

std::string pkcs8_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio.get());
}

std::string traditional_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio.get());
}

std::string encrypted_pkcs8_pem(EVP_PKEY* key, const char* pass) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PKCS8PrivateKey(bio.get(), key, EVP_aes_256_cbc(), pass, static_cast<int>(std::strlen(pass)),
                                nullptr, nullptr);
  return bio_text(bio.get());
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void expect_one_line_input_error(const Error& e) {
  EXPECT_EQ(e.category, ErrorCategory::input) << e.message;
  EXPECT_EQ(e.message.find('\n'), std::string::npos) << e.message;
  EXPECT_FALSE(e.message.empty());
}

TEST(Keys, CosignTestKeyWithPasswordHelloLoads) {
  std::filesystem::path shared = SIGIL_SOURCE_DIR "/../shared/testdata/cosign/encrypted-cosign-key.pem";
  if (!std::filesystem::exists(std::filesystem::path(SIGIL_SOURCE_DIR "/../shared")))
    GTEST_SKIP() << "/work/shared is absent: cosign's encrypted test key is not available";
  std::string pem = slurp(shared);
  ASSERT_FALSE(pem.empty()) << shared;
  auto key = load_private_key(pem, pw("hello"));
  ASSERT_TRUE(key.has_value()) << key.error().message;
  EXPECT_EQ(key->algorithm(), KeyAlgorithm::ecdsa_p256);
  auto wrong = load_private_key(pem, pw("hellO"));
  ASSERT_FALSE(wrong.has_value());
  expect_one_line_input_error(wrong.error());
  EXPECT_NE(wrong.error().message.find("wrong password"), std::string::npos) << wrong.error().message;
}

// go-tuf's published vectors for its three scrypt strengths (password "supersecret"): the
// envelope decryption must agree with the Go implementation cosign uses, for every allowed N.
TEST(Keys, DecryptsGoTufVectorsForEveryAllowedN) {
  const char* vectors[] = {
      R"({"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"WO3mVvyTwJ9vwT5/Tk5OW5WPIBUofMjcpEfrLnfY4uA="},"cipher":{"name":"nacl/secretbox","nonce":"tCy7HcTFr4uxv4Nrg/DWmncuZ148U1MX"},"ciphertext":"08n43p5G5yviPEZpO7tPPF4aZQkWiWjkv4taFdhDBA0tamKH4nw="})",
      R"({"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"FhzPOt9/bJG4PTq6lQ6ecG6GzaOuOy/ynG5+yRiFlNs="},"cipher":{"name":"nacl/secretbox","nonce":"aw1ng1jHaDz/tQ7V2gR9O2+IGQ8xJEuE"},"ciphertext":"HycvuLZL4sYH0BrYTh4E/H20VtAW6u5zL5Pr+IBjYLYnCPzDkq8="})",
      R"({"kdf":{"name":"scrypt","params":{"N":131072,"r":8,"p":1},"salt":"m38E3kouJTtiheLQN22NQ8DTito5hrjpUIskqcd375k="},"cipher":{"name":"nacl/secretbox","nonce":"Y6PM13yA+o44pE/W1ZBwczeGnTV/m9Zc"},"ciphertext":"6H8sqj1K6B6yDjtH5AQ6lbFigg/C2yDDJc4rYJ79w9aVPImFIPI="})",
  };
  for (const char* v : vectors) {
    auto plain = detail::decrypt_cosign_envelope(v, pw("supersecret"));
    ASSERT_TRUE(plain.has_value()) << plain.error().message;
    // go-tuf's Marshal seals the JSON of the []byte, i.e. the quoted base64 of "reallyimportant".
    EXPECT_EQ(plain->reveal(), "\"cmVhbGx5aW1wb3J0YW50\"");
    auto wrong = detail::decrypt_cosign_envelope(v, pw("Supersecret"));
    ASSERT_FALSE(wrong.has_value());
    EXPECT_NE(wrong.error().message.find("wrong password"), std::string::npos);
  }
}

TEST(Keys, CosignRoundTripForEveryAlgorithm) {
  for (auto a : {KeyAlgorithm::ecdsa_p256, KeyAlgorithm::ecdsa_p384, KeyAlgorithm::ed25519, KeyAlgorithm::rsa}) {
    SCOPED_TRACE(std::string(algorithm_name(a)));
    PrivateKey key = gen(a);
    auto pem = encrypt_cosign_private_key(key, pw("s3cret"));
    ASSERT_TRUE(pem.has_value()) << pem.error().message;
    EXPECT_TRUE(pem->starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")) << *pem;
    auto loaded = load_private_key(*pem, pw("s3cret"));
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_EQ(loaded->algorithm(), a);
    EXPECT_EQ(loaded->public_key().key_id(), key.public_key().key_id());
    auto wrong = load_private_key(*pem, pw("S3cret"));
    ASSERT_FALSE(wrong.has_value());
    expect_one_line_input_error(wrong.error());
    EXPECT_NE(wrong.error().message.find("wrong password"), std::string::npos);
  }
}

TEST(Keys, CosignEnvelopeHasCosignFieldsAndParameters) {
  auto pem = encrypt_cosign_private_key(gen(KeyAlgorithm::ecdsa_p256), pw("x"));
  ASSERT_TRUE(pem.has_value());
  auto block = detail::parse_pem(*pem);
  ASSERT_TRUE(block.has_value());
  EXPECT_TRUE(block->der.starts_with("{\"kdf\":{\"name\":\"scrypt\"")) << block->der;
  auto doc = parse_json(block->der, "envelope");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ((*doc)["kdf"]["params"]["N"], 65536);
  EXPECT_EQ((*doc)["kdf"]["params"]["r"], 8);
  EXPECT_EQ((*doc)["kdf"]["params"]["p"], 1);
  EXPECT_EQ(base64_decode((*doc)["kdf"]["salt"].get<std::string>())->size(), 32u);
  EXPECT_EQ((*doc)["cipher"]["name"], "nacl/secretbox");
  EXPECT_EQ(base64_decode((*doc)["cipher"]["nonce"].get<std::string>())->size(), 24u);
  EXPECT_TRUE((*doc)["ciphertext"].is_string());
}

TEST(Keys, ScryptCostOutsideAllowedSetIsRefused) {
  auto pem = encrypt_cosign_private_key(gen(KeyAlgorithm::ed25519), pw("x"));
  ASSERT_TRUE(pem.has_value());
  auto block = detail::parse_pem(*pem);
  ASSERT_TRUE(block.has_value());
  for (int n : {16384, 1 << 20}) {
    std::string json = block->der;
    auto at = json.find("\"N\":65536");
    ASSERT_NE(at, std::string::npos);
    json.replace(at, 9, "\"N\":" + std::to_string(n));
    auto loaded = load_private_key(detail::make_pem("ENCRYPTED COSIGN PRIVATE KEY", json), pw("x"));
    ASSERT_FALSE(loaded.has_value());
    expect_one_line_input_error(loaded.error());
    EXPECT_NE(loaded.error().message.find("scrypt"), std::string::npos) << loaded.error().message;
  }
}

TEST(Keys, EveryPrivatePemKindLoads) {
  PrivateKey ec = gen(KeyAlgorithm::ecdsa_p384);
  PrivateKey rsa = gen(KeyAlgorithm::rsa);
  PrivateKey ed = gen(KeyAlgorithm::ed25519);
  struct Case {
    std::string pem;
    std::string label;
    const PrivateKey* key;
  };
  std::vector<Case> cases = {
      {pkcs8_pem(ed.get()), "-----BEGIN PRIVATE KEY-----", &ed},
      {pkcs8_pem(ec.get()), "-----BEGIN PRIVATE KEY-----", &ec},
      {traditional_pem(ec.get()), "-----BEGIN EC PRIVATE KEY-----", &ec},
      {traditional_pem(rsa.get()), "-----BEGIN RSA PRIVATE KEY-----", &rsa},
      {encrypted_pkcs8_pem(rsa.get(), "pw"), "-----BEGIN ENCRYPTED PRIVATE KEY-----", &rsa},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    ASSERT_NE(c.pem.find(c.label), std::string::npos) << c.pem;
    auto loaded = load_private_key(c.pem, pw("pw"));
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_EQ(loaded->algorithm(), c.key->algorithm());
    EXPECT_EQ(loaded->public_key().key_id(), c.key->public_key().key_id());
  }
  auto wrong = load_private_key(encrypted_pkcs8_pem(ec.get(), "pw"), pw("nope"));
  ASSERT_FALSE(wrong.has_value());
  expect_one_line_input_error(wrong.error());
  EXPECT_NE(wrong.error().message.find("wrong password"), std::string::npos);
}

TEST(Keys, OpensslEcparamOutputWithParametersBlockLoads) {
  sigil::test::TempDir dir;
  std::string cmd = "openssl ecparam -name prime256v1 -genkey -out '" + (dir / "k.pem").string() + "' 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string pem = slurp(dir / "k.pem");
  ASSERT_NE(pem.find("EC PARAMETERS"), std::string::npos) << pem;
  auto key = load_private_key(pem, pw(""));
  ASSERT_TRUE(key.has_value()) << key.error().message;
  EXPECT_EQ(key->algorithm(), KeyAlgorithm::ecdsa_p256);
}

TEST(Keys, MistypedEnvelopeMembersAreInputErrors) {
  for (std::string json : {R"({"kdf":{"name":5},"cipher":{"name":"nacl/secretbox"}})",
                           R"({"kdf":[],"cipher":{}})", R"({"kdf":{"name":"scrypt","params":{"N":-1,"r":8,"p":1}},"cipher":{"name":"nacl/secretbox"}})",
                           R"({"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":7},"cipher":{"name":"nacl/secretbox","nonce":"AAAA"}})",
                           "[1,2]", "not json"}) {
    auto r = load_private_key(detail::make_pem("ENCRYPTED SIGSTORE PRIVATE KEY", json), pw("x"));
    ASSERT_FALSE(r.has_value()) << json;
    expect_one_line_input_error(r.error());
  }
}

TEST(Keys, EveryPublicPemKindLoads) {
  sigil::test::TempDir dir;
  PrivateKey rsa = gen(KeyAlgorithm::rsa);
  PrivateKey ec = gen(KeyAlgorithm::ecdsa_p256);
  // PKIX
  auto pkix = load_public_key(ec.public_key().to_pem());
  ASSERT_TRUE(pkix.has_value()) << pkix.error().message;
  EXPECT_EQ(pkix->key_id(), ec.public_key().key_id());
  // PKCS#1
  unsigned char* der = nullptr;
  int len = i2d_PublicKey(rsa.get(), &der);
  ASSERT_GT(len, 0);
  std::string pkcs1(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  auto rsa_pub = load_public_key(detail::make_pem("RSA PUBLIC KEY", pkcs1));
  ASSERT_TRUE(rsa_pub.has_value()) << rsa_pub.error().message;
  EXPECT_EQ(rsa_pub->algorithm(), KeyAlgorithm::rsa);
  EXPECT_EQ(rsa_pub->key_id(), rsa.public_key().key_id());
  // X.509 certificate made by the openssl CLI
  {
    std::ofstream(dir / "k.pem") << pkcs8_pem(ec.get());
  }
  std::string cmd = "openssl req -x509 -new -key '" + (dir / "k.pem").string() + "' -subj /CN=sigil-test -days 1 -out '" +
                    (dir / "c.pem").string() + "' 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto from_cert = load_public_key(slurp(dir / "c.pem"));
  ASSERT_TRUE(from_cert.has_value()) << from_cert.error().message;
  EXPECT_EQ(from_cert->key_id(), ec.public_key().key_id());
}

TEST(Keys, KeyIdIsStableAndIsSha256OfSpki) {
  PrivateKey key = gen(KeyAlgorithm::ecdsa_p256);
  std::string id = key.public_key().key_id();
  EXPECT_EQ(id.size(), 64u);
  EXPECT_EQ(id, key.public_key().key_id());
  auto reloaded = load_public_key(key.public_key().to_pem());
  ASSERT_TRUE(reloaded.has_value());
  EXPECT_EQ(reloaded->key_id(), id);
  EXPECT_NE(gen(KeyAlgorithm::ecdsa_p256).public_key().key_id(), id);
}

TEST(Keys, BrokenInputGivesOneLineInputErrors) {
  PrivateKey key = gen(KeyAlgorithm::ecdsa_p256);
  std::string good = pkcs8_pem(key.get());
  std::string garbage_body = "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n";
  std::vector<std::string> privates = {
      "", "hello world", good.substr(0, good.size() / 2), garbage_body,
      "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
      key.public_key().to_pem(),  // wrong type
  };
  for (const auto& text : privates) {
    auto r = load_private_key(text, pw(""));
    ASSERT_FALSE(r.has_value()) << text;
    expect_one_line_input_error(r.error());
  }
  std::vector<std::string> publics = {"", good, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"};
  for (const auto& text : publics) {
    auto r = load_public_key(text);
    ASSERT_FALSE(r.has_value()) << text;
    expect_one_line_input_error(r.error());
  }
}

TEST(Keys, UnsupportedCurvesAndSmallRsaAreRefused) {
  PkeyPtr p521(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"));
  ASSERT_TRUE(p521);
  auto r = load_private_key(pkcs8_pem(p521.get()), pw(""));
  ASSERT_FALSE(r.has_value());
  expect_one_line_input_error(r.error());
  EXPECT_NE(r.error().message.find("not supported"), std::string::npos) << r.error().message;

  PkeyPtr small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
  ASSERT_TRUE(small);
  auto s = load_private_key(pkcs8_pem(small.get()), pw(""));
  ASSERT_FALSE(s.has_value());
  expect_one_line_input_error(s.error());
  EXPECT_NE(s.error().message.find("too small"), std::string::npos) << s.error().message;
  EXPECT_FALSE(generate_private_key(KeyAlgorithm::rsa, 1024).has_value());
}

}  // namespace
}  // namespace sigil::sign
