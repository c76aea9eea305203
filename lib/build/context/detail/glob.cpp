// Pattern matching without a regex engine. The ignore dialect reproduces the regexp that
// moby/patternmatcher builds ('*' → [^/]*, '?' → [^/], '**' → (.*/)?, a trailing '**' → .*,
// '[...]' kept as a class, '\x' → literal x); the filepath dialect is Go's filepath.Match,
// where '*' never crosses '/'.
#include "build/context/detail/glob.hpp"

namespace sigil::build::detail {

bool has_wildcards(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '*' || text[i] == '?' || text[i] == '[') {
      return true;
    }
  }
  return false;
}

Result<Glob> Glob::compile(std::string_view pattern, Dialect dialect) {
  Glob glob;
  const std::string what = "invalid pattern '" + std::string(pattern) + "'";
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char ch = pattern[i];
    Token token;
    if (ch == '*') {
      glob.literal_ = false;
      if (dialect == Dialect::ignore && i + 1 < pattern.size() && pattern[i + 1] == '*') {
        ++i;
        // "**/" is "**": the slash is part of the optional group (.*/)?
        if (i + 1 < pattern.size() && pattern[i + 1] == '/') ++i;
        if (i + 1 == pattern.size()) {
          // trailing "**" accepts everything that follows, as .gitignore does
          token.kind = Kind::star;
          token.c = 1;  // marks "crosses '/'"
        } else {
          token.kind = Kind::globstar;
        }
      } else {
        token.kind = Kind::star;
      }
    } else if (ch == '?') {
      glob.literal_ = false;
      token.kind = Kind::any_one;
    } else if (ch == '\\') {
      if (i + 1 < pattern.size()) {
        token.c = pattern[++i];
        glob.literal_ = false;  // equality on the raw text would see the backslash
      } else {
        if (dialect == Dialect::filepath) return fail(ErrorCategory::input, what + ": trailing '\\'");
        token.c = '\\';
      }
    } else if (ch == '[') {
      glob.literal_ = false;
      token.kind = Kind::cls;
      std::size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '^') {
        token.negated = true;
        ++j;
      }
      bool first = true;
      bool closed = false;
      while (j < pattern.size()) {
        char lo = pattern[j];
        if (lo == ']' && !first) {
          closed = true;
          break;
        }
        first = false;
        if (lo == '\\') {
          if (++j >= pattern.size()) break;
          lo = pattern[j];
        }
        char hi = lo;
        if (j + 2 < pattern.size() && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
          j += 2;
          hi = pattern[j];
          if (hi == '\\') {
            if (++j >= pattern.size()) break;
            hi = pattern[j];
          }
          if (hi < lo) return fail(ErrorCategory::input, what + ": bad character range");
        }
        token.ranges.emplace_back(lo, hi);
        ++j;
      }
      if (!closed) return fail(ErrorCategory::input, what + ": unterminated '['");
      i = j;
    } else {
      token.c = ch;
    }
    glob.tokens_.push_back(std::move(token));
  }
  return glob;
}

bool Glob::token_matches(const Token& token, char c) const {
  switch (token.kind) {
    case Kind::chr: return token.c == c;
    case Kind::any_one: return c != '/';
    case Kind::cls: {
      // Go's filepath.Match never lets a class match '/'; the regexp of patternmatcher would,
      // but a class meant to match '/' in an ignore file is not a real use.
      if (c == '/') return false;
      bool in = false;
      for (auto [lo, hi] : token.ranges) {
        if (static_cast<unsigned char>(c) >= static_cast<unsigned char>(lo) &&
            static_cast<unsigned char>(c) <= static_cast<unsigned char>(hi)) {
          in = true;
          break;
        }
      }
      return in != token.negated;
    }
    default: return false;
  }
}

bool Glob::match(std::string_view path) const {
  // reachable[p] = the first t tokens can consume exactly path[0, p). Processed token by token,
  // so memory is O(path) and time O(tokens × path).
  const std::size_t n = path.size();
  std::string cur(n + 1, '\0');
  cur[0] = 1;
  for (const Token& token : tokens_) {
    std::string next(n + 1, '\0');
    switch (token.kind) {
      case Kind::star: {
        const bool crosses = token.c == 1;
        bool run = false;
        for (std::size_t p = 0; p <= n; ++p) {
          if (cur[p]) run = true;
          if (run) next[p] = 1;
          if (p < n && !crosses && path[p] == '/') run = false;
        }
        break;
      }
      case Kind::globstar: {
        // (.*/)? : nothing, or anything ending with '/'
        bool seen = false;
        for (std::size_t p = 0; p <= n; ++p) {
          if (cur[p]) next[p] = 1;
          if (p > 0 && seen && path[p - 1] == '/') next[p] = 1;
          if (cur[p]) seen = true;
        }
        break;
      }
      default:
        for (std::size_t p = 0; p < n; ++p) {
          if (cur[p] && token_matches(token, path[p])) next[p + 1] = 1;
        }
        break;
    }
    cur = std::move(next);
  }
  return cur[n] != 0;
}

}  // namespace sigil::build::detail
