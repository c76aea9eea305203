// FileTree: a read-only view of a root filesystem — a directory on disk or the squashed layers
// of an image — that never reads outside its root. Symbolic links are resolved inside the root
// (an absolute target restarts at the root, ".." stops at the root, as chroot does) and loops
// end with an error after limits::kMaxSymlinkHops links.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace sigil::sbom {

/// What an entry of the tree is.
enum class EntryKind { file, directory, symlink, other };

/// One entry, as lstat would describe it (symbolic links are not followed).
struct Entry {
  EntryKind kind = EntryKind::other;
  std::uint64_t size = 0;
  std::string link_target;  ///< for symlinks
  std::string layer;        ///< digest of the layer that introduced it; empty for directories on disk
  std::uint32_t mode = 0;   ///< permission bits (07777: setuid..., rwx for owner, group, others)
  /// A regular file that starts with the ELF magic ("\x7fELF"), as far as the tree could tell
  /// cheaply while walking (image trees see every file's first bytes as its layer streams by;
  /// directory trees read four bytes of each regular file of ELF header size or more). False
  /// means "not known to be ELF", so matchers keep accepting executables by mode too.
  bool elf = false;
};

/// Digests of a whole file: {{"SHA-1", lower-case hex}, {"SHA-256", lower-case hex}}, the
/// algorithms named as Package::hashes names them.
using FileHashes = std::vector<std::pair<std::string, std::string>>;

/// Normalizes a path inside the tree: absolute, no ".", "..", empty or trailing components
/// ("a/./b//c/" → "/a/b/c"; ".." above the root stays at the root).
[[nodiscard]] std::string normalize_tree_path(std::string_view path);

/// The read-only tree interface catalogers use. Paths are absolute within the tree ("/etc/os-release").
class FileTree {
 public:
  virtual ~FileTree() = default;

  /// Names the tree in messages ("dir:/srv/app", "image sha256:...").
  [[nodiscard]] virtual std::string describe() const = 0;

  /// The entry at `path` whose parent components are real directories (no symlinks among them);
  /// nullopt when missing. The last component is not followed.
  [[nodiscard]] virtual std::optional<Entry> lstat(const std::string& path) const = 0;

  /// Names in a directory given by such a path, sorted; empty when it is not a directory.
  [[nodiscard]] virtual std::vector<std::string> list_dir(const std::string& dir) const = 0;

  /// Calls `visit` for every entry that is not a directory, in a deterministic order, without following
  /// links. Problems met on the way (unreadable directories) are reported through `problem`.
  virtual void walk(const std::function<void(const std::string& path, const Entry& entry)>& visit,
                    const std::function<void(const std::string& path, const std::string& message)>& problem) const = 0;

  /// Reads a regular file at a path with no symlinks left (see resolve); input error when it is
  /// larger than `max_bytes` or unreadable.
  [[nodiscard]] virtual Result<std::string> read_resolved(const std::string& path, std::size_t max_bytes) const = 0;

  /// SHA-1 and SHA-256 of the whole regular file at a path with no symlinks left, up to
  /// `max_bytes` (input error beyond, or when unreadable). Unlike read_resolved this is always
  /// the file's own content, even where the tree keeps only an excerpt of it. The default reads
  /// the file whole and hashes it; trees override it to stream or to answer from digests taken
  /// while the file streamed by.
  [[nodiscard]] virtual Result<FileHashes> hash_resolved(const std::string& path, std::size_t max_bytes) const;

  /// Resolves every symlink of `path` inside the root. Input error for loops; the result may
  /// name a missing file (use lstat to check).
  [[nodiscard]] Result<std::string> resolve(std::string_view path) const;

  /// The entry `path` leads to, links followed; nullopt when missing or unresolvable.
  [[nodiscard]] std::optional<Entry> stat(std::string_view path) const;

  /// Resolves and reads a regular file (input error naming the path when missing, not a regular
  /// file, too large, or a link loop).
  [[nodiscard]] Result<std::string> read(std::string_view path, std::size_t max_bytes) const;

  /// Resolves and hashes a regular file (see hash_resolved; errors as read).
  [[nodiscard]] Result<FileHashes> hash(std::string_view path, std::size_t max_bytes) const;
};

}  // namespace sigil::sbom
