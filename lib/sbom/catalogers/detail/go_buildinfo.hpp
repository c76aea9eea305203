// Go build information embedded in executables, read the way Go's debug/buildinfo reads it
// (the 32-byte "\xff Go buildinf:" header in the .go.buildinfo section: pointer size, flags for
// byte order and for the inline-string layout of Go >= 1.18, else pointers to string headers)
// and parsed the way runtime/debug.ParseBuildInfo parses its text (path, mod, dep, "=>"
// replacement and build lines).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "sbom/catalogers/detail/elf.hpp"

namespace sigil::sbom::detail {

/// The two strings a Go binary carries: toolchain version ("go1.19.8") and module info text
/// (empty for binaries built outside module mode).
struct GoRawBuildInfo {
  std::string version;
  std::string modinfo;
};

/// One module line (mod, dep or "=>").
struct GoModule {
  std::string path;
  std::string version;
  std::string sum;  ///< "h1:..." when recorded
};

/// A dependency and the module that replaces it, if any.
struct GoDependency {
  GoModule module;
  std::optional<GoModule> replace;
};

/// What runtime/debug.ParseBuildInfo returns.
struct GoBuildInfo {
  std::string go_version;
  std::string path;                   ///< package path of the main package
  std::optional<GoDependency> main;   ///< the "mod" line
  std::vector<GoDependency> deps;
  std::vector<std::pair<std::string, std::string>> settings;  ///< build key=value, in order
};

/// The section names an excerpt of `elf` must keep for read_go_buildinfo to give the same answer
/// (.go.buildinfo, plus the sections the pre-1.18 pointers lead to); empty when there is none.
[[nodiscard]] std::vector<std::string> go_buildinfo_sections(const ElfFile& elf);

/// Reads the raw build info of `elf`: nullopt when it has none (not a Go binary, or Go < 1.13);
/// input error when the header or its strings are corrupt or point outside the file.
[[nodiscard]] Result<std::optional<GoRawBuildInfo>> read_go_buildinfo(const ElfFile& elf);

/// Parses module info text; input error for a malformed line (as ParseBuildInfo).
[[nodiscard]] Result<GoBuildInfo> parse_go_modinfo(std::string_view text);

}  // namespace sigil::sbom::detail
