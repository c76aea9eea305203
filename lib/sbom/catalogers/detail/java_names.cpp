#include "sbom/catalogers/detail/java_names.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace sigil::sbom::detail {
namespace {

bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

bool istarts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// A name part: a letter, then word characters or dots.
bool is_name_part(std::string_view s) {
  if (s.empty() || !is_alpha(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_word(c) || c == '.'; });
}

// Where a version may begin (`rest` runs to the end of the file name): a digit; "build" and a
// digit; or "r"/"rc" and digits ending the name.
bool starts_version(std::string_view rest) {
  if (rest.empty()) return false;
  if (is_digit(rest.front())) return true;
  if (istarts_with(rest, "build")) return rest.size() > 5 && is_digit(rest[5]);
  std::size_t i = 0;
  if (istarts_with(rest, "rc")) i = 2;
  else if (istarts_with(rest, "r")) i = 1;
  else return false;
  return i < rest.size() && std::all_of(rest.begin() + static_cast<std::ptrdiff_t>(i), rest.end(), is_digit);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

// A Java identifier may start with a letter, '$' or '_' (non-ASCII letters count as letters).
bool java_identifier_start(std::string_view field) {
  if (field.empty()) return false;
  unsigned char c = static_cast<unsigned char>(field.front());
  return c >= 0x80 || std::isalpha(c) || c == '$' || c == '_';
}

// "com.atlassian.gadgets.atlassian-gadgets-api" → "atlassian-gadgets-api" (group + artifact in
// one file name); Eclipse's artifact ids contain dots themselves and stay whole.
std::string name_from_filename(const std::string& name) {
  if (name.find('.') == std::string::npos || name.starts_with("org.eclipse.")) return name;
  auto fields = split(name, '.');
  if (std::all_of(fields.begin(), fields.end(), java_identifier_start)) return std::string(fields.back());
  return name;
}

bool starts_with_domain(std::string_view v) {
  for (std::string_view d : {"com", "org", "net", "io", "be"}) {
    if (v.starts_with(d)) return true;
  }
  return false;
}

}  // namespace

ArchiveFilename parse_archive_filename(std::string_view path) {
  ArchiveFilename out;
  auto cut = path.find_last_of("/:");
  std::string_view base = cut == std::string_view::npos ? path : path.substr(cut + 1);
  if (auto dot = base.rfind('.'); dot != std::string_view::npos) {
    for (char c : base.substr(dot + 1)) out.extension += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    base = base.substr(0, dot);
  }
  // name-version: dash-separated name parts up to the first part where a version begins.
  auto parts = split(base, '-');
  std::size_t offset = 0;
  bool matched = false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string_view rest = base.substr(offset);
    if (i > 0 && starts_version(rest)) {
      out.name = std::string(base.substr(0, offset - 1));
      out.version = std::string(rest);
      matched = true;
      break;
    }
    if (!is_name_part(parts[i])) return ArchiveFilename{"", "", out.extension};
    offset += parts[i].size() + 1;
  }
  if (!matched) out.name = std::string(base);
  // Some archives separate the version with '_' or '.' ("log4j.1.2", "foo_2.0").
  if (out.version.empty()) {
    for (std::size_t i = 0; i + 1 < out.name.size(); ++i) {
      char c = out.name[i];
      if ((c == '.' || c == '_' || c == '-') && starts_version(std::string_view(out.name).substr(i + 1))) {
        out.version = out.name.substr(i + 1);
        out.name.resize(i);
        break;
      }
    }
  }
  return out;
}

std::string select_name(const JavaManifest* m, const ArchiveFilename& file) {
  // The Apache Maven Bundle Plugin writes Bundle-SymbolicName as "<groupId>.<artifactId>".
  if (m != nullptr && m->get("Created-By").find("Apache Maven Bundle Plugin") != std::string::npos) {
    std::string symbolic = clean_group_id(m->get("Bundle-SymbolicName"));
    std::string vendor_id = m->get("Implementation-Vendor-Id");
    if (!symbolic.empty() && symbolic != vendor_id) return symbolic.substr(symbolic.rfind('.') + 1);
  }
  if (!file.name.empty()) return name_from_filename(file.name);
  if (m == nullptr) return "";
  for (std::string_view field : {"Name", "Bundle-Name", "Short-Name", "Extension-Name", "Implementation-Title"}) {
    if (auto v = m->get(field); !v.empty()) return v;
  }
  return "";
}

std::string select_version(const JavaManifest* m, const ArchiveFilename& file) {
  if (!file.version.empty()) return file.version;
  if (m == nullptr) return "";
  for (std::string_view field : {"Implementation-Version", "Specification-Version", "Plugin-Version", "Bundle-Version"}) {
    if (auto v = m->find(field); !v.empty()) return v;
  }
  return "";
}

std::vector<std::string> manifest_licenses(const JavaManifest& m) {
  std::vector<std::string> out;
  // OSGi: Bundle-License ::= license (',' license)*; license ::= name (';' attribute)*.
  // A comma inside a quoted attribute value does not separate licenses.
  std::string bundle = m.find("Bundle-License");
  std::string current;
  bool quoted = false;
  auto flush = [&]() {
    std::string_view name = trim(std::string_view(current).substr(0, current.find(';')));
    if (!name.empty() && name != "<<EXTERNAL>>") out.emplace_back(name);
    current.clear();
  };
  for (char c : bundle) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      flush();
      continue;
    }
    current += c;
  }
  flush();
  if (auto v = m.find("Plugin-License-Name"); !v.empty()) out.push_back(v);
  return out;
}

std::string clean_group_id(std::string_view group) {
  group = group.substr(0, group.find(';'));
  group = group.substr(0, group.find('#'));
  return std::string(trim(group));
}

std::string manifest_group_id(const JavaManifest& m) {
  static constexpr std::array kPrimary = {"Group-Id",        "Bundle-SymbolicName",      "Extension-Name",
                                          "Specification-Vendor", "Implementation-Vendor", "Implementation-Vendor-Id",
                                          "Implementation-Title", "Bundle-Activator"};
  static constexpr std::array kSecondary = {"Automatic-Module-Name", "Main-Class", "Package"};
  auto candidates = [&](const auto& fields) {
    std::vector<std::string> out;
    auto take = [&](const JavaManifest::Section& s, std::string_view field) {
      for (const auto& [k, v] : s) {
        if (k.size() == field.size() && std::equal(k.begin(), k.end(), field.begin(), [](char a, char b) {
              return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }) && starts_with_domain(v)) {
          out.push_back(clean_group_id(v));
          break;
        }
      }
    };
    for (std::string_view field : fields) {
      take(m.main, field);
      for (const auto& s : m.sections) take(s, field);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  if (auto c = candidates(kPrimary); !c.empty()) return c.front();
  if (auto c = candidates(kSecondary); !c.empty()) return c.front();
  return "";
}

bool artifact_matches_filename(const std::string& artifact_id, const std::string& file_name,
                               const std::set<std::string>& artifacts) {
  if (artifact_id.empty() || file_name.empty()) return false;
  if (artifacts.contains(file_name)) return artifact_id == file_name;
  return artifact_id.starts_with(file_name) || file_name.ends_with(artifact_id);
}

bool is_jenkins_group(std::string_view group) {
  for (std::string_view prefix : {"io.jenkins.plugins", "org.jenkins.plugins", "org.jenkins-ci.plugins",
                                  "io.jenkins-ci.plugins", "com.cloudbees.jenkins.plugins"}) {
    if (group.starts_with(prefix)) return true;
  }
  return group.find(".jenkins.plugin") != std::string_view::npos;
}

}  // namespace sigil::sbom::detail
