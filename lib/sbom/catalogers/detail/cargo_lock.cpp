#include "sbom/catalogers/detail/cargo_lock.hpp"

#include <optional>

namespace sigil::sbom::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Reads a basic ("...", with escapes) or literal ('...') string starting at text[at]; `at`
// moves past it. nullopt when it does not end on this text.
std::optional<std::string> read_string(std::string_view text, std::size_t& at) {
  char quote = text[at];
  std::string out;
  for (++at; at < text.size(); ++at) {
    char c = text[at];
    if (c == quote) {
      ++at;
      return out;
    }
    if (c == '\n') return std::nullopt;
    if (c == '\\' && quote == '"' && at + 1 < text.size()) {
      char e = text[++at];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e;  // \uXXXX does not occur in what Cargo writes
      continue;
    }
    out += c;
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<CargoLockPackage>> parse_cargo_lock(std::string_view text, const std::string& what) {
  std::vector<CargoLockPackage> out;
  bool in_package = false;
  std::size_t at = 0;
  int line = 0;
  while (at < text.size()) {
    ++line;
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = trim(text.substr(at, end - at));
    at = end + 1;
    if (raw.empty() || raw.front() == '#') continue;
    if (raw.front() == '[') {
      in_package = raw == "[[package]]";
      if (in_package) out.emplace_back();
      continue;
    }
    auto eq = raw.find('=');
    if (eq == std::string_view::npos || !in_package) continue;
    std::string_view key = trim(raw.substr(0, eq));
    if (key.size() >= 2 && key.front() == '"' && key.back() == '"') key = key.substr(1, key.size() - 2);
    // The value starts after '=' on this line; arrays may continue on following lines.
    std::size_t pos = static_cast<std::size_t>(raw.data() - text.data()) + eq + 1;
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    auto bad = [&](const std::string& why) {
      return fail(ErrorCategory::input, what + ": line " + std::to_string(line) + ": " + why);
    };
    auto& pkg = out.back();
    if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'')) {
      auto value = read_string(text, pos);
      if (!value) return bad("unterminated string");
      if (key == "name") pkg.name = *value;
      else if (key == "version") pkg.version = *value;
      else if (key == "source") pkg.source = *value;
      else if (key == "checksum") pkg.checksum = *value;
    } else if (pos < text.size() && text[pos] == '[') {
      std::vector<std::string> items;
      ++pos;
      bool closed = false;
      while (pos < text.size()) {
        char c = text[pos];
        if (c == ']') {
          closed = true;
          ++pos;
          break;
        }
        if (c == '"' || c == '\'') {
          auto value = read_string(text, pos);
          if (!value) return bad("unterminated string in array");
          items.push_back(std::move(*value));
          continue;
        }
        if (c == '#') {
          while (pos < text.size() && text[pos] != '\n') ++pos;
          continue;
        }
        if (c == '\n') ++line;
        ++pos;
      }
      if (!closed) return bad("unterminated array");
      if (key == "dependencies") pkg.dependencies = std::move(items);
      // Continue after the array's closing bracket's line.
      std::size_t next = text.find('\n', pos);
      at = next == std::string_view::npos ? text.size() : next + 1;
    }
  }
  return out;
}

}  // namespace sigil::sbom::detail
