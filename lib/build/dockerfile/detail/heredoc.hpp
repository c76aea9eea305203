// Heredoc markers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`) as BuildKit's parser finds them.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "build/dockerfile/ast.hpp"

namespace sigil::build::dockerfile::detail {

/// Parses one word as a heredoc marker (BuildKit's ParseHeredoc); nullopt when it is not one.
std::expected<std::optional<Heredoc>, std::string> parse_heredoc_marker(std::string_view word);

/// The heredoc markers of a logical line, in order (BuildKit's heredocsFromLine).
std::expected<std::vector<Heredoc>, std::string> heredocs_from_line(std::string_view line);

/// Whether an instruction can carry heredocs: ADD, COPY and RUN in shell form (also as ONBUILD
/// triggers).
bool can_contain_heredoc(const Node& node);

}  // namespace sigil::build::dockerfile::detail
