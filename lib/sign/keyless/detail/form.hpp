// application/x-www-form-urlencoded bodies and query values (RFC 3986 unreserved kept as is).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigil::sign::keyless::detail {

[[nodiscard]] std::string percent_encode(std::string_view text);

/// "a=1&b=2" with every name and value percent-encoded.
[[nodiscard]] std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

/// The first 200 printable characters of a server's answer, for one-line error messages.
[[nodiscard]] std::string excerpt(std::string_view body);

}  // namespace sigil::sign::keyless::detail
