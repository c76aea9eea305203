// Signed checkpoints (C2SP signed-note): parsing, and which signature lines count as the log's.
#include "sign/detail/checkpoint.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "common/base64.hpp"
#include "sign/detail/merkle.hpp"
#include "sign/signature.hpp"

namespace sigil::sign::detail {
namespace {

const std::string kRoot(32, '\x5a');

std::string note_text(std::string_view origin, std::string_view extra = "") {
  return std::string(origin) + "\n736\n" + base64_encode(kRoot) + "\n" + std::string(extra);
}

std::string line(std::string_view name, std::string_view hint, std::string_view signature) {
  return "\xE2\x80\x94 " + std::string(name) + " " + base64_encode(std::string(hint) + std::string(signature)) + "\n";
}

// The raw 32-byte Ed25519 public key.
std::string raw_ed25519(const PrivateKey& key) {
  std::string raw(32, '\0');
  std::size_t length = raw.size();
  EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(raw.data()), &length);
  return raw;
}

struct Log {
  PrivateKey key;
  PublicKey public_key;
  std::string log_id;
};

Log make_log(KeyAlgorithm algorithm, std::string_view name) {
  auto key = generate_private_key(algorithm);
  EXPECT_TRUE(key);
  auto public_key = key->public_key();
  std::string log_id;
  if (algorithm == KeyAlgorithm::ed25519) {
    // C2SP signed-note key ID: SHA-256(name || 0x0A || 0x01 || key) — what Rekor v2 logs use as log id.
    log_id = sha256_raw(std::string(name) + "\n\x01" + raw_ed25519(*key));
  } else {
    log_id = sha256_raw(public_key.to_der());  // Rekor v1: SHA-256 of the SPKI
  }
  return Log{std::move(*key), std::move(public_key), std::move(log_id)};
}

TEST(Checkpoint, ParsesOriginSizeRootExtrasAndSignatures) {
  const std::string text = note_text("rekor.sigstore.dev - 2605736670972794746", "Timestamp: 1689177396617352539\n");
  auto parsed = parse_checkpoint(text + "\n" + line("rekor.sigstore.dev", "abcd", "sig-bytes") +
                                 line("witness.example/w1", "wxyz", std::string(72, 's')));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->origin, "rekor.sigstore.dev - 2605736670972794746");
  EXPECT_EQ(parsed->size, 736u);
  EXPECT_EQ(parsed->root_hash, kRoot);
  ASSERT_EQ(parsed->extra.size(), 1u);
  EXPECT_EQ(parsed->extra[0], "Timestamp: 1689177396617352539");
  EXPECT_EQ(parsed->text, text);
  ASSERT_EQ(parsed->signatures.size(), 2u);
  EXPECT_EQ(parsed->signatures[0].name, "rekor.sigstore.dev");
  EXPECT_EQ(parsed->signatures[0].key_hint, "abcd");
  EXPECT_EQ(parsed->signatures[0].signature, "sig-bytes");
  EXPECT_EQ(parsed->signatures[1].name, "witness.example/w1");
}

TEST(Checkpoint, MalformedCheckpointsAreOneLineInputErrors) {
  const std::string sig = line("log.example", "abcd", "signature");
  const std::string root = base64_encode(kRoot);
  const std::pair<std::string, std::string> cases[] = {
      {"log.example\n736\n" + root + "\n", "no blank line"},                       // no signatures at all
      {"log.example\n736\n" + root + "\n\n", "no signature lines"},                 // signatures removed
      {"736\n" + root + "\n\n" + sig, "needs an origin"},                            // origin removed
      {"log.example\n736\n\n" + sig, "needs an origin"},                             // root hash removed
      {"log.example\n" + root + "\n\n" + sig, "needs an origin"},                    // size removed
      {"log.example\nabc\n" + root + "\n\n" + sig, "not a decimal number"},
      {"log.example\n0736\n" + root + "\n\n" + sig, "not a decimal number"},
      {"log.example\n-1\n" + root + "\n\n" + sig, "not a decimal number"},
      {"log.example\n99999999999999999999999\n" + root + "\n\n" + sig, "not a decimal number"},
      {"log.example\n736\n" + base64_encode("short") + "\n\n" + sig, "root hash"},
      {"log.example\n736\n" + root + "!\n\n" + sig, "root hash"},
      {"log.example\n736\n" + root + "\n\n- log.example abc\n", "does not start"},
      {"log.example\n736\n" + root + "\n\n\xE2\x80\x94 log.example\n", "is not"},
      {"log.example\n736\n" + root + "\n\n\xE2\x80\x94 log.example a b\n", "is not"},
      {"log.example\n736\n" + root + "\n\n\xE2\x80\x94 log.example " + base64_encode("abcd") + "\n", "too short"},
      {"log.example\n736\n" + root + "\n\n\xE2\x80\x94 log.example ***\n", "not base64"},
      {"log.example\n736\n" + root + "\n\n" + sig.substr(0, sig.size() - 1), "end with a newline"},
      {"\n736\n" + root + "\n\n" + sig, "empty origin"},
  };
  for (const auto& [input, reason] : cases) {
    auto parsed = parse_checkpoint(input);
    ASSERT_FALSE(parsed) << input;
    EXPECT_EQ(parsed.error().category, ErrorCategory::input);
    EXPECT_NE(parsed.error().message.find(reason), std::string::npos) << parsed.error().message;
    EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos);
    EXPECT_EQ(parsed.error().message.rfind("checkpoint: ", 0), 0u) << parsed.error().message;
  }
}

TEST(Checkpoint, EcdsaLogSignatureVerifiesByKeyHint) {
  auto log = make_log(KeyAlgorithm::ecdsa_p256, "rekor.example");
  const std::string text = note_text("rekor.example - 42");
  auto signature = sign_message(log.key.get(), text);  // ECDSA P-256 over SHA-256 of the text
  ASSERT_TRUE(signature);
  const CheckpointKey key{&log.public_key, log.log_id.substr(0, 4), ""};

  auto good = parse_checkpoint(text + "\n" + line("rekor.example", log.log_id.substr(0, 4), *signature));
  ASSERT_TRUE(good);
  EXPECT_TRUE(verify_checkpoint_signature(*good, key));

  // A witness line with another hint is ignored, before or after the log's line.
  auto witness = line("witness.example", "wxyz", std::string(72, 'w'));
  auto cosigned = parse_checkpoint(text + "\n" + witness + line("rekor.example", log.log_id.substr(0, 4), *signature));
  ASSERT_TRUE(cosigned);
  EXPECT_TRUE(verify_checkpoint_signature(*cosigned, key));

  // The right signature under the wrong key hint is not the log's.
  std::string other_hint = log.log_id.substr(0, 4);
  other_hint[0] = static_cast<char>(other_hint[0] ^ 0x04);
  auto wrong_hint = parse_checkpoint(text + "\n" + line("rekor.example", other_hint, *signature));
  ASSERT_TRUE(wrong_hint);
  auto refused = verify_checkpoint_signature(*wrong_hint, key);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().category, ErrorCategory::denied);
  EXPECT_NE(refused.error().message.find("no signature from the log"), std::string::npos);

  // The log's hint over another text (size changed after signing).
  auto tampered = parse_checkpoint(note_text("rekor.example - 42").replace(
                                       note_text("rekor.example - 42").find("736"), 3, "737") +
                                   "\n" + line("rekor.example", log.log_id.substr(0, 4), *signature));
  ASSERT_TRUE(tampered);
  refused = verify_checkpoint_signature(*tampered, key);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("does not verify"), std::string::npos);

  // A second line under the log's hint that does not verify spoils it.
  auto doubled = parse_checkpoint(text + "\n" + line("rekor.example", log.log_id.substr(0, 4), *signature) +
                                  line("rekor.example", log.log_id.substr(0, 4), std::string(70, 'x')));
  ASSERT_TRUE(doubled);
  EXPECT_FALSE(verify_checkpoint_signature(*doubled, key));
}

TEST(Checkpoint, Ed25519NoteVerifierMatchesNameAndC2spKeyHint) {
  const std::string name = "log2025-alpha1.rekor.example.dev";
  auto log = make_log(KeyAlgorithm::ed25519, name);
  const std::string text = note_text(name);
  auto signature = sign_message(log.key.get(), text);  // Ed25519 over the text itself
  ASSERT_TRUE(signature);
  ASSERT_EQ(signature->size(), 64u);
  const std::string hint = log.log_id.substr(0, 4);
  const CheckpointKey key{&log.public_key, hint, name};

  // An ECDSA cosignature by the same name under another hint, and a witness, are ignored.
  auto parsed = parse_checkpoint(text + "\n" + line("witness.example", "\x3b\xc3\xc7\xe4", std::string(72, 'w')) +
                                 line(name, hint, *signature) + line(name, "\x9a\x2c\x63\x55", std::string(70, 'e')));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(verify_checkpoint_signature(*parsed, key));

  // The same signature line under another name is not this log's verifier.
  auto renamed = parse_checkpoint(text + "\n" + line("other.example.dev", hint, *signature));
  ASSERT_TRUE(renamed);
  auto refused = verify_checkpoint_signature(*renamed, key);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("no signature from the log \"" + name + "\""), std::string::npos);

  // A bit flip in the signature.
  std::string flipped = *signature;
  flipped[10] = static_cast<char>(flipped[10] ^ 0x01);
  auto bad = parse_checkpoint(text + "\n" + line(name, hint, flipped));
  ASSERT_TRUE(bad);
  refused = verify_checkpoint_signature(*bad, key);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("does not verify"), std::string::npos);
}

}  // namespace
}  // namespace sigil::sign::detail
