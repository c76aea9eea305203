// Raw signature primitives over EVP keys: ECDSA (P-256/P-384), Ed25519 and RSA, as cosign and
// sigstore use them. Signatures are DER for ECDSA, 64 raw bytes for Ed25519, modulus-sized for RSA.
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "oci/digest.hpp"

namespace sigil::sign {

/// Signs `message`: ECDSA P-256 with SHA-256, P-384 with SHA-384 (DER signature); Ed25519 over the
/// message itself; RSA PKCS#1 v1.5 with SHA-256. Input error for other key types or a public-only key.
[[nodiscard]] Result<std::string> sign_message(EVP_PKEY* key, std::string_view message);

/// Verifies `signature` over `message` with the same algorithm choice as sign_message; RSA accepts
/// PKCS#1 v1.5 or PSS (SHA-256). Denied error "signature does not verify with the given key" on a
/// mismatch; input error for an empty signature or unsupported key.
[[nodiscard]] Result<void> verify_message(EVP_PKEY* key, std::string_view message,
                                          std::string_view signature);

/// Verifies a signature given only the message digest (hashedrekord): `digest` holds the raw digest
/// bytes (not hex) computed with `algorithm`, which must match the length. Ed25519 keys are refused
/// (input error) because Ed25519 signs the message itself.
[[nodiscard]] Result<void> verify_digest_signature(EVP_PKEY* key, oci::DigestAlgorithm algorithm,
                                                   std::string_view digest, std::string_view signature);

}  // namespace sigil::sign
