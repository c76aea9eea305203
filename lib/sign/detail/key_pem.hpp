// PEM framing and key checks shared by the key loaders.
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/openssl_ptr.hpp"
#include "sign/keys.hpp"

namespace sigil::sign::detail {

/// One PEM block: its label ("PUBLIC KEY") and decoded body.
struct PemBlock {
  std::string label;
  std::string der;
};

/// The first PEM block of `text`; input error when there is none or it is malformed.
[[nodiscard]] Result<PemBlock> parse_pem(std::string_view text);

/// PEM text of `der` under `label`, 64 columns.
[[nodiscard]] std::string make_pem(std::string_view label, std::string_view der);

/// The algorithm of `pkey`, or an input error for unsupported kinds (other curves, small RSA).
[[nodiscard]] Result<KeyAlgorithm> check_key(const EVP_PKEY* pkey);

/// Drops OpenSSL's error queue so no stale errors leak into later calls.
void clear_openssl_errors();

}  // namespace sigil::sign::detail
