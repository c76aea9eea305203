#include "sign/tuf/detail/tuf_canonical_json.hpp"

namespace sigil::sign::tuf::detail {
namespace {

// securesystemslib's encode_canonical escapes exactly backslash and double quote; control
// characters stay raw bytes, which is why this cannot reuse nlohmann's dump().
void append_string(std::string& out, const std::string& text) {
  out += '"';
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  out += '"';
}

Result<void> append(std::string& out, const Json& value, const std::string& path, int depth) {
  if (depth > 64) return fail(ErrorCategory::input, "canonical JSON: nesting too deep at " + path);
  switch (value.type()) {
    case Json::value_t::null: out += "null"; return {};
    case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return {};
    case Json::value_t::number_integer: out += std::to_string(value.get<std::int64_t>()); return {};
    case Json::value_t::number_unsigned: out += std::to_string(value.get<std::uint64_t>()); return {};
    case Json::value_t::number_float:
      return fail(ErrorCategory::input, "canonical JSON: floating-point number at " + path);
    case Json::value_t::string: append_string(out, value.get_ref<const std::string&>()); return {};
    case Json::value_t::array: {
      out += '[';
      std::size_t i = 0;
      for (const auto& item : value) {
        if (i != 0) out += ',';
        if (auto r = append(out, item, path + "[" + std::to_string(i) + "]", depth + 1); !r) return r;
        ++i;
      }
      out += ']';
      return {};
    }
    case Json::value_t::object: {
      // nlohmann's default object is a std::map: iteration is already in byte order of the keys,
      // which for UTF-8 is code point order, the order securesystemslib's sort gives.
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out += ',';
        first = false;
        append_string(out, key);
        out += ':';
        if (auto r = append(out, item, path + "." + key, depth + 1); !r) return r;
      }
      out += '}';
      return {};
    }
    case Json::value_t::binary:
    case Json::value_t::discarded:
      break;
  }
  return fail(ErrorCategory::input, "canonical JSON: unsupported value at " + path);
}

}  // namespace

Result<std::string> canonical_json(const Json& value) {
  std::string out;
  if (auto r = append(out, value, "$", 0); !r) return std::unexpected(r.error());
  return out;
}

}  // namespace sigil::sign::tuf::detail
