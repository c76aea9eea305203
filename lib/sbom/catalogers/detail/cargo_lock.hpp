// Cargo.lock: the [[package]] tables (name, version, source, checksum, dependencies) of the
// TOML subset Cargo writes. Other tables ([metadata], [[patch.unused]]) and keys are skipped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace sigil::sbom::detail {

/// One [[package]] of a Cargo.lock.
struct CargoLockPackage {
  std::string name;
  std::string version;
  std::string source;    ///< "registry+https://github.com/rust-lang/crates.io-index", "git+...", empty for local
  std::string checksum;  ///< sha256 hex of the crate file, for registry packages
  std::vector<std::string> dependencies;  ///< "name", "name version" or "name version (source)"
};

/// Parses the packages of a Cargo.lock; input error, naming `what` and the line, for an
/// unterminated string or array.
[[nodiscard]] Result<std::vector<CargoLockPackage>> parse_cargo_lock(std::string_view text, const std::string& what);

}  // namespace sigil::sbom::detail
