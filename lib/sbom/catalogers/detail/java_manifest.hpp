// Java archive metadata files: META-INF/MANIFEST.MF (the JAR File Specification's manifest:
// "Name: value" headers, continuation lines starting with one space, sections separated by
// blank lines) and Maven's META-INF/maven/<group>/<artifact>/pom.properties (Java properties:
// "key=value" or "key:value", '#'/'!' comments).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigil::sbom::detail {

/// A parsed MANIFEST.MF: the main section and the per-entry sections, headers in file order.
struct JavaManifest {
  using Section = std::vector<std::pair<std::string, std::string>>;
  Section main;
  std::vector<Section> sections;
  std::size_t bad_lines = 0;    ///< lines that were neither a header nor a continuation
  std::size_t first_bad = 0;    ///< 1-based number of the first such line

  /// The value of header `name` in the main section, "" when absent (names compare
  /// case-insensitively, as the specification says).
  [[nodiscard]] std::string get(std::string_view name) const;
  /// The first non-empty value of `name` in the main section, then in the other sections.
  [[nodiscard]] std::string find(std::string_view name) const;
  /// True when the main section has header `name` (even with an empty value).
  [[nodiscard]] bool has(std::string_view name) const;
};

/// Parses a manifest; never fails (lines that are neither a header nor a continuation are
/// counted in bad_lines). Continuation lines lose their single leading space as the
/// specification says; values are trimmed.
[[nodiscard]] JavaManifest parse_java_manifest(std::string_view text);

/// Maven's coordinates from a pom.properties.
struct PomProperties {
  std::string path;  ///< the entry inside the archive ("META-INF/maven/g/a/pom.properties")
  std::string group_id;
  std::string artifact_id;
  std::string version;
  std::string name;
  std::size_t bad_lines = 0;
};

/// Parses a pom.properties (Java properties subset: '=' or ':' separators, comments).
[[nodiscard]] PomProperties parse_pom_properties(std::string_view text);

}  // namespace sigil::sbom::detail
