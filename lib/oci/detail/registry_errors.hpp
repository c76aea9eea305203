// Registry error responses (distribution-spec "Error Codes"): the {"errors":[...]} body parsed
// into a typed value, and the one-line Error every registry call returns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/http.hpp"

namespace sigil::oci::detail {

/// What a registry said when it refused a request.
struct RegistryError {
  long status = 0;
  std::vector<std::string> codes;  ///< e.g. MANIFEST_UNKNOWN, DENIED, TOOMANYREQUESTS (order kept)
  std::string message;             ///< message of the first error, else a short reason phrase
  bool temporary = false;          ///< 429 and 5xx (except 501): worth retrying

  /// True when `code` is among the codes.
  [[nodiscard]] bool has_code(std::string_view code) const;
};

/// Parses a non-2xx response. Never fails: a body that is not the spec's JSON leaves `codes` empty.
[[nodiscard]] RegistryError parse_registry_error(const http::Response& response);

/// True for statuses a client may retry: 429 and 5xx except 501 (Not Implemented) and 505.
[[nodiscard]] bool is_temporary_status(long status);

/// The Error for a failed request: "GET https://host/v2/repo/manifests/tag: 404 MANIFEST_UNKNOWN:
/// manifest unknown". Categories: 401 and 403 → input ("authentication required" / "access
/// denied" added when the registry gave no message); 429, 5xx → network; other statuses → input.
[[nodiscard]] Error registry_error(std::string_view method, std::string_view url, const http::Response& response);

}  // namespace sigil::oci::detail
