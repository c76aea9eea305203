#include "oci/detail/registry_auth_challenge.hpp"

#include <cctype>

namespace sigil::oci::detail {
namespace {

bool is_tchar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A cursor over the header; every method stops at the end of the text.
struct Scanner {
  std::string_view s;
  std::size_t pos = 0;

  [[nodiscard]] bool done() const { return pos >= s.size(); }
  [[nodiscard]] char peek() const { return done() ? '\0' : s[pos]; }
  void skip_spaces() {
    while (!done() && is_space(s[pos])) ++pos;
  }
  void skip_spaces_and_commas() {
    while (!done() && (is_space(s[pos]) || s[pos] == ',')) ++pos;
  }
  std::string_view token() {
    std::size_t start = pos;
    while (!done() && is_tchar(s[pos])) ++pos;
    return s.substr(start, pos - start);
  }
  // quoted-string with backslash escapes; an unterminated string runs to the end.
  std::string quoted() {
    std::string out;
    ++pos;  // opening quote
    while (!done()) {
      char c = s[pos++];
      if (c == '"') return out;
      if (c == '\\' && !done()) c = s[pos++];
      out += c;
    }
    return out;
  }
  // Unquoted values are read leniently up to a comma or space (realms such as
  // https://auth.example/token are not RFC tokens, but registries send them unquoted).
  std::string bare_value() {
    std::size_t start = pos;
    while (!done() && s[pos] != ',' && !is_space(s[pos])) ++pos;
    return std::string(s.substr(start, pos - start));
  }
  void skip_to_comma() {
    while (!done() && s[pos] != ',') {
      if (s[pos] == '"') {
        (void)quoted();
      } else {
        ++pos;
      }
    }
  }
};

}  // namespace

std::string AuthChallenge::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::vector<AuthChallenge> parse_auth_challenges(std::string_view header) {
  std::vector<AuthChallenge> out;
  Scanner sc{header};
  while (true) {
    sc.skip_spaces_and_commas();
    if (sc.done()) break;
    std::string_view scheme = sc.token();
    if (scheme.empty()) {  // not a scheme: skip this list element
      ++sc.pos;
      sc.skip_to_comma();
      continue;
    }
    AuthChallenge challenge{lower(scheme), {}};
    // Parameters follow until a list element that is not "name=value", which starts the next challenge.
    while (true) {
      sc.skip_spaces_and_commas();
      if (sc.done()) break;
      std::size_t name_start = sc.pos;
      std::string_view name = sc.token();
      sc.skip_spaces();
      if (name.empty()) {  // stray character: drop up to the next comma
        ++sc.pos;
        sc.skip_to_comma();
        continue;
      }
      if (sc.peek() != '=') {
        // A bare token is the next challenge's scheme ("Basic realm=x, Bearer realm=y").
        sc.pos = name_start;
        break;
      }
      ++sc.pos;  // '='
      // token68 padding ("abc==") is not a parameter: skip the whole element.
      if (sc.peek() == '=') {
        sc.skip_to_comma();
        continue;
      }
      sc.skip_spaces();
      std::string value = sc.peek() == '"' ? sc.quoted() : sc.bare_value();
      challenge.params[lower(name)] = std::move(value);
      sc.skip_spaces();
      if (!sc.done() && sc.peek() != ',') sc.skip_to_comma();  // junk after a value
    }
    out.push_back(std::move(challenge));
  }
  return out;
}

std::optional<AuthChallenge> pick_auth_challenge(const std::vector<std::string>& headers) {
  std::optional<AuthChallenge> basic;
  for (const auto& h : headers) {
    for (auto& c : parse_auth_challenges(h)) {
      if (c.scheme == "bearer" && !c.param("realm").empty()) return c;
      if (c.scheme == "basic" && !basic) basic = c;
    }
  }
  return basic;
}

}  // namespace sigil::oci::detail
