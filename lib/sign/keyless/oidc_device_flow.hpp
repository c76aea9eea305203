// The OAuth 2.0 device authorization grant (RFC 8628) with PKCE (RFC 7636, S256) against an OIDC
// provider, as sigstore clients use it on a terminal without a browser callback: discover the
// endpoints, ask for a device code, show the user where to go, poll the token endpoint.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/http.hpp"
#include "sign/secret_bytes.hpp"

namespace sigil::sign::keyless {

struct DeviceFlowOptions {
  std::string issuer;               ///< OIDC issuer URL; discovery at <issuer>/.well-known/openid-configuration
  std::string client_id = "sigstore";
  std::string scope = "openid email";
  /// Receives the one message for the user (verification URL and user code).
  std::function<void(std::string_view)> prompt;
  /// Waits between polls; std::this_thread::sleep_for when unset (tests pass a no-op).
  std::function<void(std::chrono::seconds)> sleep;
  std::chrono::seconds max_wait{600};  ///< gives up after this much polling (also bounded by expires_in)
};

/// Runs the flow and returns the id_token. Network error for transport failures, HTTP errors and
/// malformed answers; denied error when the user refuses (access_denied) or the code expires.
[[nodiscard]] Result<SecretBytes> device_flow_token(http::Client& client, const DeviceFlowOptions& options);

/// PKCE: a random code verifier (43 characters, unreserved) and its S256 challenge.
struct PkcePair {
  std::string verifier;
  std::string challenge;
};
[[nodiscard]] PkcePair make_pkce_pair();

/// base64url(SHA-256(verifier)), the S256 challenge of RFC 7636.
[[nodiscard]] std::string pkce_challenge(std::string_view verifier);

}  // namespace sigil::sign::keyless
