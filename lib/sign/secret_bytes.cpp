#include "sign/secret_bytes.hpp"

#include <openssl/crypto.h>

namespace sigil::sign {

SecretBytes SecretBytes::adopt(std::string& bytes) {
  SecretBytes s(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  bytes.clear();
  return s;
}

SecretBytes::~SecretBytes() { wipe(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : bytes_(other.bytes_) { other.wipe(); }

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = other.bytes_;
    other.wipe();
  }
  return *this;
}

void SecretBytes::wipe() {
  // OPENSSL_cleanse is not optimized away, unlike a plain memset before destruction. Wipe the
  // whole capacity: short strings live in the object itself, longer ones in the heap buffer.
  OPENSSL_cleanse(bytes_.data(), bytes_.capacity());
  bytes_.clear();
}

}  // namespace sigil::sign
