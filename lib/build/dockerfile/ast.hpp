// Dockerfile text → AST, following BuildKit's frontend/dockerfile/parser: parser directives,
// comments, line continuations with the escape character, JSON (exec) vs shell forms, heredocs
// and `--flag=value` builder flags. No variable is expanded here (see shell_lex.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace sigil::build::dockerfile {

/// Where an instruction sits in its Dockerfile (1-based). `end_line` is the last physical line
/// the instruction consumed: continuation lines and heredoc bodies included.
struct SourceLocation {
  int line = 0;
  int column = 0;
  int end_line = 0;
};

/// A parser directive from the top of the file (`# syntax=...`, `# escape=...`, `# check=...`).
struct Directive {
  std::string name;   ///< lower-cased: "syntax", "escape" or "check"
  std::string value;  ///< trimmed value as written
  int line = 0;
};

/// One heredoc attached to an instruction (`RUN <<EOF`, `COPY <<-"EOF" /dest`).
struct Heredoc {
  std::string name;     ///< the delimiter word with its quotes removed ("EOF")
  std::string content;  ///< body lines with their line endings, delimiter line excluded;
                        ///< not yet chomped (see `chomp`)
  bool expand = true;   ///< false when any part of the delimiter was quoted (`<<"EOF"`, `<<'EOF'`)
  bool chomp = false;   ///< `<<-`: leading tabs are stripped from each body line when used
  unsigned fd = 0;      ///< optional file descriptor prefix (`3<<EOF`), 0 when absent
};

/// Content of a heredoc as an instruction uses it: leading tabs removed when `chomp` is set.
[[nodiscard]] std::string heredoc_body(const Heredoc& heredoc);

/// One instruction of the Dockerfile as BuildKit's parser sees it, before typing.
struct Node {
  std::string keyword;          ///< lower-cased instruction name ("copy"); may be unknown here
  std::string keyword_as_written;  ///< as written ("COPY", "Copy")
  std::vector<std::string> flags;  ///< builder flags as written after quote removal ("--from=build")
  /// Arguments as the keyword's line parser splits them (BuildKit's dispatch table):
  ///  - JSON form (`json` true): the array's strings;
  ///  - env/label: triples {key, value, "=" | ""} where "" marks the legacy `ENV key value` form
  ///    (values keep their quotes: they are removed by expansion);
  ///  - arg: words, quotes kept ("name=\"a b\"");
  ///  - from/expose/copy/add/volume (shell form): whitespace-separated words;
  ///  - run/cmd/entrypoint/shell (shell form), user/workdir/stopsignal/maintainer: one string;
  ///  - healthcheck: {type, ...command} (command as for cmd);
  ///  - onbuild: empty; see `child`.
  std::vector<std::string> args;
  std::string rest;               ///< argument text after the flags, trimmed
  bool json = false;              ///< arguments were a JSON array of strings
  std::vector<Heredoc> heredocs;  ///< heredocs in the order their bodies appear
  std::shared_ptr<const Node> child;  ///< ONBUILD's trigger instruction
  SourceLocation location;
  std::string original;  ///< the logical line: continuations joined, comments dropped
  std::vector<std::string> comments;  ///< comment lines directly above the instruction
};

/// A parsed Dockerfile before typing.
struct Ast {
  std::string filename;              ///< for messages ("Dockerfile")
  std::vector<Directive> directives;  ///< in file order
  char escape = '\\';                 ///< from `# escape=` (\ or `)
  std::vector<Node> nodes;
  std::vector<std::string> warnings;  ///< e.g. empty continuation lines (as BuildKit warns)
};

/// Parses Dockerfile text. Fails (category input) with `file:line:column: message (line: "...")`
/// on an oversized file (limits::kMaxDockerfileBytes), NUL bytes, invalid UTF-8, a physical line
/// longer than BuildKit's scanner accepts, a repeated or invalid directive, an unterminated
/// heredoc, a JSON array holding non-strings, or a file without instructions. Unknown keywords
/// are kept here and refused when typing (instructions.hpp), as BuildKit does.
[[nodiscard]] Result<Ast> parse_ast(std::string_view text, std::string filename);

/// Builds the one-line error every Dockerfile problem is reported with:
/// `<filename>:<line>:<column>: <message> (line: "<first physical line of the instruction>")`.
/// `text` is the whole Dockerfile; the quoted line is trimmed and cut to 120 characters.
[[nodiscard]] Error located_error(std::string_view filename, std::string_view text,
                                  const SourceLocation& location, std::string_view message);

}  // namespace sigil::build::dockerfile
