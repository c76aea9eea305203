// BuildKit's per-keyword line parsers (parser/line_parsers.go, split_command.go): how the text
// after a keyword becomes flags and arguments. Private to the parser.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "build/dockerfile/ast.hpp"

namespace sigil::build::dockerfile::detail {

/// Splits a logical line into its keyword, builder flags and the remaining argument text.
struct SplitLine {
  std::string keyword;
  std::vector<std::string> flags;
  std::string rest;
};
SplitLine split_command(std::string_view line);

/// Words with quotes kept and escapes applied as BuildKit's parseWords (ENV/LABEL/ARG).
std::vector<std::string> parse_words(std::string_view rest, char escape);

/// Fills node.args / node.json / node.child from `rest` with the keyword's line parser.
/// Errors are bare messages (the caller locates them).
std::expected<void, std::string> parse_arguments(Node& node, std::string_view rest, char escape);

/// Go's strings.TrimSpace (Unicode white space).
std::string_view trim_space(std::string_view text);

}  // namespace sigil::build::dockerfile::detail
