#include "build/dockerfile/detail/heredoc.hpp"

#include <algorithm>

#include "build/dockerfile/shell_lex.hpp"

namespace sigil::build::dockerfile::detail {
namespace {

std::size_t count_quotes(std::string_view s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\'') + std::count(s.begin(), s.end(), '"'));
}

}  // namespace

std::expected<std::optional<Heredoc>, std::string> parse_heredoc_marker(std::string_view word) {
  // ^(\d*)<<(-?)([^<]*)$
  std::size_t pos = 0;
  while (pos < word.size() && word[pos] >= '0' && word[pos] <= '9') ++pos;
  const std::string_view digits = word.substr(0, pos);
  if (word.substr(pos, 2) != "<<") return std::nullopt;
  pos += 2;
  const bool chomp = pos < word.size() && word[pos] == '-';
  if (chomp) ++pos;
  const std::string_view rest = word.substr(pos);
  if (rest.find('<') != std::string_view::npos || rest.empty()) return std::nullopt;

  // The delimiter is lexed with and without quote removal: when the counts of quote characters
  // differ, part of the delimiter was quoted and the body is not expanded.
  const Environment none;
  LexOptions opt;
  opt.skip_unset_env = true;
  auto plain = shell_lex(rest, none, opt);
  if (!plain) return std::unexpected(plain.error().message);
  if (plain->words.size() != 1) return std::nullopt;
  opt.raw_quotes = true;
  auto raw = shell_lex(rest, none, opt);
  if (!raw) return std::unexpected(raw.error().message);
  if (raw->words.size() != plain->words.size()) {
    return std::unexpected("internal lexing of heredoc produced inconsistent results: " + std::string(rest));
  }
  Heredoc heredoc;
  heredoc.name = plain->words[0];
  heredoc.expand = count_quotes(plain->words[0]) == count_quotes(raw->words[0]);
  heredoc.chomp = chomp;
  unsigned fd = 0;
  for (char c : digits) fd = fd * 10 + static_cast<unsigned>(c - '0');
  heredoc.fd = digits.size() > 9 ? 0 : fd;
  return heredoc;
}

std::expected<std::vector<Heredoc>, std::string> heredocs_from_line(std::string_view line) {
  LexOptions opt;
  opt.raw_quotes = true;
  opt.raw_escapes = true;
  opt.skip_unset_env = true;
  std::vector<Heredoc> out;
  auto lexed = shell_lex(line, Environment{}, opt);
  if (!lexed) return out;  // BuildKit ignores lexing errors here: no heredocs
  for (const auto& word : lexed->words) {
    auto heredoc = parse_heredoc_marker(word);
    if (!heredoc) return std::unexpected(heredoc.error());
    if (*heredoc) out.push_back(std::move(**heredoc));
  }
  return out;
}

bool can_contain_heredoc(const Node& node) {
  const Node* target = &node;
  if (node.keyword == "onbuild" && node.child) target = node.child.get();
  const std::string& k = target->keyword;
  if (k != "add" && k != "copy" && k != "run") return false;
  return !target->json;
}

}  // namespace sigil::build::dockerfile::detail
