// Loading the public keys a trusted root carries.
#pragma once

#include <string_view>

#include "common/error.hpp"
#include "sign/keys.hpp"

namespace sigil::sign::detail {

/// Loads a DER PKCS#1 RSAPublicKey (keyDetails "PKCS1_RSA_PKCS1V5", still used by Sigstore's
/// staging CT log). Input error when it does not load or is too small.
[[nodiscard]] Result<PublicKey> public_key_from_pkcs1_der(std::string_view der);

/// Loads the key of a trusted-root `publicKey` by its keyDetails: PKCS#1 for "PKCS1_RSA_PKCS1V5",
/// SubjectPublicKeyInfo otherwise; a PKIX_* name must agree with the key's algorithm.
[[nodiscard]] Result<PublicKey> public_key_for_details(std::string_view der, std::string_view key_details);

}  // namespace sigil::sign::detail
