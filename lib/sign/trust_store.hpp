// Where sigil's trusted material lives (the Sigstore trusted_root.json, signing_config and the
// TUF metadata behind them) and how `sigil trust update` refreshes it.
//
// Data directories, in lookup order:
//   1. $SIGIL_DATA_DIR when set: the only directory used (tests, air-gapped setups).
//   2. the user's copy, ($XDG_DATA_HOME or ~/.local/share)/sigil, written by `sigil trust update`.
//   3. the installed copy beside the binary: <exe dir>/../share/sigil (`cmake --install`), or
//      <exe dir>/share/sigil (the build tree, where the binary sits at the top of the build dir).
// A file is read from the first directory of 2-3 that has it. Each directory holds
// trusted_root.json, signing_config.v0.2.json and tuf/root.json (+ timestamp, snapshot and
// targets .json after an update). Verification never goes to the network for these files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/http.hpp"
#include "sign/tuf/updater.hpp"

namespace sigil::sign {

inline constexpr std::string_view kTrustedRootFile = "trusted_root.json";
inline constexpr std::string_view kSigningConfigFile = "signing_config.v0.2.json";
/// The TUF metadata folder inside a data directory.
inline constexpr std::string_view kTufDir = "tuf";
/// Sigstore's public-good TUF repository.
inline constexpr std::string_view kDefaultTufMirror = "https://tuf-repo-cdn.sigstore.dev";

/// The data directories that exist or apply, resolved from the environment and the binary path.
struct DataDirs {
  std::optional<std::filesystem::path> override_dir;   ///< $SIGIL_DATA_DIR (set, even if missing)
  std::optional<std::filesystem::path> user_dir;       ///< ($XDG_DATA_HOME|~/.local/share)/sigil
  std::optional<std::filesystem::path> installed_dir;  ///< the first existing share/sigil beside the binary
};

/// Resolves the directories (no file is read).
[[nodiscard]] DataDirs data_dirs();

/// The directory `trust update` writes: $SIGIL_DATA_DIR, else the user directory. Input error
/// when neither $SIGIL_DATA_DIR, $XDG_DATA_HOME nor $HOME is set.
[[nodiscard]] Result<std::filesystem::path> writable_data_dir();

/// The path of `name` (relative to a data directory) in lookup order. Input error naming every
/// path tried when none exists.
[[nodiscard]] Result<std::filesystem::path> find_data_file(std::string_view name);

/// The default Sigstore trusted_root.json (bytes; parse with parse_trusted_root). Input error
/// "default trusted root: <path>: ..." naming the path(s) tried.
[[nodiscard]] Result<std::string> read_default_trusted_root();

/// The default Sigstore signing_config.v0.2.json (bytes), same lookup.
[[nodiscard]] Result<std::string> read_default_signing_config();

/// What a trust update did.
struct TrustUpdateReport {
  std::filesystem::path data_dir;  ///< where the files were written
  std::uint64_t old_root_version = 0;
  std::uint64_t new_root_version = 0;
  std::uint64_t timestamp_version = 0;
  std::uint64_t snapshot_version = 0;
  std::uint64_t targets_version = 0;
  std::vector<std::string> updated_targets;    ///< names whose bytes changed
  std::vector<std::string> unchanged_targets;  ///< names already current
};

/// A tuf::Fetch over `client`: 200 → body, 404/403 → nullopt, other statuses → network error.
[[nodiscard]] tuf::Fetch http_fetch(http::Client& client);

/// Runs the TUF client against `mirror` from the trusted metadata of the writable data directory
/// (tuf/root.json there, else the installed one when that directory is the user's) and, only when
/// every step succeeded, stores the new metadata and targets there (each file atomically, targets
/// first, root last). Any failure returns one error and leaves every file as it was.
[[nodiscard]] Result<TrustUpdateReport> update_trust(std::string_view mirror, const tuf::Fetch& fetch,
                                                     tuf::Time now);

}  // namespace sigil::sign
