// Content digests ("sha256:<64 hex>", "sha512:<128 hex>", and "sha384:<96 hex>", which Sigstore uses for
// P-384 signatures) and a streaming hasher over OpenSSL EVP.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace sigil::oci {

/// Supported digest algorithms.
enum class DigestAlgorithm { sha256, sha512, sha384 };

/// "sha256" / "sha512" / "sha384".
[[nodiscard]] std::string_view algorithm_name(DigestAlgorithm algorithm);

/// A validated digest: algorithm plus lower-case hex of the right length.
class Digest {
 public:
  Digest() = default;
  /// Parses "alg:hex"; input error for unknown algorithms, wrong length or non lower-case hex.
  [[nodiscard]] static Result<Digest> parse(std::string_view text);
  /// Digest of a complete byte string.
  [[nodiscard]] static Digest of(std::string_view bytes, DigestAlgorithm algorithm = DigestAlgorithm::sha256);

  [[nodiscard]] DigestAlgorithm algorithm() const { return algorithm_; }
  [[nodiscard]] const std::string& hex() const { return hex_; }
  /// "sha256:<hex>".
  [[nodiscard]] std::string str() const;
  [[nodiscard]] bool empty() const { return hex_.empty(); }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest& a, const Digest& b) { return a.str() <=> b.str(); }

 private:
  friend class Hasher;
  Digest(DigestAlgorithm algorithm, std::string hex) : algorithm_(algorithm), hex_(std::move(hex)) {}
  DigestAlgorithm algorithm_ = DigestAlgorithm::sha256;
  std::string hex_;
};

/// Incremental hasher: update() with chunks, then finish() once.
class Hasher {
 public:
  explicit Hasher(DigestAlgorithm algorithm = DigestAlgorithm::sha256);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void update(std::string_view bytes);
  /// The digest of everything passed to update(); the hasher must not be used afterwards.
  [[nodiscard]] Digest finish();
  [[nodiscard]] DigestAlgorithm algorithm() const { return algorithm_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  DigestAlgorithm algorithm_;
};

/// Checks that `bytes` hash to `expected`; integrity error naming `what` otherwise.
[[nodiscard]] Result<void> verify_digest(std::string_view bytes, const Digest& expected, std::string_view what);

}  // namespace sigil::oci
