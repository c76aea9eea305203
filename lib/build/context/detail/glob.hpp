// Compiled path patterns shared by .dockerignore matching (moby/patternmatcher's regexp
// translation) and source wildcards (Go's filepath.Match).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace sigil::build::detail {

/// A compiled pattern: a sequence of tokens matched with memoized backtracking (linear in
/// pattern × path, no regex engine, no recursion depth proportional to the path).
class Glob {
 public:
  /// Which dialect: patternmatcher ('**' crosses directories) or filepath.Match ('**' is '*').
  enum class Dialect { ignore, filepath };
  [[nodiscard]] static Result<Glob> compile(std::string_view pattern, Dialect dialect);
  [[nodiscard]] bool match(std::string_view path) const;
  /// True when the pattern has no wildcard at all (matched by string equality).
  [[nodiscard]] bool literal() const { return literal_; }

 private:
  enum class Kind { chr, star, any_one, globstar, cls };
  struct Token {
    Kind kind = Kind::chr;
    char c = 0;
    bool negated = false;
    std::vector<std::pair<char, char>> ranges;
  };
  [[nodiscard]] bool token_matches(const Token& token, char c) const;
  std::vector<Token> tokens_;
  bool literal_ = true;
};

/// True when a path component holds '*', '?' or '[' not escaped by '\'.
[[nodiscard]] bool has_wildcards(std::string_view text);

}  // namespace sigil::build::detail
