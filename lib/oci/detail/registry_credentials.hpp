// Registry credentials from a docker config.json, as docker and its credential helpers store them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace sigil::oci::detail {

/// A username and password (or token used as password) for basic auth and token requests.
struct BasicCredentials {
  std::string username;
  std::string password;
};

/// Where the docker config lives: `dir` when set, else $DOCKER_CONFIG, else $HOME/.docker.
[[nodiscard]] std::filesystem::path docker_config_dir(const std::filesystem::path& dir);

/// The config.json keys that name `registry` the way docker matches them: the host itself,
/// "https://host", "http://host" (with any path), and for docker.io the legacy
/// "https://index.docker.io/v1/" and its host spellings.
[[nodiscard]] std::vector<std::string> credential_keys(const std::string& registry);

/// Looks up credentials for `registry` (as written in references: "docker.io", "host:port").
/// Order: "credHelpers" entry for the registry (docker-credential-<name> get), then an "auths"
/// entry holding "auth" (base64 user:pass) or "username"/"password", then "credsStore".
/// nullopt means anonymous: no config file, no matching entry, a helper that is not installed or
/// answers "credentials not found". Entries with only an "identitytoken" are skipped (the OAuth2
/// refresh-token grant is not implemented), as is a helper answer with Username "<token>".
/// Errors: an unreadable or malformed config.json (input), a helper failing otherwise (input).
[[nodiscard]] Result<std::optional<BasicCredentials>> lookup_credentials(const std::string& registry,
                                                                        const std::filesystem::path& config_dir);

/// Runs `docker-credential-<helper> get` with `server_url` on stdin (found on PATH).
/// nullopt when the helper is missing or has no credentials for the server.
[[nodiscard]] Result<std::optional<BasicCredentials>> run_credential_helper(const std::string& helper,
                                                                           const std::string& server_url);

}  // namespace sigil::oci::detail
