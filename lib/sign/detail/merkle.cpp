#include "sign/detail/merkle.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>

namespace sigil::sign::detail {
namespace {

constexpr std::size_t kHashSize = 32;

std::string sha256_parts(std::string_view prefix, std::string_view a, std::string_view b = {}) {
  std::array<unsigned char, kHashSize> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int length = 0;
  if (ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1) {
    EVP_DigestUpdate(ctx, prefix.data(), prefix.size());
    EVP_DigestUpdate(ctx, a.data(), a.size());
    EVP_DigestUpdate(ctx, b.data(), b.size());
    EVP_DigestFinal_ex(ctx, out.data(), &length);
  }
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

}  // namespace

std::string sha256_raw(std::string_view bytes) { return sha256_parts({}, bytes); }

std::string merkle_leaf_hash(std::string_view entry) { return sha256_parts(std::string_view("\0", 1), entry); }

std::string merkle_node_hash(std::string_view left, std::string_view right) {
  return sha256_parts("\x01", left, right);
}

Result<std::string> root_from_inclusion_proof(std::uint64_t index, std::uint64_t tree_size,
                                              std::string_view leaf_hash, const std::vector<std::string>& proof) {
  if (index >= tree_size) {
    return fail(ErrorCategory::input, "inclusion proof: log index " + std::to_string(index) +
                                          " is not below tree size " + std::to_string(tree_size));
  }
  if (leaf_hash.size() != kHashSize) return fail(ErrorCategory::input, "inclusion proof: leaf hash is not 32 bytes");
  // RFC 9162 §2.1.3.2: fn walks the leaf's path, sn the tree's last leaf; a left sibling is taken
  // whenever fn is a right child or the last node of its level (then the levels without a
  // sibling are skipped).
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (p.size() != kHashSize) return fail(ErrorCategory::input, "inclusion proof: a hash is not 32 bytes");
    if (sn == 0) return fail(ErrorCategory::denied, "inclusion proof has too many hashes for its index and tree size");
    if ((fn & 1) == 1 || fn == sn) {
      r = merkle_node_hash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = merkle_node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return fail(ErrorCategory::denied, "inclusion proof has too few hashes for its index and tree size");
  return r;
}

Result<void> verify_inclusion_proof(std::uint64_t index, std::uint64_t tree_size, std::string_view leaf_hash,
                                    const std::vector<std::string>& proof, std::string_view root_hash) {
  auto root = root_from_inclusion_proof(index, tree_size, leaf_hash, proof);
  if (!root) return std::unexpected(std::move(root.error()));
  if (root->size() != root_hash.size() || CRYPTO_memcmp(root->data(), root_hash.data(), root->size()) != 0) {
    return fail(ErrorCategory::denied, "inclusion proof does not match the root hash");
  }
  return {};
}

}  // namespace sigil::sign::detail
