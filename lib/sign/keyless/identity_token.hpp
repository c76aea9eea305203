// OIDC identity tokens for keyless signing: where they come from (a flag, SIGSTORE_ID_TOKEN, GitHub
// Actions, GitLab id_tokens, an interactive device flow) and what they claim. The token is a secret:
// it stays in SecretBytes and is never printed. Its signature is not verified here: Fulcio does that.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/http.hpp"
#include "sign/secret_bytes.hpp"
#include "sign/trusted_root.hpp"

namespace sigil::sign::keyless {

/// A JWT identity token and the claims signing needs.
struct IdentityToken {
  SecretBytes raw;                     ///< the compact JWT as given
  std::string issuer;                  ///< "iss"
  std::string subject;                 ///< "sub"
  std::string email;                   ///< "email", "" when absent
  std::vector<std::string> audiences;  ///< "aud" (a string or an array)
  std::optional<SigstoreTime> expiry;  ///< "exp"

  /// What the Fulcio proof of possession signs: `email` for email tokens, else `sub`.
  [[nodiscard]] const std::string& challenge() const { return email.empty() ? subject : email; }
};

/// Parses a compact JWT (three base64url parts, a JSON object payload). Input error for anything
/// else, for a payload without "iss" or "sub", or for a token that expired before `now` (the error
/// names the expiry time). The token text never appears in an error.
[[nodiscard]] Result<IdentityToken> parse_identity_token(std::string_view jwt, SigstoreTime now);

/// Reads the environment; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

/// Where to look for a token, in this order: `explicit_token` (--identity-token), SIGSTORE_ID_TOKEN
/// (also what GitLab's `id_tokens:` sets), GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL and
/// ACTIONS_ID_TOKEN_REQUEST_TOKEN, audience "sigstore"), then the interactive device flow against
/// `oidc_issuer` when `interactive` (stdin is a terminal) and an issuer is known.
struct TokenSources {
  std::string explicit_token;
  EnvLookup env;             ///< defaults to std::getenv when unset
  bool interactive = false;
  std::string oidc_issuer;   ///< e.g. "https://oauth2.sigstore.dev/auth"
  std::string client_id = "sigstore";
  /// Where the device flow tells the user what to do (stderr by default).
  std::function<void(std::string_view)> prompt;
};

/// The raw token from the first source that has one. Usage error naming the sources when none does;
/// network error when GitHub's token endpoint or the OIDC provider fails.
[[nodiscard]] Result<SecretBytes> find_identity_token(http::Client& client, const TokenSources& sources);

/// GET <request_url>&audience=<audience> with "Authorization: bearer <request_token>", as the GitHub
/// Actions toolkit does; returns the "value" member of the answer.
[[nodiscard]] Result<SecretBytes> github_actions_token(http::Client& client, std::string_view request_url,
                                                       std::string_view request_token, std::string_view audience);

}  // namespace sigil::sign::keyless
