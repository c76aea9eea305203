// WWW-Authenticate challenges (RFC 7235 syntax as registries send it): several challenges per
// header, auth-params with quoted strings holding commas and escaped quotes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::oci::detail {

/// One challenge: a scheme ("basic", "bearer", lower-cased) and its parameters (names lower-cased,
/// values unquoted and unescaped).
struct AuthChallenge {
  std::string scheme;
  std::map<std::string, std::string> params;

  /// Parameter value or "" when absent.
  [[nodiscard]] std::string param(const std::string& name) const;
};

/// Parses one WWW-Authenticate header value into its challenges, in order. Never fails: garbage is
/// skipped up to the next comma, an empty or hopeless header gives an empty list.
[[nodiscard]] std::vector<AuthChallenge> parse_auth_challenges(std::string_view header);

/// The challenge a registry client acts on from all WWW-Authenticate headers of a response:
/// Bearer (with a realm) preferred over Basic; nullopt when neither is offered.
[[nodiscard]] std::optional<AuthChallenge> pick_auth_challenge(const std::vector<std::string>& headers);

}  // namespace sigil::oci::detail
