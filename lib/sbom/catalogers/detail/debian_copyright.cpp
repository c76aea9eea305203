#include "sbom/catalogers/detail/debian_copyright.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace sigil::sbom::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_format_header(std::string_view line) {
  for (std::string_view scheme : {"Format: http://", "Format: https://", "Format:http://", "Format:https://"}) {
    if (line.starts_with(scheme)) {
      return line.substr(scheme.size()).starts_with("www.debian.org/doc/packaging-manuals/copyright-format/");
    }
  }
  return false;
}

void add(std::set<std::string>& out, std::string_view candidate) {
  candidate = trim(candidate);
  // "MPL-1.1 or GPL-2" summarizes licenses that have their own stanzas; skip it as syft does.
  if (candidate.find(" or ") != std::string_view::npos || candidate.find(" and ") != std::string_view::npos) return;
  if (candidate.ends_with('.')) candidate.remove_suffix(1);
  if (candidate.empty()) return;
  std::string lower(candidate);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "none") return;
  out.emplace(candidate);
}

bool license_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

}  // namespace

std::vector<std::string> debian_copyright_licenses(std::string_view text) {
  std::set<std::string> found;
  bool verified = false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!verified) {
      if (trim(line).empty()) continue;
      if (!is_format_header(line)) return {};
      verified = true;
    }
    if (line.starts_with("License: ")) {
      std::string_view value = line.substr(9);
      std::size_t stop = 0;
      while (stop < value.size() && !std::isspace(static_cast<unsigned char>(value[stop]))) ++stop;
      add(found, value.substr(0, stop));
    }
    constexpr std::string_view kCommon = "/usr/share/common-licenses/";
    for (auto pos = line.find(kCommon); pos != std::string_view::npos; pos = line.find(kCommon, pos + 1)) {
      std::size_t s = pos + kCommon.size();
      std::size_t e = s;
      while (e < line.size() && license_name_char(line[e])) ++e;
      if (e > s) add(found, line.substr(s, e - s));
    }
  }
  if (!verified) return {};
  return {found.begin(), found.end()};
}

}  // namespace sigil::sbom::detail
