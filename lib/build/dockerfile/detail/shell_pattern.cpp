#include "build/dockerfile/detail/shell_pattern.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "build/dockerfile/detail/unicode.hpp"

namespace sigil::build::dockerfile::detail {
namespace {

// Each `*` is one level of backtracking recursion.
constexpr std::size_t kMaxStars = 256;

struct Token {
  enum Kind { literal, one, many } kind = literal;
  char32_t ch = 0;
};

std::u32string decode(std::string_view text) {
  std::u32string out;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t width = 1;
    out.push_back(decode_utf8(text, pos, width));
    pos += width;
  }
  return out;
}

std::string encode(std::u32string_view text) {
  std::string out;
  for (char32_t cp : text) append_utf8(out, cp);
  return out;
}

std::expected<std::vector<Token>, std::string> compile(std::string_view pattern) {
  const std::u32string p = decode(pattern);
  std::vector<Token> tokens;
  std::size_t stars = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char32_t c = p[i];
    if (c == U'*') {
      if (++stars > kMaxStars) return std::unexpected("more than " + std::to_string(kMaxStars) + " wildcards");
      tokens.push_back({Token::many, 0});
    } else if (c == U'?') {
      tokens.push_back({Token::one, 0});
    } else if (c == U'\\') {
      // "\}" and "\/" only protect the ${...} delimiters: the backslash is not part of the pattern.
      if (i + 1 < p.size() && (p[i + 1] == U'}' || p[i + 1] == U'/')) continue;
      if (i + 1 >= p.size() || (p[i + 1] != U'*' && p[i + 1] != U'?' && p[i + 1] != U'\\')) {
        std::string shown;
        if (i + 1 < p.size()) append_utf8(shown, p[i + 1]);
        return std::unexpected("invalid escape '\\" + shown + "'");
      }
      tokens.push_back({Token::literal, p[++i]});
    } else {
      tokens.push_back({Token::literal, c});
    }
  }
  return tokens;
}

// Leftmost-first backtracking from `start`: stars try the longest run first when greedy, the
// shortest first otherwise, which is the order Go's regexp (Perl semantics) prefers. A
// (token, position) pair that failed once always fails, so failures are remembered: patterns
// with many stars stay polynomial instead of exponential.
class Matcher {
 public:
  Matcher(const std::vector<Token>& tokens, const std::u32string& value, bool greedy)
      : tokens_(tokens), value_(value), greedy_(greedy), entry_(tokens.size() + 1, 0) {
    // Matching is entered only at token 0 and right after each star: one memo row per entry.
    std::size_t rows = 1;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i].kind == Token::many) entry_[i + 1] = rows++;
    }
    failed_.assign(rows * (value.size() + 1), false);
  }

  std::optional<std::size_t> at(std::size_t ti, std::size_t vi) {
    if (ti == tokens_.size()) return vi;
    const std::size_t key = entry_[ti] * (value_.size() + 1) + vi;
    if (failed_[key]) return std::nullopt;
    auto r = step(ti, vi);
    if (!r) failed_[key] = true;
    return r;
  }

 private:
  std::optional<std::size_t> step(std::size_t ti, std::size_t vi) {
    // Runs of literals and `?` are matched in a loop: only stars recurse, so the depth is the
    // number of stars (capped in compile()).
    while (ti < tokens_.size() && tokens_[ti].kind != Token::many) {
      const Token& t = tokens_[ti];
      if (vi >= value_.size()) return std::nullopt;
      if (t.kind == Token::literal ? value_[vi] != t.ch : value_[vi] == U'\n') return std::nullopt;
      ++ti;
      ++vi;
    }
    if (ti == tokens_.size()) return vi;
    std::size_t max = vi;
    while (max < value_.size() && value_[max] != U'\n') ++max;
    if (greedy_) {
      for (std::size_t end = max + 1; end-- > vi;) {
        if (auto r = at(ti + 1, end)) return r;
      }
    } else {
      for (std::size_t end = vi; end <= max; ++end) {
        if (auto r = at(ti + 1, end)) return r;
      }
    }
    return std::nullopt;
  }

  const std::vector<Token>& tokens_;
  const std::u32string& value_;
  bool greedy_;
  std::vector<std::size_t> entry_;
  std::vector<bool> failed_;
};

std::optional<std::size_t> match_at(const std::vector<Token>& tokens, const std::u32string& value, std::size_t vi,
                                    bool greedy) {
  Matcher m(tokens, value, greedy);
  return m.at(0, vi);
}

std::string invalid(std::string_view pattern, const std::string& why) {
  return "invalid pattern (" + std::string(pattern) + ") in substitution: " + why;
}

std::expected<std::u32string, std::string> trim_prefix_tokens(const std::vector<Token>& tokens,
                                                              const std::u32string& value,
                                                              bool greedy) {
  if (auto end = match_at(tokens, value, 0, greedy)) return value.substr(*end);
  return value;
}

}  // namespace

std::expected<std::string, std::string> trim_prefix(std::string_view pattern,
                                                    std::string_view value, bool greedy) {
  auto tokens = compile(pattern);
  if (!tokens) return std::unexpected(invalid(pattern, tokens.error()));
  auto out = trim_prefix_tokens(*tokens, decode(value), greedy);
  return encode(*out);
}

std::expected<std::string, std::string> trim_suffix(std::string_view pattern,
                                                    std::string_view value, bool greedy) {
  // A rightmost shortest match is a leftmost one on the reversed pattern and value.
  auto tokens = compile(pattern);
  if (!tokens) return std::unexpected(invalid(pattern, tokens.error()));
  std::reverse(tokens->begin(), tokens->end());
  std::u32string v = decode(value);
  std::reverse(v.begin(), v.end());
  auto out = trim_prefix_tokens(*tokens, v, greedy);
  std::reverse(out->begin(), out->end());
  return encode(*out);
}

std::expected<std::string, std::string> replace_pattern(std::string_view pattern,
                                                        std::string_view replacement,
                                                        std::string_view value, bool all) {
  auto tokens = compile(pattern);
  if (!tokens) return std::unexpected(invalid(pattern, tokens.error()));
  const std::u32string v = decode(value);
  const std::u32string repl = decode(replacement);
  // One matcher for every start: a failure at (token, position) does not depend on the start.
  Matcher matcher(*tokens, v, true);
  const auto find = [&](std::size_t from) -> std::optional<std::pair<std::size_t, std::size_t>> {
    for (std::size_t s = from; s <= v.size(); ++s) {
      if (auto e = matcher.at(0, s)) return std::pair{s, *e};
    }
    return std::nullopt;
  };
  std::u32string out;
  if (!all) {
    auto m = find(0);
    if (!m) return std::string(value);
    out = v.substr(0, m->first) + repl + v.substr(m->second);
    return encode(out);
  }
  // Go's ReplaceAllString: successive non-overlapping matches; an empty match right after a
  // previous match is not replaced; always advance by at least one character.
  std::size_t search = 0;
  std::size_t last_end = 0;
  while (search <= v.size()) {
    auto m = find(search);
    if (!m) break;
    out += v.substr(last_end, m->first - last_end);
    if (m->second > last_end || m->first == 0) out += repl;
    last_end = m->second;
    search = std::max(search + 1, m->second);
  }
  out += v.substr(std::min(last_end, v.size()));
  return encode(out);
}

}  // namespace sigil::build::dockerfile::detail
