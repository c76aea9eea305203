// Signing keys: loading every PEM kind users bring (cosign's encrypted keys, PKCS#8, SEC1,
// PKCS#1, X.509 certificates), generating new keys and writing cosign-compatible encrypted keys.
// Only ECDSA P-256/P-384, Ed25519 and RSA >= 2048 bits are accepted.
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/openssl_ptr.hpp"
#include "sign/secret_bytes.hpp"

namespace sigil::sign {

/// The key types sigil signs and verifies with.
enum class KeyAlgorithm { ecdsa_p256, ecdsa_p384, ed25519, rsa };

/// "ecdsa-p256", "ecdsa-p384", "ed25519", "rsa".
[[nodiscard]] std::string_view algorithm_name(KeyAlgorithm algorithm);

/// A public key of an accepted algorithm.
class PublicKey {
 public:
  PublicKey(PkeyPtr pkey, KeyAlgorithm algorithm) : pkey_(std::move(pkey)), algorithm_(algorithm) {}

  [[nodiscard]] KeyAlgorithm algorithm() const { return algorithm_; }
  /// PKIX SubjectPublicKeyInfo as PEM ("-----BEGIN PUBLIC KEY-----").
  [[nodiscard]] std::string to_pem() const;
  /// DER SubjectPublicKeyInfo.
  [[nodiscard]] std::string to_der() const;
  /// Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo: stable across encodings of the key.
  [[nodiscard]] std::string key_id() const;
  /// The OpenSSL handle (for verification code); never null.
  [[nodiscard]] EVP_PKEY* get() const { return pkey_.get(); }

 private:
  PkeyPtr pkey_;
  KeyAlgorithm algorithm_;
};

/// A private key of an accepted algorithm. Move-only; OpenSSL clears its memory when freed.
class PrivateKey {
 public:
  PrivateKey(PkeyPtr pkey, KeyAlgorithm algorithm) : pkey_(std::move(pkey)), algorithm_(algorithm) {}

  [[nodiscard]] KeyAlgorithm algorithm() const { return algorithm_; }
  /// The matching public key.
  [[nodiscard]] PublicKey public_key() const;
  /// Unencrypted PKCS#8 DER; handle as a secret.
  [[nodiscard]] SecretBytes to_pkcs8_der() const;
  /// The OpenSSL handle (for signing code); never null.
  [[nodiscard]] EVP_PKEY* get() const { return pkey_.get(); }

 private:
  PkeyPtr pkey_;
  KeyAlgorithm algorithm_;
};

/// Loads a private key from PEM: "ENCRYPTED SIGSTORE PRIVATE KEY" / "ENCRYPTED COSIGN PRIVATE KEY"
/// (scrypt + nacl/secretbox, N of 32768, 65536 or 131072), "ENCRYPTED PRIVATE KEY" (PKCS#8 with
/// `password`), "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY" (SEC1), "RSA PRIVATE KEY" (PKCS#1).
/// A wrong password is one input error ending in "wrong password?".
[[nodiscard]] Result<PrivateKey> load_private_key(std::string_view pem, const SecretBytes& password);

/// Loads a public key from PEM: "PUBLIC KEY" (PKIX), "RSA PUBLIC KEY" (PKCS#1) or "CERTIFICATE"
/// (the certificate's subject key).
[[nodiscard]] Result<PublicKey> load_public_key(std::string_view pem);

/// A fresh key; `rsa_bits` is used only for KeyAlgorithm::rsa and must be >= 2048.
[[nodiscard]] Result<PrivateKey> generate_private_key(KeyAlgorithm algorithm, int rsa_bits = 3072);

/// The key as cosign writes it: PEM "ENCRYPTED SIGSTORE PRIVATE KEY" holding JSON with scrypt
/// (N=65536, r=8, p=1, random 32-byte salt) and nacl/secretbox (random 24-byte nonce) over PKCS#8 DER.
[[nodiscard]] Result<std::string> encrypt_cosign_private_key(const PrivateKey& key, const SecretBytes& password);

}  // namespace sigil::sign
