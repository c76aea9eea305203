// One file-system entry of a layer (what a tar header plus its content describe), and the COPY
// transformations applied to entries before they are written: --chown, --chmod, and placement
// of a source under its destination.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/error.hpp"

namespace sigil::build {

/// Kind of a layer entry; nothing else (devices, fifos, sockets) ever reaches a layer.
enum class EntryType { regular, directory, symlink, hardlink };

/// Content of a regular file read from disk when the layer is written. The path is absolute and
/// was resolved inside its root by whoever produced it; the writer opens it with O_NOFOLLOW.
struct FileContent {
  std::filesystem::path path;
};

/// One entry of a layer.
struct LayerEntry {
  /// Clean relative path with '/' separators: no leading '/', no trailing '/', no "." or ".."
  /// components, never empty (the root directory itself is not an entry).
  std::string path;
  EntryType type = EntryType::regular;
  /// Permission bits plus setuid (04000), setgid (02000) and sticky (01000); never file-type bits.
  std::uint32_t mode = 0644;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  /// Size of the content in bytes (regular files only; 0 otherwise).
  std::uint64_t size = 0;
  /// symlink: the target exactly as stored (may be absolute, relative or dangling).
  /// hardlink: the layer path (same form as `path`) of the regular entry it links to.
  std::string link_target;
  /// Extended attributes kept in the layer: only "security.capability" (raw bytes).
  std::map<std::string, std::string> xattrs;
  /// Regular files: bytes in memory, or a file on disk read when written; monostate otherwise.
  std::variant<std::monostate, FileContent, std::string> content;
};

/// The only extended attribute copied into layers, as BuildKit does.
inline constexpr std::string_view kCapabilityXattr = "security.capability";

/// Cleans a path the way Go's path.Clean does, then drops leading '/' and "./": the result is
/// relative, has no "." or ".." components ("../../x" → "x"), and is "" for the root.
[[nodiscard]] std::string clean_relative_path(std::string_view path);

/// Numeric owner for --chown (names are resolved by the planner against the stage's files).
struct Chown {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
};

/// A parsed --chmod value: an octal mode ("755", "0644", "4755") or a symbolic mode as accepted
/// by BuildKit's Dockerfile frontend since 1.14 ("u+x", "go-w", "a=rX", comma separated).
class Chmod {
 public:
  /// Parses an octal or symbolic mode; input error naming the value otherwise.
  [[nodiscard]] static Result<Chmod> parse(std::string_view text);
  /// The mode this --chmod gives an entry whose current mode is `mode` (permission bits and
  /// setuid/setgid/sticky); `is_dir` matters for 'X' in symbolic modes.
  [[nodiscard]] std::uint32_t apply(std::uint32_t mode, bool is_dir) const;
  /// True for an octal mode (applied to files and directories alike).
  [[nodiscard]] bool is_octal() const { return octal_.has_value(); }

 private:
  /// One symbolic clause ("ug+rwX"); see BSD setmode(3), which BuildKit's mode parser follows.
  struct Clause {
    std::uint32_t who = 0;  // bits the clause may touch (0: every class, as "a")
    char op = '=';          // '+', '-' or '='
    std::uint32_t perm = 0; // rwxst bits in every class, masked by `who` when applied
    bool x_conditional = false;  // 'X': execute only for directories or already-executable files
    char copy_from = 0;          // 'u', 'g' or 'o' for "g=u" style copies
  };
  std::optional<std::uint32_t> octal_;
  std::vector<Clause> clauses_;
};

/// Applies --chown to every entry (files, directories, links).
void apply_chown(std::vector<LayerEntry>& entries, const Chown& chown);

/// Applies --chmod to every entry except symlinks (whose mode is not meaningful); hardlinks get
/// the same mode as their target, as they share an inode.
void apply_chmod(std::vector<LayerEntry>& entries, const Chmod& chmod);

/// One COPY/ADD source, already collected: its entries with paths relative to the source.
/// For a directory source the entries are its contents (the directory itself is not among
/// them; its metadata is `self`); for a file or symlink source there is one entry whose path is
/// the name the file gets under a destination directory (the base name of the source).
struct CollectedSource {
  bool is_dir = false;
  /// Metadata of the source directory itself (used when the destination is created from it).
  std::optional<LayerEntry> self;
  std::vector<LayerEntry> entries;
};

/// Looks up an existing entry of the stage's file system by absolute clean path ("/app");
/// returns nothing when the path does not exist there.
using ExistingLookup = std::function<std::optional<LayerEntry>(std::string_view absolute_path)>;

/// How sources are placed under a COPY destination.
struct Placement {
  /// Destination path in the image, absolute after WORKDIR was applied by the planner
  /// ("/app/", "/app/x.txt"); a trailing '/' means "a directory".
  std::string dest;
  /// Owner of directories COPY creates (the destination and its missing parents): BuildKit
  /// creates them with mode 0755, owned by the --chown user when given, else root.
  Chown created_owner;
  /// The stage's file system below the layer (nullptr: scratch, or COPY --link). A destination
  /// that exists there as a directory receives files by name; parents that exist there are
  /// written with their existing metadata, as a snapshot differ would write them.
  ExistingLookup existing;
};

/// Places collected sources, in order, under a destination as BuildKit's COPY does: a directory
/// source copies its contents (not the directory itself) into dest; a file goes to dest/<name>
/// when dest ends in '/' or is an existing directory, else becomes dest (a later source then
/// replaces it, as BuildKit's wildcard copies do); dest and its missing parents are created
/// (0755, created_owner). Hardlink targets are rewritten with the same prefix. The planner
/// rejects several sources without a trailing '/' before calling this (BuildKit's rule).
[[nodiscard]] Result<std::vector<LayerEntry>> place_sources(std::vector<CollectedSource> sources,
                                                            const Placement& placement);

/// Sorts entries bytewise by path (which puts every parent before its children), keeps the last
/// of duplicate paths, and adds missing parent directories (0755, root).
void normalize_entries(std::vector<LayerEntry>& entries);

}  // namespace sigil::build
