#include "oci/digest.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace sigil::oci {
namespace {

struct Vector {
  std::string input;
  DigestAlgorithm algorithm;
  std::string expected;
};

// FIPS 180-2 examples and the empty string.
const Vector kVectors[] = {
    {"", DigestAlgorithm::sha256, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", DigestAlgorithm::sha256, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", DigestAlgorithm::sha256,
     "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"{}", DigestAlgorithm::sha256, "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},
    {"", DigestAlgorithm::sha512,
     "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd"
     "47417a81a538327af927da3e"},
    {"abc", DigestAlgorithm::sha512,
     "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d"
     "4423643ce80e2a9ac94fa54ca49f"},
};

TEST(Digest, KnownVectors) {
  for (const auto& v : kVectors) {
    Digest d = Digest::of(v.input, v.algorithm);
    EXPECT_EQ(d.str(), v.expected) << "input \"" << v.input << "\"";
    EXPECT_EQ(d.algorithm(), v.algorithm);
    auto parsed = Digest::parse(v.expected);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(*parsed, d);
    EXPECT_EQ(parsed->hex(), v.expected.substr(v.expected.find(':') + 1));
  }
  EXPECT_EQ(Digest::of("abc").algorithm(), DigestAlgorithm::sha256);  // the default
}

TEST(Digest, StreamingInChunksEqualsOneShot) {
  std::mt19937 rng(42);
  std::string data(1 << 20, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  for (auto alg : {DigestAlgorithm::sha256, DigestAlgorithm::sha512}) {
    Digest whole = Digest::of(data, alg);
    for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{65537}, data.size()}) {
      Hasher h(alg);
      EXPECT_EQ(h.algorithm(), alg);
      std::size_t limit = chunk == 1 ? 10000 : data.size();  // byte-by-byte only over a prefix, for speed
      for (std::size_t off = 0; off < limit; off += chunk) {
        h.update(std::string_view(data).substr(off, std::min(chunk, limit - off)));
      }
      Digest streamed = h.finish();
      EXPECT_EQ(streamed, Digest::of(std::string_view(data).substr(0, limit), alg)) << "chunk " << chunk;
      if (limit == data.size()) {
        EXPECT_EQ(streamed, whole);
      }
    }
  }
  Hasher empty_updates;
  empty_updates.update("");
  empty_updates.update("abc");
  empty_updates.update("");
  EXPECT_EQ(empty_updates.finish(), Digest::of("abc"));
}

TEST(Digest, HasherMoves) {
  Hasher a;
  a.update("ab");
  Hasher b = std::move(a);
  b.update("c");
  EXPECT_EQ(b.finish(), Digest::of("abc"));
}

TEST(Digest, ParseErrors) {
  const std::string hex64(64, 'a');
  const std::pair<std::string, std::string> table[] = {
      {"sha256:" + std::string(64, 'A'), "lower-case hex"},
      {"sha256:" + hex64.substr(0, 63) + "G", "lower-case hex"},
      {"sha256:" + hex64.substr(0, 63), "expected 64"},
      {"sha256:" + hex64 + "a", "expected 64"},
      {"sha256:", "expected 64"},
      {"sha512:" + hex64, "expected 128"},
      {"md5:" + std::string(32, 'a'), "unsupported algorithm \"md5\""},
      {"SHA256:" + hex64, "unsupported algorithm \"SHA256\""},
      {":" + hex64, "unsupported algorithm \"\""},
      {hex64, "expected ALGORITHM:HEX"},
      {"", "expected ALGORITHM:HEX"},
      {"sha256:" + hex64 + "\n", "expected 64"},
  };
  for (const auto& [text, why] : table) {
    auto d = Digest::parse(text);
    ASSERT_FALSE(d) << text;
    EXPECT_EQ(d.error().category, ErrorCategory::input);
    EXPECT_NE(d.error().message.find(why), std::string::npos) << d.error().message;
    EXPECT_EQ(d.error().message.rfind("invalid digest", 0), 0u) << d.error().message;
  }
}

TEST(Digest, EqualityOrderingAndEmpty) {
  Digest none;
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(Digest::of("").empty());
  EXPECT_NE(Digest::of("a"), Digest::of("b"));
  EXPECT_NE(Digest::of("a"), Digest::of("a", DigestAlgorithm::sha512));
  Digest x = *Digest::parse("sha256:" + std::string(64, '0'));
  Digest y = *Digest::parse("sha256:" + std::string(64, '1'));
  EXPECT_LT(x, y);
  EXPECT_EQ(algorithm_name(DigestAlgorithm::sha256), "sha256");
  EXPECT_EQ(algorithm_name(DigestAlgorithm::sha512), "sha512");
}

TEST(Digest, VerifyDigest) {
  Digest abc = Digest::of("abc");
  EXPECT_TRUE(verify_digest("abc", abc, "blob"));
  auto r = verify_digest("abd", abc, "blob " + abc.str());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::integrity);
  EXPECT_NE(r.error().message.find("expected " + abc.str()), std::string::npos);
  EXPECT_NE(r.error().message.find(Digest::of("abd").str()), std::string::npos);
  // The algorithm of the expected digest decides how the bytes are hashed.
  EXPECT_TRUE(verify_digest("abc", Digest::of("abc", DigestAlgorithm::sha512), "blob"));
}

}  // namespace
}  // namespace sigil::oci
