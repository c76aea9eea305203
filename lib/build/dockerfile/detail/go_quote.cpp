#include "build/dockerfile/detail/go_quote.hpp"

#include "build/dockerfile/detail/unicode.hpp"

namespace sigil::build::dockerfile::detail {

std::string go_quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x80) {
      // Valid UTF-8 is kept; an invalid byte is shown as \xNN, as Go's %q does.
      std::size_t width = 1;
      const char32_t cp = decode_utf8(text, i, width);
      if (cp == 0xFFFD && width == 1) {
        out += "\\x";
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xF]);
      } else {
        out.append(text.substr(i, width));
        i += width - 1;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (b < 0x20 || b == 0x7F) {
          out += "\\x";
          out.push_back(kHex[b >> 4]);
          out.push_back(kHex[b & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out += "\"";
  return out;
}

}  // namespace sigil::build::dockerfile::detail
