#include "sign/detail/canonical_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace sigil::sign::detail {
namespace {

Error bad(std::string problem) { return Error{ErrorCategory::input, "canonical JSON: " + std::move(problem)}; }

// Decodes UTF-8 into UTF-16 code units (for RFC 8785 §3.2.3 key ordering); false on invalid UTF-8
// (overlong forms, surrogates, code points above U+10FFFF, truncated sequences).
bool to_utf16(std::string_view text, std::u16string& out) {
  out.clear();
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::uint32_t cp = 0;
    std::size_t length = 0;
    if (lead < 0x80) {
      cp = lead;
      length = 1;
    } else if ((lead & 0xE0) == 0xC0) {
      cp = lead & 0x1F;
      length = 2;
    } else if ((lead & 0xF0) == 0xE0) {
      cp = lead & 0x0F;
      length = 3;
    } else if ((lead & 0xF8) == 0xF0) {
      cp = lead & 0x07;
      length = 4;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3F);
    }
    constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinimum[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += length;
  }
  return true;
}

// RFC 8785 §3.2.2.2: only '"', '\\' and control characters are escaped; \b \t \n \f \r by name,
// the other controls as \u00xx in lower-case hex; everything else is written as UTF-8.
Result<void> write_string(std::string_view text, std::string& out) {
  std::u16string ignored;
  if (!to_utf16(text, ignored)) return std::unexpected(bad("string is not valid UTF-8"));
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[(static_cast<unsigned char>(c) >> 4) & 0xF]);
          out.push_back(kHex[static_cast<unsigned char>(c) & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return {};
}

// Integers are JSON numbers and therefore doubles in JCS: exact below 2^53, rounded above.
template <class Int>
std::string integer_text(Int value) {
  constexpr std::int64_t kExact = std::int64_t{1} << 53;
  const bool exact = value >= 0 ? static_cast<std::uint64_t>(value) <= static_cast<std::uint64_t>(kExact)
                                : static_cast<std::int64_t>(value) >= -kExact;
  if (exact) return std::to_string(value);
  return ecmascript_number(static_cast<double>(value));
}

template <class J>
Result<void> write_value(const J& value, std::string& out) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: out += "null"; return {};
    case nlohmann::json::value_t::boolean: out += value.template get<bool>() ? "true" : "false"; return {};
    case nlohmann::json::value_t::number_integer:
      out += integer_text(value.template get<std::int64_t>());
      return {};
    case nlohmann::json::value_t::number_unsigned:
      out += integer_text(value.template get<std::uint64_t>());
      return {};
    case nlohmann::json::value_t::number_float: {
      const double number = value.template get<double>();
      if (!std::isfinite(number)) return std::unexpected(bad("NaN and Infinity are not JSON numbers"));
      out += ecmascript_number(number);
      return {};
    }
    case nlohmann::json::value_t::string:
      return write_string(value.template get_ref<const std::string&>(), out);
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value) {
        if (!first) out.push_back(',');
        first = false;
        if (auto written = write_value(element, out); !written) return written;
      }
      out.push_back(']');
      return {};
    }
    case nlohmann::json::value_t::object: {
      // Sort member names by their UTF-16 code units (RFC 8785 §3.2.3), not by UTF-8 bytes.
      std::vector<std::pair<std::u16string, const std::string*>> keys;
      std::vector<const J*> values;
      for (auto it = value.begin(); it != value.end(); ++it) {
        std::u16string units;
        if (!to_utf16(it.key(), units)) return std::unexpected(bad("member name is not valid UTF-8"));
        keys.emplace_back(std::move(units), &it.key());
        values.push_back(&it.value());
      }
      std::vector<std::size_t> order(keys.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a].first < keys[b].first; });
      out.push_back('{');
      for (std::size_t n = 0; n < order.size(); ++n) {
        if (n > 0) out.push_back(',');
        if (auto written = write_string(*keys[order[n]].second, out); !written) return written;
        out.push_back(':');
        if (auto written = write_value(*values[order[n]], out); !written) return written;
      }
      out.push_back('}');
      return {};
    }
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded:
      break;
  }
  return std::unexpected(bad("value has no JSON form"));
}

template <class J>
Result<std::string> canonical(const J& value) {
  std::string out;
  if (auto written = write_value(value, out); !written) return std::unexpected(std::move(written.error()));
  return out;
}

}  // namespace

std::string ecmascript_number(double value) {
  if (value == 0) return "0";  // both +0 and -0
  std::string out;
  if (value < 0) {
    out.push_back('-');
    value = -value;
  }
  // Shortest round-trip digits (as ECMAScript requires) from std::to_chars, then ECMAScript layout
  // (ECMA-262 Number::toString steps 5-9) around k digits and decimal exponent n.
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
  const std::size_t e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int exponent = 0;
  std::string_view exponent_text = text.substr(e + 1);
  if (!exponent_text.empty() && exponent_text.front() == '+') exponent_text.remove_prefix(1);
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<std::size_t>(n));
    out.push_back('.');
    out += digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out += digits.substr(1);
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    out += std::to_string(n - 1 >= 0 ? n - 1 : 1 - n);
  }
  return out;
}

Result<std::string> canonical_json(const nlohmann::json& value) { return canonical(value); }
Result<std::string> canonical_json(const nlohmann::ordered_json& value) { return canonical(value); }

}  // namespace sigil::sign::detail
