#include "sbom/filetree/detail/file_hash.hpp"

#include <array>
#include <span>

#include "common/hex.hpp"

namespace sigil::sbom::detail {
namespace {

std::string final_hex(EVP_MD_CTX* ctx) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  if (ctx == nullptr || EVP_DigestFinal_ex(ctx, out.data(), &size) != 1) return "";
  return hex_encode(std::span<const unsigned char>(out.data(), size));
}

}  // namespace

FileHasher::FileHasher() : sha1_(EVP_MD_CTX_new()), sha256_(EVP_MD_CTX_new()) {
  // A context that cannot start yields an empty digest rather than a wrong one.
  if (sha1_ && EVP_DigestInit_ex(sha1_.get(), EVP_sha1(), nullptr) != 1) sha1_.reset();
  if (sha256_ && EVP_DigestInit_ex(sha256_.get(), EVP_sha256(), nullptr) != 1) sha256_.reset();
}

void FileHasher::update(std::string_view bytes) {
  if (sha1_) EVP_DigestUpdate(sha1_.get(), bytes.data(), bytes.size());
  if (sha256_) EVP_DigestUpdate(sha256_.get(), bytes.data(), bytes.size());
}

FileHashes FileHasher::finish() {
  FileHashes out;
  if (auto h = final_hex(sha1_.get()); !h.empty()) out.emplace_back("SHA-1", h);
  if (auto h = final_hex(sha256_.get()); !h.empty()) out.emplace_back("SHA-256", h);
  sha1_.reset();
  sha256_.reset();
  return out;
}

FileHashes hash_bytes(std::string_view bytes) {
  FileHasher h;
  h.update(bytes);
  return h.finish();
}

}  // namespace sigil::sbom::detail
