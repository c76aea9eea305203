// PEM ⇄ DER for X.509 certificates, with OpenSSL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::sign::keyless::detail {

/// Every CERTIFICATE block of `pem`, as DER, in order; nullopt when a block does not parse or none exists.
[[nodiscard]] std::optional<std::vector<std::string>> certificates_from_pem(std::string_view pem);

/// "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n".
[[nodiscard]] std::string certificate_to_pem(std::string_view der);

}  // namespace sigil::sign::keyless::detail
