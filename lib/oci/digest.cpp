#include "oci/digest.hpp"

#include <openssl/evp.h>

#include "common/hex.hpp"
#include "common/openssl_ptr.hpp"

namespace sigil::oci {

std::string_view algorithm_name(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::sha512: return "sha512";
    case DigestAlgorithm::sha384: return "sha384";
    case DigestAlgorithm::sha256: break;
  }
  return "sha256";
}

static std::size_t hex_length(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::sha512: return 128;
    case DigestAlgorithm::sha384: return 96;
    case DigestAlgorithm::sha256: break;
  }
  return 64;
}

static const EVP_MD* evp_digest(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::sha512: return EVP_sha512();
    case DigestAlgorithm::sha384: return EVP_sha384();
    case DigestAlgorithm::sha256: break;
  }
  return EVP_sha256();
}

Result<Digest> Digest::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return fail(ErrorCategory::input, "invalid digest \"" + std::string(text) + "\": expected ALGORITHM:HEX");
  }
  std::string_view alg = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  DigestAlgorithm algorithm;
  if (alg == "sha256") {
    algorithm = DigestAlgorithm::sha256;
  } else if (alg == "sha512") {
    algorithm = DigestAlgorithm::sha512;
  } else if (alg == "sha384") {
    algorithm = DigestAlgorithm::sha384;
  } else {
    return fail(ErrorCategory::input,
                "invalid digest \"" + std::string(text) + "\": unsupported algorithm \"" + std::string(alg) + "\"");
  }
  if (hex.size() != hex_length(algorithm) || !is_lower_hex(hex)) {
    return fail(ErrorCategory::input, "invalid digest \"" + std::string(text) + "\": expected " +
                                          std::to_string(hex_length(algorithm)) + " lower-case hex characters");
  }
  return Digest(algorithm, std::string(hex));
}

Digest Digest::of(std::string_view bytes, DigestAlgorithm algorithm) {
  Hasher h(algorithm);
  h.update(bytes);
  return h.finish();
}

std::string Digest::str() const { return std::string(algorithm_name(algorithm_)) + ":" + hex_; }

struct Hasher::Impl {
  MdCtxPtr ctx;
};

Hasher::Hasher(DigestAlgorithm algorithm) : impl_(std::make_unique<Impl>()), algorithm_(algorithm) {
  impl_->ctx.reset(EVP_MD_CTX_new());
  // Every algorithm is built into every OpenSSL 3 provider; failure here means memory exhaustion.
  EVP_DigestInit_ex(impl_->ctx.get(), evp_digest(algorithm), nullptr);
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(std::string_view bytes) { EVP_DigestUpdate(impl_->ctx.get(), bytes.data(), bytes.size()); }

Digest Hasher::finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx.get(), md, &len);
  return Digest(algorithm_, hex_encode({md, len}));
}

Result<void> verify_digest(std::string_view bytes, const Digest& expected, std::string_view what) {
  Digest actual = Digest::of(bytes, expected.algorithm());
  if (actual != expected) {
    return fail(ErrorCategory::integrity, std::string(what) + ": content has digest " + actual.str() +
                                              ", expected " + expected.str());
  }
  return {};
}

}  // namespace sigil::oci
