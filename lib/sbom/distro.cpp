#include "sbom/distro.hpp"

#include <algorithm>

#include "common/limits.hpp"
#include "sbom/filetree/file_tree.hpp"

namespace sigil::sbom {
namespace {

constexpr std::size_t kMaxReleaseFileBytes = 64 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// os-release values may be quoted with " or ' and use backslash escapes inside double quotes.
std::string unquote(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    char q = v.front();
    v = v.substr(1, v.size() - 2);
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (q == '"' && v[i] == '\\' && i + 1 < v.size()) ++i;
      out += v[i];
    }
    return out;
  }
  return std::string(v);
}

}  // namespace

bool Distro::is_like(std::string_view family) const {
  return id == family || std::find(id_like.begin(), id_like.end(), family) != id_like.end();
}

std::optional<Distro> parse_os_release(std::string_view text) {
  Distro d;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = trim(line.substr(0, eq));
    std::string value = unquote(line.substr(eq + 1));
    if (key == "ID") d.id = value;
    else if (key == "VERSION_ID") d.version_id = value;
    else if (key == "VERSION_CODENAME") d.version_codename = value;
    else if (key == "NAME") d.name = value;
    else if (key == "PRETTY_NAME") d.pretty_name = value;
    else if (key == "VERSION") d.version = value;
    else if (key == "HOME_URL") d.home_url = value;
    else if (key == "BUG_REPORT_URL") d.bug_report_url = value;
    else if (key == "ID_LIKE") {
      std::size_t s = 0;
      while (s < value.size()) {
        std::size_t e = value.find(' ', s);
        if (e == std::string::npos) e = value.size();
        if (e > s) d.id_like.push_back(value.substr(s, e - s));
        s = e + 1;
      }
    }
  }
  if (d.id.empty()) return std::nullopt;
  return d;
}

std::optional<Distro> detect_distro(const FileTree& tree) {
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    auto text = tree.read(path, kMaxReleaseFileBytes);
    if (!text) continue;
    if (auto d = parse_os_release(*text)) return d;
  }
  if (auto text = tree.read("/etc/debian_version", kMaxReleaseFileBytes)) {
    // "12.4" → VERSION_ID 12, as Debian's own os-release has it; "bookworm/sid" has no number.
    std::string v(trim(*text));
    Distro d;
    d.id = "debian";
    d.name = "Debian GNU/Linux";
    if (!v.empty() && v.front() >= '0' && v.front() <= '9') d.version_id = v.substr(0, v.find('.'));
    d.pretty_name = "Debian GNU/Linux " + v;
    return d;
  }
  if (auto text = tree.read("/etc/alpine-release", kMaxReleaseFileBytes)) {
    Distro d;
    d.id = "alpine";
    d.name = "Alpine Linux";
    d.version_id = std::string(trim(*text));
    d.pretty_name = "Alpine Linux v" + d.version_id;
    return d;
  }
  return std::nullopt;
}

}  // namespace sigil::sbom
