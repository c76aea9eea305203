// What the RegistryStore helpers share: the session, the repository and its API base URL, and
// the manifest GET every pull path uses.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/http.hpp"
#include "oci/reference.hpp"
#include "oci/registry_session.hpp"

namespace sigil::oci::detail {

/// A manifest as a registry served it.
struct ManifestResponse {
  bool found = false;         ///< false on 404 (MANIFEST_UNKNOWN, NAME_UNKNOWN)
  std::string raw;            ///< the bytes, exactly as received
  std::string media_type;     ///< Content-Type without parameters
  std::string header_digest;  ///< Docker-Content-Digest, "" when absent
  std::string url;
  std::optional<Error> not_found;  ///< the registry's 404 as an Error, for callers that need the manifest
};

/// The Accept header for manifests: OCI manifest and index, Docker manifest and list
/// (`preferred` first when given).
[[nodiscard]] std::string manifest_accept(std::string_view preferred = {});

/// Content-Type without parameters, lower-cased.
[[nodiscard]] std::string bare_media_type(std::string_view content_type);

struct RegistryContext {
  RegistrySession& session;
  Reference ref;
  std::string repo_url;  ///< "https://host/v2/NAME"

  /// Scopes for reading this repository / for writing it.
  [[nodiscard]] std::vector<std::string> pull_scopes() const;
  [[nodiscard]] std::vector<std::string> push_scopes() const;

  /// Sends through the session with pull (or push) scopes.
  [[nodiscard]] Result<http::Response> send(http::Request request, bool push = false);

  /// GET /v2/NAME/manifests/REF reading at most `limit` bytes: bytes beyond it abort the transfer
  /// with `over_limit` as the error. Any status other than 200 and 404 is an error.
  [[nodiscard]] Result<ManifestResponse> get_manifest(std::string_view reference, std::size_t limit,
                                                      const Error& over_limit, std::string_view preferred_type = {});
};

}  // namespace sigil::oci::detail
