// A whole Dockerfile: directives, global ARGs and stages of typed instructions. This is the
// entry point the planner uses: parse_dockerfile() then, per stage, GlobalScope/StageScope
// (scope.hpp) to expand words as BuildKit does at conversion time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "build/dockerfile/ast.hpp"
#include "build/dockerfile/instructions.hpp"
#include "common/error.hpp"

namespace sigil::build::dockerfile {

/// The parser directives found at the top of the file.
struct Directives {
  std::optional<std::string> syntax;  ///< `# syntax=` (recorded; sigil has one frontend)
  std::optional<std::string> escape;  ///< `# escape=` as written
  std::optional<std::string> check;   ///< `# check=` (recorded; linting is not implemented)
  char escape_char = '\\';            ///< the effective escape character
};

/// One build stage: FROM and the instructions up to the next FROM.
struct Stage {
  std::size_t index = 0;  ///< 0-based position (COPY --from=0)
  std::string name;       ///< lower-cased AS name, "" when unnamed
  FromInstruction from;   ///< image/platform NOT expanded (expand with GlobalScope::env())
  SourceLocation location;  ///< of the FROM line
  std::string original;     ///< the FROM line as written
  std::vector<Instruction> instructions;  ///< in order; never FromInstruction
};

/// A parsed and typed Dockerfile.
struct Dockerfile {
  std::string filename;  ///< as given to parse_dockerfile (used in every error)
  std::string text;      ///< the full text (errors quote its lines)
  Directives directives;
  std::vector<Instruction> global_args;  ///< ARG instructions before the first FROM
  std::vector<Stage> stages;
  std::vector<std::string> warnings;

  /// The stage called `name` (case-insensitive) or, when `name` is all digits, at that index.
  [[nodiscard]] const Stage* find_stage(std::string_view name) const;
  /// An input error located at `location`, formatted like every parse error
  /// (`Dockerfile:12:1: <message> (line: "RUN make")`), for the planner's own errors.
  [[nodiscard]] Error error_at(const SourceLocation& location, std::string_view message) const;
};

/// Parses and types a Dockerfile. Errors (category input) are one line
/// `<filename>:<line>:<column>: <message> (line: "...")`: any parse error (ast.hpp), any
/// instruction error (instructions.hpp), an instruction other than ARG before the first FROM
/// ("no build stage in current context"), and a duplicate stage name.
[[nodiscard]] Result<Dockerfile> parse_dockerfile(std::string_view text, std::string filename);

}  // namespace sigil::build::dockerfile
