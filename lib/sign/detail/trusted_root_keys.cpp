// Trusted-root keys are DER without PEM framing. Both decoders insist on consuming every byte, so
// a key with trailing garbage is refused rather than silently truncated.
#include "sign/detail/trusted_root_keys.hpp"

#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "sign/detail/key_pem.hpp"
#include "sign/trusted_root.hpp"

namespace sigil::sign {
namespace {

Result<PublicKey> checked(PkeyPtr pkey) {
  auto algorithm = detail::check_key(pkey.get());
  if (!algorithm) return std::unexpected(algorithm.error());
  return PublicKey(std::move(pkey), *algorithm);
}

// The algorithm a PKIX_* keyDetails name promises; nullopt for names that promise nothing we check.
std::optional<KeyAlgorithm> promised_algorithm(std::string_view details) {
  if (details.starts_with("PKIX_ECDSA_P256")) return KeyAlgorithm::ecdsa_p256;
  if (details.starts_with("PKIX_ECDSA_P384")) return KeyAlgorithm::ecdsa_p384;
  if (details == "PKIX_ED25519" || details == "PKIX_ED25519_PH") return KeyAlgorithm::ed25519;
  if (details.starts_with("PKIX_RSA")) return KeyAlgorithm::rsa;
  return std::nullopt;
}

}  // namespace

Result<PublicKey> public_key_from_der(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const auto* end = p + der.size();
  PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pkey || p != end) {
    detail::clear_openssl_errors();
    return fail(ErrorCategory::input, "malformed DER SubjectPublicKeyInfo");
  }
  return checked(std::move(pkey));
}

namespace detail {

Result<PublicKey> public_key_from_pkcs1_der(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const auto* end = p + der.size();
  PkeyPtr pkey(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
  if (!pkey || p != end) {
    clear_openssl_errors();
    return fail(ErrorCategory::input, "malformed DER PKCS#1 RSA public key");
  }
  return checked(std::move(pkey));
}

Result<PublicKey> public_key_for_details(std::string_view der, std::string_view key_details) {
  if (key_details == "PKCS1_RSA_PKCS1V5") return public_key_from_pkcs1_der(der);
  auto key = public_key_from_der(der);
  if (!key) return key;
  if (auto promised = promised_algorithm(key_details); promised && *promised != key->algorithm()) {
    return fail(ErrorCategory::input, "keyDetails " + std::string(key_details) + " but the key is " +
                                          std::string(algorithm_name(key->algorithm())));
  }
  return key;
}

}  // namespace detail
}  // namespace sigil::sign
