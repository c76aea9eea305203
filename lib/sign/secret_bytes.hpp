// Secrets (private keys, passwords, tokens) in a type that never prints, never copies silently,
// zeroizes its memory when destroyed, and gives its bytes out only through reveal().
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sigil::sign {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string_view bytes) : bytes_(bytes) {}
  /// Takes over a string and wipes the caller's copy.
  static SecretBytes adopt(std::string& bytes);
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  /// The secret itself: the one explicit way to use it. Do not log or copy the result.
  [[nodiscard]] std::string_view reveal() const { return bytes_; }
  [[nodiscard]] std::size_t size() const { return bytes_.size(); }
  [[nodiscard]] bool empty() const { return bytes_.empty(); }

 private:
  void wipe();
  std::string bytes_;
};

}  // namespace sigil::sign
