// RFC 6962 inclusion proofs: every leaf of every tree of 1..8 leaves, with the tree hash and the
// audit path computed here straight from the RFC 6962 §2.1 definitions (MTH, PATH), independently
// of the verifier's RFC 9162 loop.
#include "sign/detail/merkle.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "common/hex.hpp"

namespace sigil::sign::detail {
namespace {

std::string hex(std::string_view bytes) {
  return hex_encode(std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
}

// The largest power of two smaller than n (n > 1).
std::size_t split_point(std::size_t n) {
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

std::string mth(const std::vector<std::string>& leaves, std::size_t begin, std::size_t end) {
  if (end - begin == 1) return merkle_leaf_hash(leaves[begin]);
  const std::size_t k = split_point(end - begin);
  return merkle_node_hash(mth(leaves, begin, begin + k), mth(leaves, begin + k, end));
}

// RFC 6962 §2.1.1 PATH(m, D[n]).
std::vector<std::string> path(std::size_t m, const std::vector<std::string>& leaves, std::size_t begin, std::size_t end) {
  const std::size_t n = end - begin;
  if (n == 1) return {};
  const std::size_t k = split_point(n);
  std::vector<std::string> result;
  if (m < k) {
    result = path(m, leaves, begin, begin + k);
    result.push_back(mth(leaves, begin + k, end));
  } else {
    result = path(m - k, leaves, begin + k, end);
    result.push_back(mth(leaves, begin, begin + k));
  }
  return result;
}

std::vector<std::string> make_leaves(std::size_t n) {
  std::vector<std::string> leaves;
  for (std::size_t i = 0; i < n; ++i) leaves.push_back("leaf " + std::to_string(i));
  return leaves;
}

TEST(Merkle, HashesAreDomainSeparated) {
  // SHA-256 of the single byte 0x00: the leaf hash of an empty entry (RFC 6962 test vectors).
  EXPECT_EQ(hex(merkle_leaf_hash("")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(hex(sha256_raw("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_NE(merkle_leaf_hash("ab"), sha256_raw("ab"));
  const std::string a(32, 'a');
  const std::string b(32, 'b');
  EXPECT_NE(merkle_node_hash(a, b), merkle_node_hash(b, a));
  EXPECT_EQ(merkle_node_hash(a, b), sha256_raw("\x01" + a + b));
}

TEST(Merkle, EveryLeafOfTreesOfOneToEightLeaves) {
  for (std::size_t n = 1; n <= 8; ++n) {
    const auto leaves = make_leaves(n);
    const std::string root = mth(leaves, 0, n);
    for (std::size_t m = 0; m < n; ++m) {
      SCOPED_TRACE("tree " + std::to_string(n) + " leaf " + std::to_string(m));
      const auto proof = path(m, leaves, 0, n);
      const auto leaf = merkle_leaf_hash(leaves[m]);
      auto computed = root_from_inclusion_proof(m, n, leaf, proof);
      ASSERT_TRUE(computed) << computed.error().message;
      EXPECT_EQ(hex(*computed), hex(root));
      EXPECT_TRUE(verify_inclusion_proof(m, n, leaf, proof, root));
    }
  }
}

TEST(Merkle, TamperedProofsAreRefused) {
  const std::size_t n = 7;
  const auto leaves = make_leaves(n);
  const std::string root = mth(leaves, 0, n);
  for (std::size_t m = 0; m < n; ++m) {
    SCOPED_TRACE("leaf " + std::to_string(m));
    const auto proof = path(m, leaves, 0, n);
    const auto leaf = merkle_leaf_hash(leaves[m]);
    // A flipped bit in any proof hash.
    for (std::size_t i = 0; i < proof.size(); ++i) {
      auto tampered = proof;
      tampered[i][5] = static_cast<char>(tampered[i][5] ^ 0x01);
      auto result = verify_inclusion_proof(m, n, leaf, tampered, root);
      ASSERT_FALSE(result);
      EXPECT_EQ(result.error().category, ErrorCategory::denied);
    }
    // Another leaf, another index, another root.
    EXPECT_FALSE(verify_inclusion_proof(m, n, merkle_leaf_hash("other"), proof, root));
    EXPECT_FALSE(verify_inclusion_proof((m + 1) % n, n, leaf, proof, root));
    EXPECT_FALSE(verify_inclusion_proof(m, n, leaf, proof, mth(leaves, 0, n - 1)));
    // The right leaf with the hash of the entry itself (no 0x00 prefix) is not a leaf hash.
    EXPECT_FALSE(verify_inclusion_proof(m, n, sha256_raw(leaves[m]), proof, root));
  }
}

TEST(Merkle, WrongTreeSizeOrProofLengthIsRefused) {
  const auto leaves = make_leaves(6);
  const std::string root = mth(leaves, 0, 6);
  // The last leaves' paths depend on the size. (An inner leaf's path can be the same in trees of
  // several sizes: the size is bound by the signed checkpoint, which the caller compares.)
  const auto last = path(5, leaves, 0, 6);
  const auto last_leaf = merkle_leaf_hash(leaves[5]);
  ASSERT_TRUE(verify_inclusion_proof(5, 6, last_leaf, last, root));
  for (std::uint64_t size : {3u, 5u, 7u, 8u, 9u, 1000u}) {
    EXPECT_FALSE(verify_inclusion_proof(5, size, last_leaf, last, root)) << size;
  }
  const auto proof = path(2, leaves, 0, 6);
  const auto leaf = merkle_leaf_hash(leaves[2]);
  for (std::uint64_t size : {3u, 4u, 2u, 1000u}) {
    EXPECT_FALSE(verify_inclusion_proof(2, size, leaf, proof, root)) << size;
  }
  auto longer = proof;
  longer.push_back(std::string(32, 'x'));
  auto result = verify_inclusion_proof(2, 6, leaf, longer, root);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::denied);
  auto shorter = proof;
  shorter.pop_back();
  result = verify_inclusion_proof(2, 6, leaf, shorter, root);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::denied);
}

TEST(Merkle, MalformedProofsAreInputErrors) {
  const std::string leaf = merkle_leaf_hash("x");
  auto result = root_from_inclusion_proof(3, 3, leaf, {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::input);
  EXPECT_NE(result.error().message.find("not below tree size"), std::string::npos);
  EXPECT_FALSE(root_from_inclusion_proof(0, 0, leaf, {}));
  result = root_from_inclusion_proof(0, 2, leaf, {std::string(31, 'a')});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::input);
  EXPECT_FALSE(root_from_inclusion_proof(0, 2, "short", {std::string(32, 'a')}));
  // A single-leaf tree: the root is the leaf hash and the proof is empty.
  auto single = root_from_inclusion_proof(0, 1, leaf, {});
  ASSERT_TRUE(single);
  EXPECT_EQ(*single, leaf);
}

}  // namespace
}  // namespace sigil::sign::detail
