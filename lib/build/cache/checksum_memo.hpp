// A stat-keyed memo of file content digests, as BuildKit's content checksum cache and git's
// index do: a file whose (path, size, mtime ns, ctime ns, inode, device, mode) is unchanged
// since its bytes were hashed is not read again. Cache keys stay content-based (the memo only
// answers "sha256 of these bytes"); it never makes a changed file look unchanged:
// - any rewrite changes ctime (which no user call can set back), so restoring mtime with
//   `touch -d` does not fool it, and replacing the file changes the inode;
// - "racy" files (git's term) are never recorded: a file whose mtime or ctime is within
//   kRacyMargin of the moment hashing started could be rewritten after the read inside the
//   same timestamp tick (1 ns to 2 s depending on the file system), with no visible change.
//
// On disk (<cache>/checksums.v1): a header line, then one line per file
//   <sha256 hex> <size> <mtime ns> <ctime ns> <inode> <device> <mode> <absolute path>
// written temp + rename; a missing, foreign or corrupt file is an empty memo (only time is lost).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.hpp"
#include "oci/digest.hpp"

namespace sigil::build {

/// A file whose content digest is wanted, with the size it had when it was collected.
struct FileToHash {
  std::filesystem::path path;
  std::uint64_t size = 0;
};

/// Content digests of files, memoized by their stat. Thread-safe.
class ChecksumMemo {
 public:
  /// Files changed less than this before hashing started are re-read every time.
  static constexpr std::chrono::nanoseconds kRacyMargin = std::chrono::seconds(2);

  /// An empty memo (nothing persisted unless save() is called). `racy_margin` is for tests.
  explicit ChecksumMemo(std::chrono::nanoseconds racy_margin = kRacyMargin) : racy_margin_(racy_margin) {}

  /// Adds the records saved in `file` (missing, unreadable, foreign or corrupt: none).
  void load(const std::filesystem::path& file);

  /// The sha256 of each file's bytes, in order: from the memo when the file's stat matches a
  /// record, else read (on up to two threads) and recorded unless racy. Regular files only,
  /// never following a final symlink; input error naming the file when it cannot be read or
  /// its size is not `size` (it changed since it was collected).
  [[nodiscard]] Result<std::vector<oci::Digest>> digest_files(const std::vector<FileToHash>& files);

  /// Writes the records (temp + rename), leaving out paths under `volatile_dir` (build scratch
  /// files, which never exist twice). At most kMaxRecords are kept, the ones used by this
  /// process first. Does nothing when nothing changed.
  [[nodiscard]] Result<void> save(const std::filesystem::path& file, const std::filesystem::path& volatile_dir = {});

  /// How many files were read (not answered by the memo) so far.
  [[nodiscard]] std::uint64_t files_read() const { return files_read_.load(); }

  static constexpr std::size_t kMaxRecords = 1'000'000;

 private:
  struct Stat {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
    std::uint64_t inode = 0;
    std::uint64_t device = 0;
    std::uint32_t mode = 0;
    friend bool operator==(const Stat&, const Stat&) = default;
  };
  struct Record {
    Stat stat;
    oci::Digest digest;
    bool used = false;  ///< looked up or recorded by this process
  };
  [[nodiscard]] Result<oci::Digest> hash_file(const FileToHash& file, std::int64_t started_ns);

  std::chrono::nanoseconds racy_margin_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Record> records_;
  bool dirty_ = false;
  std::atomic<std::uint64_t> files_read_{0};
};

}  // namespace sigil::build
