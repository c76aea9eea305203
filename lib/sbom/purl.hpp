// Package URLs (https://github.com/package-url/purl-spec) written exactly as syft writes them
// (anchore/packageurl-go): type-specific namespace/name rules, qualifiers in the order given
// (the ecosystem helpers below give them sorted by key, distro included, as syft does),
// and syft's escaping of components ('@' '?' '#' ' ' and non-ASCII percent-encoded; '+' as %2B
// only in a component that needs escaping anyway; ':' and '/' in versions left as they are).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sbom/distro.hpp"

namespace sigil::sbom {

/// A package URL's parts, before escaping.
struct Purl {
  std::string type;
  std::string namespace_;  ///< may contain '/' (golang, composer); each segment escaped separately
  std::string name;
  std::string version;
  std::vector<std::pair<std::string, std::string>> qualifiers;  ///< written in this order, empty values skipped
  std::string subpath;

  /// "pkg:type/namespace/name@version?k=v&k2=v2#subpath".
  [[nodiscard]] std::string str() const;
};

/// Escapes one purl component as packageurl-go does.
[[nodiscard]] std::string purl_escape(std::string_view text);

/// pkg:deb/<distro id>/<name>@<version>?arch=..&distro=<id>-<version_id>&upstream=<source>[@<source version>];
/// empty when the distro is unknown or not Debian-like (as syft).
[[nodiscard]] std::string deb_purl(const std::optional<Distro>& distro, std::string_view name, std::string_view version,
                                   std::string_view arch, std::string_view source, std::string_view source_version);

/// pkg:apk/<distro id>/<name>@<version>?arch=..&distro=<id>-<version_id>&upstream=<origin>; empty without a distro.
[[nodiscard]] std::string apk_purl(const std::optional<Distro>& distro, std::string_view name, std::string_view version,
                                   std::string_view arch, std::string_view origin);

/// The namespace syft gives rpm purls: "redhat" for RHEL ("rhel") and Hummingbird, "opensuse"
/// for every "opensuse*" ID, else the os-release ID; empty without a distro.
[[nodiscard]] std::string rpm_namespace(const std::optional<Distro>& distro);

/// pkg:rpm/<rpm_namespace>/<name>@<version>-<release>?arch=..&distro=<id>-<version_id>&epoch=..&upstream=<source rpm>
[[nodiscard]] std::string rpm_purl(const std::optional<Distro>& distro, std::string_view name, std::string_view version,
                                   std::string_view release, std::optional<int> epoch, std::string_view arch,
                                   std::string_view source_rpm);

/// PyPI name normalized as the purl spec says: lower case, '_' → '-'.
[[nodiscard]] std::string pypi_purl(std::string_view name, std::string_view version);

/// pkg:npm/[%40scope/]name@version from "@scope/name" or "name".
[[nodiscard]] std::string npm_purl(std::string_view name, std::string_view version);

/// pkg:golang/<module path up to the last '/'>/<last element>@version.
[[nodiscard]] std::string golang_purl(std::string_view module_path, std::string_view version);

/// pkg:maven/<group>/<artifact>@version.
[[nodiscard]] std::string maven_purl(std::string_view group, std::string_view artifact, std::string_view version);

/// pkg:cargo/<name>@version.
[[nodiscard]] std::string cargo_purl(std::string_view name, std::string_view version);

/// pkg:gem/<name>@version.
[[nodiscard]] std::string gem_purl(std::string_view name, std::string_view version);

/// pkg:composer/<vendor>/<name>@version from "vendor/name".
[[nodiscard]] std::string composer_purl(std::string_view name, std::string_view version);

/// pkg:nuget/<name>@version.
[[nodiscard]] std::string nuget_purl(std::string_view name, std::string_view version);

}  // namespace sigil::sbom
