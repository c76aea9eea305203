#include "sbom/catalogers/detail/java_manifest.hpp"

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
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Lines end with CR LF, LF or CR (the specification allows all three).
template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) {
      fn(text.substr(pos));
      return;
    }
    fn(text.substr(pos, end - pos));
    pos = end + 1;
    if (text[end] == '\r' && pos < text.size() && text[pos] == '\n') ++pos;
  }
}

std::string section_get(const JavaManifest::Section& s, std::string_view name) {
  for (const auto& [k, v] : s) {
    if (iequals(k, name)) return v;
  }
  return "";
}

}  // namespace

std::string JavaManifest::get(std::string_view name) const { return section_get(main, name); }

bool JavaManifest::has(std::string_view name) const {
  for (const auto& [k, v] : main) {
    if (iequals(k, name)) return true;
  }
  return false;
}

std::string JavaManifest::find(std::string_view name) const {
  if (auto v = section_get(main, name); !v.empty()) return v;
  for (const auto& s : sections) {
    if (auto v = section_get(s, name); !v.empty()) return v;
  }
  return "";
}

JavaManifest parse_java_manifest(std::string_view text) {
  JavaManifest m;
  std::vector<JavaManifest::Section> all;
  bool in_section = false;  // a header was seen since the last blank line
  std::size_t number = 0;
  auto bad = [&]() {
    if (m.bad_lines++ == 0) m.first_bad = number;
  };
  for_each_line(text, [&](std::string_view line) {
    ++number;
    if (line.empty()) {
      in_section = false;  // a blank line ends the section; no continuation may follow it
      return;
    }
    if (line.front() == ' ') {
      if (!in_section) return bad();
      all.back().back().second += line.substr(1);
      return;
    }
    auto colon = line.find(':');
    std::string_view key = colon == std::string_view::npos ? std::string_view() : trim(line.substr(0, colon));
    if (key.empty()) return bad();  // skipped; the section (and a continuation) goes on
    if (!in_section) all.emplace_back();
    in_section = true;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    all.back().emplace_back(std::string(key), std::string(value));
  });
  for (auto& s : all) {
    for (auto& [k, v] : s) v = std::string(trim(v));
  }
  if (!all.empty()) {
    m.main = std::move(all.front());
    m.sections.assign(std::make_move_iterator(all.begin() + 1), std::make_move_iterator(all.end()));
  }
  return m;
}

PomProperties parse_pom_properties(std::string_view text) {
  PomProperties p;
  for_each_line(text, [&](std::string_view raw) {
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == '!') return;
    auto sep = line.find_first_of("=:");
    if (sep == std::string_view::npos) {
      ++p.bad_lines;
      return;
    }
    std::string_view key = trim(line.substr(0, sep));
    std::string value(trim(line.substr(sep + 1)));
    if (iequals(key, "groupId")) p.group_id = value;
    else if (iequals(key, "artifactId")) p.artifact_id = value;
    else if (iequals(key, "version")) p.version = value;
    else if (iequals(key, "name")) p.name = value;
  });
  return p;
}

}  // namespace sigil::sbom::detail
