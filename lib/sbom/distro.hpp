// Linux distribution of a file tree, from /etc/os-release (then /usr/lib/os-release,
// /etc/debian_version, /etc/alpine-release), as syft detects it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::sbom {

class FileTree;

/// The os-release fields SBOMs use.
struct Distro {
  std::string id;          ///< "debian", "alpine", "rhel"
  std::string version_id;  ///< "12", "3.19.1"
  std::string version_codename;
  std::string name;        ///< "Debian GNU/Linux"
  std::string pretty_name; ///< "Debian GNU/Linux 12 (bookworm)"
  std::string version;     ///< "12 (bookworm)"
  std::vector<std::string> id_like;
  std::string home_url;
  std::string bug_report_url;

  /// True when this is `family` or declares it in ID_LIKE ("ubuntu" is like "debian").
  [[nodiscard]] bool is_like(std::string_view family) const;
};

/// Parses os-release text (KEY=value lines, values optionally quoted, # comments); nullopt
/// when it has no ID.
[[nodiscard]] std::optional<Distro> parse_os_release(std::string_view text);

/// Detects the distribution of `tree`; nullopt when nothing identifies one.
[[nodiscard]] std::optional<Distro> detect_distro(const FileTree& tree);

}  // namespace sigil::sbom
