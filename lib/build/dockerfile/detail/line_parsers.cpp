// Each function mirrors one of BuildKit's line parsers; the comments say where BuildKit's
// behaviour is surprising, since that behaviour is what users' Dockerfiles depend on.
#include "build/dockerfile/detail/line_parsers.hpp"

#include <memory>

#include "build/dockerfile/detail/unicode.hpp"
#include "common/json.hpp"

namespace sigil::build::dockerfile::detail {
namespace {

// BuildKit's reWhitespace: [\t\v\f\r ]+ (no newline, ASCII only).
bool is_ws_byte(char c) { return c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' '; }

std::vector<std::string> split_whitespace(std::string_view text, int max_parts) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (true) {
    if (max_parts > 0 && static_cast<int>(parts.size()) == max_parts - 1) {
      parts.emplace_back(text.substr(pos));
      break;
    }
    std::size_t ws = pos;
    while (ws < text.size() && !is_ws_byte(text[ws])) ++ws;
    parts.emplace_back(text.substr(pos, ws - pos));
    if (ws >= text.size()) break;
    pos = ws;
    while (pos < text.size() && is_ws_byte(text[pos])) ++pos;
  }
  return parts;
}

bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// extractBuilderFlags: leading words that start with "--" are flags (quotes and backslashes
// processed, "--" alone ends them); the rest of the line is returned untouched.
std::string extract_flags(std::string_view line, std::vector<std::string>& flags) {
  enum { in_spaces, in_word, in_quote } phase = in_spaces;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (std::size_t pos = 0; pos <= line.size(); ++pos) {
    const char ch = pos < line.size() ? line[pos] : '\0';
    if (phase == in_spaces) {
      if (pos == line.size()) break;
      if (is_ascii_space(ch)) continue;
      if (ch != '-' || pos + 1 == line.size() || line[pos + 1] != '-') return std::string(line.substr(pos));
      phase = in_word;
    }
    if (pos == line.size()) {
      if (word != "--" && (blank_ok || !word.empty())) flags.push_back(word);
      break;
    }
    if (phase == in_word) {
      if (is_ascii_space(ch)) {
        phase = in_spaces;
        if (word == "--") return std::string(line.substr(pos));
        if (blank_ok || !word.empty()) flags.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = in_quote;
        continue;
      }
      char c = ch;
      if (c == '\\') {
        if (pos + 1 == line.size()) continue;
        c = line[++pos];
      }
      word.push_back(c);
      continue;
    }
    // in_quote
    if (ch == quote) {
      phase = in_word;
      continue;
    }
    char c = ch;
    if (c == '\\') {
      if (pos + 1 == line.size()) {
        phase = in_word;
        continue;
      }
      c = line[++pos];
    }
    word.push_back(c);
  }
  return "";
}

enum class JsonOutcome { parsed, not_json, not_strings };

JsonOutcome parse_json_array(std::string_view rest, std::vector<std::string>& out) {
  std::size_t start = 0;
  while (start < rest.size()) {
    std::size_t width = 1;
    if (!is_space(decode_utf8(rest, start, width))) break;
    start += width;
  }
  rest.remove_prefix(start);
  if (rest.empty() || rest.front() != '[') return JsonOutcome::not_json;
  auto json = parse_json(rest, "JSON arguments");
  if (!json || !json->is_array()) return JsonOutcome::not_json;
  for (const auto& item : *json) {
    if (!item.is_string()) return JsonOutcome::not_strings;
  }
  for (const auto& item : *json) out.push_back(item.get<std::string>());
  return JsonOutcome::parsed;
}

const std::string kNotStrings = "when using JSON array syntax, arrays must be comprised of strings only";

std::expected<void, std::string> maybe_json(Node& node, std::string_view rest, bool to_list) {
  if (rest.empty()) return {};
  std::vector<std::string> items;
  switch (parse_json_array(rest, items)) {
    case JsonOutcome::parsed:
      node.args = std::move(items);
      node.json = true;
      return {};
    case JsonOutcome::not_strings:
      return std::unexpected(kNotStrings);
    case JsonOutcome::not_json:
      break;
  }
  if (to_list) {
    node.args = split_whitespace(rest, -1);
  } else {
    node.args = {std::string(rest)};
  }
  return {};
}

// ENV and LABEL: `key=value...`, or the legacy `key value` when the first word has no '='.
std::expected<void, std::string> name_val(Node& node, std::string_view rest, char escape,
                                          std::string_view keyword) {
  const auto words = parse_words(rest, escape);
  if (words.empty()) return {};
  if (words[0].find('=') == std::string::npos) {
    auto parts = split_whitespace(rest, 2);
    if (parts.size() < 2) return std::unexpected(std::string(keyword) + " must have two arguments");
    node.args = {parts[0], parts[1], ""};
    return {};
  }
  for (const auto& word : words) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) {
      return std::unexpected("Syntax error - can't find = in \"" + word + "\". Must be of the form: name=value");
    }
    node.args.push_back(word.substr(0, eq));
    node.args.push_back(word.substr(eq + 1));
    node.args.emplace_back("=");
  }
  return {};
}

std::expected<void, std::string> healthcheck(Node& node, std::string_view rest) {
  std::size_t sep = 0;
  while (sep < rest.size() && !is_ascii_space(rest[sep])) ++sep;
  std::size_t next = sep;
  while (next < rest.size() && is_ascii_space(rest[next])) ++next;
  if (sep == 0) return {};
  Node cmd;
  if (auto r = maybe_json(cmd, rest.substr(next), false); !r) return r;
  node.args.emplace_back(rest.substr(0, sep));
  node.args.insert(node.args.end(), cmd.args.begin(), cmd.args.end());
  node.json = cmd.json;
  return {};
}

}  // namespace

std::string_view trim_space(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t width = 1;
    if (!is_space(decode_utf8(text, start, width))) break;
    start += width;
  }
  std::size_t end = text.size();
  while (end > start) {
    // Step back over one UTF-8 sequence.
    std::size_t begin = end - 1;
    while (begin > start && (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80) --begin;
    std::size_t width = 1;
    if (!is_space(decode_utf8(text, begin, width))) break;
    end = begin;
  }
  return text.substr(start, end - start);
}

SplitLine split_command(std::string_view line) {
  SplitLine out;
  const std::string_view trimmed = trim_space(line);
  auto parts = split_whitespace(trimmed, 2);
  out.keyword = parts[0];
  if (parts.size() == 2) out.rest = std::string(trim_space(extract_flags(parts[1], out.flags)));
  return out;
}

std::vector<std::string> parse_words(std::string_view rest, char escape) {
  enum { in_spaces, in_word, in_quote } phase = in_spaces;
  std::vector<std::string> words;
  std::string word;
  char32_t quote = 0;
  bool blank_ok = false;
  const auto esc = static_cast<char32_t>(static_cast<unsigned char>(escape));
  std::size_t width = 0;
  char32_t ch = 0;
  for (std::size_t pos = 0; pos <= rest.size(); pos += width) {
    width = 1;
    if (pos != rest.size()) ch = decode_utf8(rest, pos, width);
    if (phase == in_spaces) {
      if (pos == rest.size()) break;
      if (is_space(ch)) continue;
      phase = in_word;
    }
    if (pos == rest.size()) {
      if (blank_ok || !word.empty()) words.push_back(word);
      break;
    }
    if (phase == in_word) {
      if (is_space(ch)) {
        phase = in_spaces;
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == U'\'' || ch == U'"') {
        quote = ch;
        blank_ok = true;
        phase = in_quote;
      }
      if (ch == esc) {
        if (pos + width == rest.size()) continue;  // a trailing escape is dropped
        // Outside quotes the escape and the next character are both kept, even a quote.
        append_utf8(word, ch);
        pos += width;
        ch = decode_utf8(rest, pos, width);
      }
      append_utf8(word, ch);
      continue;
    }
    // in_quote
    if (ch == quote) phase = in_word;
    if (ch == esc && quote != U'\'') {
      if (pos + width == rest.size()) {
        phase = in_word;
        continue;
      }
      pos += width;
      append_utf8(word, ch);
      ch = decode_utf8(rest, pos, width);
    }
    append_utf8(word, ch);
  }
  return words;
}

std::expected<void, std::string> parse_arguments(Node& node, std::string_view rest, char escape) {
  const std::string& k = node.keyword;
  if (k == "add" || k == "copy" || k == "volume") return maybe_json(node, rest, true);
  if (k == "cmd" || k == "entrypoint" || k == "run" || k == "shell") return maybe_json(node, rest, false);
  if (k == "env") return name_val(node, rest, escape, "ENV");
  if (k == "label") return name_val(node, rest, escape, "LABEL");
  if (k == "arg") {
    node.args = parse_words(rest, escape);
    return {};
  }
  if (k == "expose" || k == "from") {
    if (!rest.empty()) node.args = split_whitespace(rest, -1);
    return {};
  }
  if (k == "maintainer" || k == "stopsignal" || k == "user" || k == "workdir") {
    if (!rest.empty()) node.args = {std::string(rest)};
    return {};
  }
  if (k == "healthcheck") return healthcheck(node, rest);
  if (k == "onbuild") {
    if (rest.empty()) return {};
    auto child = std::make_shared<Node>();
    SplitLine split = split_command(rest);
    child->keyword_as_written = split.keyword;
    child->keyword = split.keyword;
    for (auto& c : child->keyword) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    child->flags = std::move(split.flags);
    child->rest = split.rest;
    child->original = std::string(rest);
    if (auto r = parse_arguments(*child, child->rest, escape); !r) return r;
    node.child = std::move(child);
    return {};
  }
  return {};  // unknown keywords keep no arguments; typing refuses them
}

}  // namespace sigil::build::dockerfile::detail
