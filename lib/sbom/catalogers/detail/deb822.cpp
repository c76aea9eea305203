#include "sbom/catalogers/detail/deb822.hpp"

#include <cctype>

namespace sigil::sbom::detail {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string Paragraph::get(std::string_view name) const {
  if (auto it = fields.find(name); it != fields.end()) return it->second;
  for (const auto& [k, v] : fields) {
    if (iequals(k, name)) return v;
  }
  return "";
}

std::vector<Paragraph> parse_deb822(std::string_view text) {
  std::vector<Paragraph> out;
  Paragraph cur;
  bool open = false;
  std::string* last = nullptr;
  std::size_t line_no = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = end + 1;
    ++line_no;
    if (trim(line).empty()) {
      if (open) out.push_back(std::move(cur));
      cur = Paragraph{};
      open = false;
      last = nullptr;
      if (end == text.size()) break;
      continue;
    }
    if (!open) {
      open = true;
      cur.line = line_no;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (last == nullptr) {
        ++cur.bad_lines;
        continue;
      }
      *last += "\n";
      *last += trim(line);
      continue;
    }
    if (line.front() == '#') continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || line.substr(0, colon).find(' ') != std::string_view::npos) {
      ++cur.bad_lines;
      last = nullptr;
      continue;
    }
    auto [it, inserted] = cur.fields.insert_or_assign(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
    (void)inserted;
    last = &it->second;
    if (end == text.size()) break;
  }
  if (open) out.push_back(std::move(cur));
  return out;
}

}  // namespace sigil::sbom::detail
