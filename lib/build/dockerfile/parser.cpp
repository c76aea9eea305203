// The line loop of BuildKit's parser.Parse: directives at the top, comment lines skipped,
// continuation lines joined (comment lines inside them skipped, empty ones warned about), then
// heredoc bodies read after the instruction that announced them.
#include <algorithm>
#include <cctype>

#include "build/dockerfile/ast.hpp"
#include "build/dockerfile/detail/go_quote.hpp"
#include "build/dockerfile/detail/heredoc.hpp"
#include "build/dockerfile/detail/line_parsers.hpp"
#include "build/dockerfile/detail/unicode.hpp"
#include "common/limits.hpp"

namespace sigil::build::dockerfile {
namespace {

// bufio.Scanner's default token limit: BuildKit cannot read longer physical lines.
constexpr std::size_t kMaxLineBytes = 64 * 1024 - 1;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Physical lines with their line endings, as BuildKit's scanLines yields them.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return lines;
}

std::string_view trim_newline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view trim_leading_space(std::string_view s) {
  while (!s.empty()) {
    std::size_t width = 1;
    if (!detail::is_space(detail::decode_utf8(s, 0, width))) break;
    s.remove_prefix(width);
  }
  return s;
}

bool is_comment(std::string_view raw) {
  const auto t = trim_leading_space(trim_newline(raw));
  return !t.empty() && t.front() == '#';
}

bool is_go_regex_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

struct DirectiveState {
  bool done = false;
  std::vector<Directive> parsed;
  char escape = '\\';
};

// DirectiveParser.ParseLine: "#" then `name = value`; anything else ends the directive block.
std::expected<void, std::string> directive_line(DirectiveState& st, std::string_view line, int line_no) {
  if (st.done) return {};
  if (line.empty() || line.front() != '#') {
    st.done = true;
    return {};
  }
  line = trim_leading_space(line.substr(1));
  std::size_t i = 0;
  if (i >= line.size() || !std::isalpha(static_cast<unsigned char>(line[i]))) {
    st.done = true;
    return {};
  }
  while (i < line.size() && std::isalnum(static_cast<unsigned char>(line[i]))) ++i;
  const std::string name = lower(line.substr(0, i));
  while (i < line.size() && is_go_regex_space(line[i])) ++i;
  if (i >= line.size() || line[i] != '=') {
    st.done = true;
    return {};
  }
  ++i;
  while (i < line.size() && is_go_regex_space(line[i])) ++i;
  std::string_view value = line.substr(i);
  while (!value.empty() && is_go_regex_space(value.back())) value.remove_suffix(1);
  if (value.empty() || (name != "syntax" && name != "escape" && name != "check")) {
    st.done = true;
    return {};
  }
  for (const auto& d : st.parsed) {
    if (d.name == name) return std::unexpected("only one " + name + " parser directive can be used");
  }
  if (name == "escape") {
    if (value != "`" && value != "\\") {
      return std::unexpected("invalid escape token '" + std::string(value) + "' does not match ` or \\");
    }
    st.escape = value.front();
  }
  st.parsed.push_back(Directive{name, std::string(value), line_no});
  return {};
}

// The escape character at the end of a line (after optional blanks) continues it, unless it is
// itself escaped (BuildKit's regex: ([^E])E[ \t]*$ | ^E[ \t]*$).
bool trim_continuation(std::string& line, char escape) {
  std::size_t end = line.size();
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  if (end == 0 || line[end - 1] != escape) return false;
  if (end >= 2 && line[end - 2] == escape) return false;
  line.resize(end - 1);
  return true;
}

std::string strip_comment(std::string_view s) {
  if (!s.empty() && s.front() == '#') return "";
  return std::string(s);
}

}  // namespace

std::string heredoc_body(const Heredoc& heredoc) {
  if (!heredoc.chomp) return heredoc.content;
  // Leading tabs of every line go (BuildKit's (?m)^\t+).
  std::string out;
  bool at_line_start = true;
  for (char c : heredoc.content) {
    if (at_line_start && c == '\t') continue;
    at_line_start = c == '\n';
    out.push_back(c);
  }
  return out;
}

Error located_error(std::string_view filename, std::string_view text, const SourceLocation& location,
                    std::string_view message) {
  std::string msg = std::string(filename) + ":" + std::to_string(location.line) + ":" +
                    std::to_string(location.column) + ": " + std::string(message);
  const auto lines = split_lines(text);
  if (location.line >= 1 && static_cast<std::size_t>(location.line) <= lines.size()) {
    std::string shown(detail::trim_space(trim_newline(lines[static_cast<std::size_t>(location.line - 1)])));
    if (shown.size() > 120) {
      std::size_t cut = 117;
      while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) --cut;
      shown = shown.substr(0, cut) + "...";
    }
    if (!shown.empty()) msg += " (line: " + detail::go_quote(shown) + ")";
  }
  return Error{ErrorCategory::input, std::move(msg)};
}

Result<Ast> parse_ast(std::string_view text, std::string filename) {
  const auto at = [&](int line, int column, std::string_view message) {
    return std::unexpected(located_error(filename, text, SourceLocation{line, column, line}, message));
  };
  const auto line_col = [&](std::size_t offset) {
    const auto before = text.substr(0, offset);
    const int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    const auto nl = before.rfind('\n');
    const int col = 1 + static_cast<int>(nl == std::string_view::npos ? offset : offset - nl - 1);
    return std::pair{line, col};
  };
  if (text.size() > limits::kMaxDockerfileBytes) {
    return fail(ErrorCategory::input, filename + ": Dockerfile is " + std::to_string(text.size()) +
                                          " bytes, larger than the limit of " +
                                          std::to_string(limits::kMaxDockerfileBytes));
  }
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    auto [l, c] = line_col(nul);
    return at(l, c, "NUL byte in Dockerfile (binary file?)");
  }
  if (std::size_t bad = 0; !detail::valid_utf8(text, bad)) {
    auto [l, c] = line_col(bad);
    return at(l, c, "invalid UTF-8 in Dockerfile");
  }

  Ast ast;
  ast.filename = filename;
  const auto lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (trim_newline(lines[i]).size() > kMaxLineBytes) {
      return at(static_cast<int>(i + 1), 1, "dockerfile line greater than max allowed size of " +
                                                 std::to_string(kMaxLineBytes));
    }
  }

  DirectiveState directives;
  std::vector<std::string> comments;
  std::size_t next = 0;
  int current_line = 0;
  // processLine: trim the newline (and leading blanks for a first line), look for a
  // directive, drop a whole-line comment.
  const auto process_line = [&](std::string_view raw, bool strip_left) -> std::expected<std::string, std::string> {
    auto token = trim_newline(raw);
    if (strip_left) token = trim_leading_space(token);
    if (auto r = directive_line(directives, token, current_line + 1); !r) return std::unexpected(r.error());
    return strip_comment(token);
  };

  while (next < lines.size()) {
    std::string_view raw = lines[next++];
    int column = 1;
    if (current_line == 0 && raw.starts_with("\xEF\xBB\xBF")) raw.remove_prefix(3);
    if (is_comment(raw)) {
      const auto comment = detail::trim_space(trim_newline(raw).substr(1));
      if (comment.empty()) {
        comments.clear();
      } else {
        comments.emplace_back(comment);
      }
    }
    {
      const auto content = trim_newline(raw);
      column += static_cast<int>(content.size() - trim_leading_space(content).size());
    }
    auto first = process_line(raw, true);
    if (!first) return at(current_line + 1, 1, first.error());
    ++current_line;
    ast.escape = directives.escape;
    const int start_line = current_line;
    std::string line = std::move(*first);
    bool end_of_line = !trim_continuation(line, directives.escape);
    if (end_of_line && line.empty()) continue;

    bool empty_continuation = false;
    while (!end_of_line && next < lines.size()) {
      const std::string_view cont_raw = lines[next++];
      auto cont = process_line(cont_raw, false);
      if (!cont) return at(current_line + 1, 1, cont.error());
      ++current_line;
      if (is_comment(cont_raw)) continue;  // comment lines inside a continuation are skipped
      if (trim_leading_space(*cont).empty()) {
        empty_continuation = true;
        continue;
      }
      end_of_line = !trim_continuation(*cont, directives.escape);
      line += *cont;
    }
    if (empty_continuation) {
      ast.warnings.push_back(filename + ":" + std::to_string(start_line) +
                             ": empty continuation line (BuildKit will make this an error)");
    }

    Node node;
    node.location = SourceLocation{start_line, column, current_line};
    node.original = line;
    node.comments = comments;
    auto split = detail::split_command(line);
    node.keyword_as_written = split.keyword;
    node.keyword = lower(split.keyword);
    node.flags = std::move(split.flags);
    node.rest = split.rest;
    if (auto r = detail::parse_arguments(node, node.rest, directives.escape); !r) {
      return std::unexpected(located_error(filename, text, node.location, r.error()));
    }

    if (detail::can_contain_heredoc(node) && line.find("<<") != std::string::npos) {
      auto heredocs = detail::heredocs_from_line(line);
      if (!heredocs) return std::unexpected(located_error(filename, text, node.location, heredocs.error()));
      for (auto& heredoc : *heredocs) {
        bool terminated = false;
        while (next < lines.size()) {
          const std::string_view body = lines[next++];
          ++current_line;
          std::string_view candidate = trim_newline(body);
          if (heredoc.chomp) {
            while (!candidate.empty() && candidate.front() == '\t') candidate.remove_prefix(1);
          }
          if (candidate == heredoc.name) {
            terminated = true;
            break;
          }
          heredoc.content += body;
        }
        if (!terminated) {
          return std::unexpected(located_error(filename, text, node.location,
                                               "unterminated heredoc " + heredoc.name));
        }
        node.heredocs.push_back(std::move(heredoc));
      }
      node.location.end_line = current_line;
    }
    ast.nodes.push_back(std::move(node));
    comments.clear();
  }
  ast.directives = std::move(directives.parsed);
  if (ast.nodes.empty()) return at(std::max(current_line, 1), 1, "file with no instructions");
  return ast;
}

}  // namespace sigil::build::dockerfile
