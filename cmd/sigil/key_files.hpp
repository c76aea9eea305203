// Reading key files for the commands that sign or verify: passwords from SIGIL_PASSWORD, then
// COSIGN_PASSWORD (so cosign users' scripts keep working), then a terminal prompt with echo off.
#pragma once

#include <string>

#include "common/error.hpp"
#include "sign/keys.hpp"
#include "sign/secret_bytes.hpp"

namespace sigil::cli {

/// The largest key file read (keys are a few KiB; certificates chains more).
inline constexpr std::size_t kMaxKeyFileBytes = 1024 * 1024;

/// The password for a private key. `confirm` asks twice on a terminal (for a new key) and refuses a
/// mismatch. Usage error when no variable is set and stdin is not a terminal.
[[nodiscard]] Result<sign::SecretBytes> read_password(bool confirm);

/// Loads the private key at `path`, asking for a password only when the PEM is encrypted. Prints a
/// warning on stderr when the file is readable by group or others, as ssh does for its keys.
[[nodiscard]] Result<sign::PrivateKey> load_signing_key(const std::string& path);

/// Loads a public key (PKIX or PKCS#1 PEM, or an X.509 certificate) from `path`.
[[nodiscard]] Result<sign::PublicKey> load_verification_key(const std::string& path);

}  // namespace sigil::cli
