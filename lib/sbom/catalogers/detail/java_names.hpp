// How a Java archive's identity is chosen, as syft chooses it (syft/pkg/cataloger/java:
// archive_filename.go, parse_java_manifest.go, package_url.go): the file name's "name-version"
// split, MANIFEST.MF headers in a fixed order of preference, Maven group ids from pom.properties
// or from manifest headers that look like reverse domain names.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sbom/catalogers/detail/java_manifest.hpp"

namespace sigil::sbom::detail {

/// Name and version read from an archive's file name ("commons-lang3-3.12.0.jar" →
/// commons-lang3, 3.12.0; "log4j.1.2.jar" → log4j, 1.2); empty when the name does not parse.
struct ArchiveFilename {
  std::string name;
  std::string version;
  std::string extension;  ///< lower case, without the dot ("jar")
};

/// Splits the last path component of `path` (after the last '/' or ':').
[[nodiscard]] ArchiveFilename parse_archive_filename(std::string_view path);

/// The package name from the manifest and file name when no pom.properties names it: the
/// artifact id the Apache Maven Bundle Plugin baked into Bundle-SymbolicName, the file name
/// (its last part when it reads like "group.artifact"), then Name, Bundle-Name, Short-Name,
/// Extension-Name, Implementation-Title. `manifest` may be null.
[[nodiscard]] std::string select_name(const JavaManifest* manifest, const ArchiveFilename& file);

/// The version from the file name, else Implementation-Version, Specification-Version,
/// Plugin-Version, Bundle-Version (main section first).
[[nodiscard]] std::string select_version(const JavaManifest* manifest, const ArchiveFilename& file);

/// Declared licenses: Bundle-License (split into its comma-separated entries, OSGi attributes
/// dropped) and Plugin-License-Name.
[[nodiscard]] std::vector<std::string> manifest_licenses(const JavaManifest& manifest);

/// A Maven group id from manifest headers that start like a reverse domain name (Group-Id,
/// Bundle-SymbolicName, Implementation-Vendor-Id, ... then Automatic-Module-Name, Main-Class);
/// the smallest candidate, as syft sorts them; "" when none.
[[nodiscard]] std::string manifest_group_id(const JavaManifest& manifest);

/// A group id without OSGi directives (";singleton:=true") or fragments ("#...").
[[nodiscard]] std::string clean_group_id(std::string_view group);

/// True when a pom.properties' artifact id names this archive: equal to the file name when any
/// pom.properties of the archive is (`artifacts` holds them all), else one a prefix or suffix
/// of the other as syft accepts it.
[[nodiscard]] bool artifact_matches_filename(const std::string& artifact_id, const std::string& file_name,
                                             const std::set<std::string>& artifacts);

/// True for group ids of Jenkins plugins (the package type is then "jenkins-plugin").
[[nodiscard]] bool is_jenkins_group(std::string_view group);

}  // namespace sigil::sbom::detail
