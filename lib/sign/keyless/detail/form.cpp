#include "sign/keyless/detail/form.hpp"

#include <cctype>

namespace sigil::sign::keyless::detail {

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += percent_encode(name) + "=" + percent_encode(value);
  }
  return out;
}

std::string excerpt(std::string_view body) {
  std::string out;
  for (const char c : body.substr(0, 200)) {
    const auto byte = static_cast<unsigned char>(c);
    out += (std::isprint(byte) != 0) ? c : ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (body.size() > 200) out += "...";
  return out;
}

}  // namespace sigil::sign::keyless::detail
