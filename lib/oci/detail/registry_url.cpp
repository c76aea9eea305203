#include "oci/detail/registry_url.hpp"

#include <cctype>

namespace sigil::oci::detail {

std::string query_escape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string url_origin(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto path_start = url.find_first_of("/?#", scheme_end + 3);
  return std::string(url.substr(0, path_start));
}

std::string resolve_url(std::string_view request_url, std::string_view location) {
  if (location.starts_with("http://") || location.starts_with("https://")) return std::string(location);
  std::string origin = url_origin(request_url);
  if (location.starts_with("//")) {
    auto colon = request_url.find(':');
    return std::string(request_url.substr(0, colon + 1)) + std::string(location);
  }
  if (location.starts_with("/")) return origin + std::string(location);
  // Relative path: replace the last segment of the request path.
  std::string_view path = request_url.substr(origin.size());
  if (auto q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
  auto slash = path.rfind('/');
  std::string dir = slash == std::string_view::npos ? std::string("/") : std::string(path.substr(0, slash + 1));
  return origin + dir + std::string(location);
}

std::string add_query(std::string_view url, std::string_view name, std::string_view value) {
  std::string out(url);
  out += url.find('?') == std::string_view::npos ? '?' : '&';
  out += std::string(name) + "=" + query_escape(value);
  return out;
}

std::optional<std::string> next_link(const std::vector<std::string>& link_headers, std::string_view request_url) {
  for (const auto& header : link_headers) {
    std::string_view rest = header;
    // Each link-value is "<target>; param; param", several separated by commas (targets may hold commas).
    while (true) {
      auto open = rest.find('<');
      if (open == std::string_view::npos) break;
      auto close = rest.find('>', open);
      if (close == std::string_view::npos) break;
      std::string_view target = rest.substr(open + 1, close - open - 1);
      rest = rest.substr(close + 1);
      auto next_open = rest.find('<');
      std::string_view params = rest.substr(0, next_open);
      std::string lowered;
      for (char c : params) {
        if (c != ' ' && c != '"') lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      // rel may list several relation types ("rel=\"next prev\"" is rare; accept exact next).
      if (lowered.find("rel=next") != std::string::npos) return resolve_url(request_url, target);
      if (next_open == std::string_view::npos) break;
    }
  }
  return std::nullopt;
}

}  // namespace sigil::oci::detail
