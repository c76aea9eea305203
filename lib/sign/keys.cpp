// Key loading dispatches on the PEM label to exactly one DER decoder, then checks the key is of
// an accepted algorithm and size; OpenSSL's error queue is cleared on every failure so its
// multi-line stacks never reach users.
#include "sign/keys.hpp"

#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

#include "common/hex.hpp"
#include "sign/detail/key_cosign.hpp"
#include "sign/detail/key_pem.hpp"

namespace sigil::sign {
namespace {

using detail::clear_openssl_errors;
using P8InfoPtr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, sigil::detail::OpensslDeleter<PKCS8_PRIV_KEY_INFO_free>>;
using X509SigPtr = std::unique_ptr<X509_SIG, sigil::detail::OpensslDeleter<X509_SIG_free>>;

const unsigned char* der_ptr(std::string_view der) { return reinterpret_cast<const unsigned char*>(der.data()); }

Result<PkeyPtr> decode_failed(std::string_view what) {
  clear_openssl_errors();
  return fail(ErrorCategory::input, "malformed " + std::string(what));
}

Result<PkeyPtr> pkcs8_key(std::string_view der) {
  const unsigned char* p = der_ptr(der);
  P8InfoPtr info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!info) return decode_failed("PKCS#8 private key");
  PkeyPtr pkey(EVP_PKCS82PKEY(info.get()));
  if (!pkey) return decode_failed("PKCS#8 private key");
  return pkey;
}

Result<PkeyPtr> encrypted_pkcs8_key(std::string_view der, const SecretBytes& password) {
  const unsigned char* p = der_ptr(der);
  X509SigPtr sig(d2i_X509_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return decode_failed("encrypted PKCS#8 private key");
  auto pw = password.reveal();
  P8InfoPtr info(PKCS8_decrypt(sig.get(), pw.data(), static_cast<int>(pw.size())));
  if (!info) {
    clear_openssl_errors();
    return fail(ErrorCategory::input, "decrypt private key: wrong password?");
  }
  PkeyPtr pkey(EVP_PKCS82PKEY(info.get()));
  if (!pkey) return decode_failed("PKCS#8 private key");
  return pkey;
}

Result<PkeyPtr> typed_private_key(int type, std::string_view der, std::string_view what) {
  const unsigned char* p = der_ptr(der);
  PkeyPtr pkey(d2i_PrivateKey(type, nullptr, &p, static_cast<long>(der.size())));
  if (!pkey) return decode_failed(what);
  return pkey;
}

Result<PkeyPtr> decode_private(const detail::PemBlock& block, const SecretBytes& password) {
  if (block.label == "ENCRYPTED SIGSTORE PRIVATE KEY" || block.label == "ENCRYPTED COSIGN PRIVATE KEY") {
    auto der = detail::decrypt_cosign_envelope(block.der, password);
    if (!der) return std::unexpected(der.error());
    return pkcs8_key(der->reveal());
  }
  if (block.label == "ENCRYPTED PRIVATE KEY") return encrypted_pkcs8_key(block.der, password);
  if (block.label == "PRIVATE KEY") return pkcs8_key(block.der);
  if (block.label == "EC PRIVATE KEY") return typed_private_key(EVP_PKEY_EC, block.der, "SEC1 EC private key");
  if (block.label == "RSA PRIVATE KEY") return typed_private_key(EVP_PKEY_RSA, block.der, "PKCS#1 RSA private key");
  return fail(ErrorCategory::input, "PEM \"" + block.label + "\" is not a private key");
}

Result<PkeyPtr> decode_public(const detail::PemBlock& block) {
  const unsigned char* p = der_ptr(block.der);
  long len = static_cast<long>(block.der.size());
  if (block.label == "PUBLIC KEY") {
    PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, len));
    if (!pkey) return decode_failed("PKIX public key");
    return pkey;
  }
  if (block.label == "RSA PUBLIC KEY") {
    PkeyPtr pkey(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, len));
    if (!pkey) return decode_failed("PKCS#1 RSA public key");
    return pkey;
  }
  if (block.label == "CERTIFICATE") {
    X509Ptr cert(d2i_X509(nullptr, &p, len));
    if (!cert) return decode_failed("X.509 certificate");
    PkeyPtr pkey(X509_get_pubkey(cert.get()));
    if (!pkey) return decode_failed("X.509 certificate public key");
    return pkey;
  }
  return fail(ErrorCategory::input, "PEM \"" + block.label + "\" is not a public key or certificate");
}

}  // namespace

std::string_view algorithm_name(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::ecdsa_p256: return "ecdsa-p256";
    case KeyAlgorithm::ecdsa_p384: return "ecdsa-p384";
    case KeyAlgorithm::ed25519: return "ed25519";
    case KeyAlgorithm::rsa: return "rsa";
  }
  return "unknown";
}

std::string PublicKey::to_der() const {
  unsigned char* out = nullptr;
  int len = i2d_PUBKEY(pkey_.get(), &out);
  if (len <= 0) {
    clear_openssl_errors();
    return {};
  }
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return der;
}

std::string PublicKey::to_pem() const { return detail::make_pem("PUBLIC KEY", to_der()); }

std::string PublicKey::key_id() const {
  std::string der = to_der();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_Digest(der.data(), der.size(), md, &md_len, EVP_sha256(), nullptr);
  return hex_encode(std::span<const unsigned char>(md, md_len));
}

PublicKey PrivateKey::public_key() const {
  // Re-decoding the SubjectPublicKeyInfo yields a key object holding no private material.
  unsigned char* out = nullptr;
  int len = i2d_PUBKEY(pkey_.get(), &out);
  const unsigned char* p = out;
  PkeyPtr pub(len > 0 ? d2i_PUBKEY(nullptr, &p, len) : nullptr);
  OPENSSL_free(out);
  return PublicKey(std::move(pub), algorithm_);
}

SecretBytes PrivateKey::to_pkcs8_der() const {
  P8InfoPtr info(EVP_PKEY2PKCS8(pkey_.get()));
  if (!info) {
    clear_openssl_errors();
    return {};
  }
  unsigned char* out = nullptr;
  int len = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &out);
  if (len <= 0) {
    clear_openssl_errors();
    return {};
  }
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
  OPENSSL_clear_free(out, static_cast<std::size_t>(len));
  return SecretBytes::adopt(der);
}

Result<PrivateKey> load_private_key(std::string_view pem, const SecretBytes& password) {
  auto block = detail::parse_pem(pem);
  if (!block) return std::unexpected(block.error());
  auto pkey = decode_private(*block, password);
  // The outer DER may hold key bytes (PKCS#8, SEC1, PKCS#1): wipe our copy.
  OPENSSL_cleanse(block->der.data(), block->der.size());
  if (!pkey) return std::unexpected(pkey.error());
  auto algorithm = detail::check_key(pkey->get());
  if (!algorithm) return std::unexpected(algorithm.error());
  return PrivateKey(std::move(*pkey), *algorithm);
}

Result<PublicKey> load_public_key(std::string_view pem) {
  auto block = detail::parse_pem(pem);
  if (!block) return std::unexpected(block.error());
  auto pkey = decode_public(*block);
  if (!pkey) return std::unexpected(pkey.error());
  auto algorithm = detail::check_key(pkey->get());
  if (!algorithm) return std::unexpected(algorithm.error());
  return PublicKey(std::move(*pkey), *algorithm);
}

Result<PrivateKey> generate_private_key(KeyAlgorithm algorithm, int rsa_bits) {
  EVP_PKEY* raw = nullptr;
  switch (algorithm) {
    case KeyAlgorithm::ecdsa_p256: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case KeyAlgorithm::ecdsa_p384: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case KeyAlgorithm::ed25519: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
    case KeyAlgorithm::rsa:
      if (rsa_bits < 2048 || rsa_bits > 16384)
        return fail(ErrorCategory::usage, "RSA key size " + std::to_string(rsa_bits) + " is out of range (2048..16384)");
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits));
      break;
  }
  PkeyPtr pkey(raw);
  if (!pkey) {
    clear_openssl_errors();
    return fail(ErrorCategory::internal, "key generation failed");
  }
  return PrivateKey(std::move(pkey), algorithm);
}

Result<std::string> encrypt_cosign_private_key(const PrivateKey& key, const SecretBytes& password) {
  SecretBytes der = key.to_pkcs8_der();
  if (der.empty()) return fail(ErrorCategory::internal, "cannot encode the private key as PKCS#8");
  auto json = detail::encrypt_cosign_envelope(der.reveal(), password);
  if (!json) return std::unexpected(json.error());
  return detail::make_pem("ENCRYPTED SIGSTORE PRIVATE KEY", *json);
}

}  // namespace sigil::sign
