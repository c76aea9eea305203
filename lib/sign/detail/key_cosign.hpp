// Cosign's encrypted private key format (go-tuf "encrypted"): JSON with scrypt parameters,
// a nacl/secretbox nonce and the ciphertext of a PKCS#8 DER key.
#pragma once

#include <string_view>

#include "common/error.hpp"
#include "sign/secret_bytes.hpp"

namespace sigil::sign::detail {

/// The PKCS#8 DER inside cosign's JSON envelope; "wrong password?" when it does not open.
[[nodiscard]] Result<SecretBytes> decrypt_cosign_envelope(std::string_view json, const SecretBytes& password);

/// Cosign's JSON envelope around `plaintext` (scrypt N=65536 r=8 p=1, fresh salt and nonce).
[[nodiscard]] Result<std::string> encrypt_cosign_envelope(std::string_view plaintext, const SecretBytes& password);

}  // namespace sigil::sign::detail
