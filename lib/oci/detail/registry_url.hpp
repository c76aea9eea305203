// URL pieces of the registry API: query encoding, Location resolution, Link pagination.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::oci::detail {

/// Percent-encodes a query parameter value (RFC 3986 unreserved characters stay).
[[nodiscard]] std::string query_escape(std::string_view value);

/// Resolves a Location or Link target against the URL of the request that returned it:
/// absolute URLs stay, "/path" keeps the scheme and authority, other relative paths resolve
/// against the request's directory.
[[nodiscard]] std::string resolve_url(std::string_view request_url, std::string_view location);

/// Appends "name=value" (value escaped) with '?' or '&' as the URL needs.
[[nodiscard]] std::string add_query(std::string_view url, std::string_view name, std::string_view value);

/// The target of the rel="next" link among Link header values (RFC 8288), resolved against
/// `request_url`; nullopt when there is none.
[[nodiscard]] std::optional<std::string> next_link(const std::vector<std::string>& link_headers,
                                                   std::string_view request_url);

/// "https://host:port" part of a URL (scheme and authority), or "" when it has none.
[[nodiscard]] std::string url_origin(std::string_view url);

}  // namespace sigil::oci::detail
