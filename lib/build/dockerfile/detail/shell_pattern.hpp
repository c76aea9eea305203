// The shell patterns of ${V#pat}, ${V%pat} and ${V/pat/repl} as BuildKit evaluates them: `*`
// (any run), `?` (one character), `\*` `\?` `\\` literals, `\}` and `\/` for the delimiters;
// no bracket expressions. BuildKit compiles them to Go regular expressions, so `*` and `?`
// never match a newline and several `*` resolve in leftmost-first (backtracking) order.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace sigil::build::dockerfile::detail {

/// ${V#pat} / ${V##pat} (greedy): `value` without its matching prefix.
std::expected<std::string, std::string> trim_prefix(std::string_view pattern,
                                                    std::string_view value, bool greedy);
/// ${V%pat} / ${V%%pat} (greedy): `value` without its matching suffix.
std::expected<std::string, std::string> trim_suffix(std::string_view pattern,
                                                    std::string_view value, bool greedy);
/// ${V/pat/repl} (first match) or ${V//pat/repl} (`all`); `*` is greedy.
std::expected<std::string, std::string> replace_pattern(std::string_view pattern,
                                                        std::string_view replacement,
                                                        std::string_view value, bool all);

}  // namespace sigil::build::dockerfile::detail
