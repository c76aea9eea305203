// Files written so that nothing is ever half-written: temp file + fsync + rename, and advisory locks.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace sigil {

/// Reads a whole file, refusing files larger than max_bytes (input error naming the path).
[[nodiscard]] Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes);

/// Writes bytes to a temp file beside `path`, fsyncs it, renames it over `path`, fsyncs the directory.
[[nodiscard]] Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

/// fsync of a directory, so a rename inside it survives a crash.
[[nodiscard]] Result<void> sync_directory(const std::filesystem::path& dir);

/// A temp file in a directory that is removed unless commit() renames it into place.
class TempFile {
 public:
  /// Creates `dir/.tmp-<random>`; the directory must exist.
  [[nodiscard]] static Result<TempFile> create(const std::filesystem::path& dir);
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&& other) noexcept;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  /// Appends bytes (retries short writes).
  [[nodiscard]] Result<void> write(std::string_view bytes);
  /// fsyncs, closes and renames to `target`, then fsyncs the target's directory.
  [[nodiscard]] Result<void> commit(const std::filesystem::path& target);
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  TempFile(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  void discard();
  int fd_ = -1;
  std::filesystem::path path_;
};

/// An exclusive advisory lock (flock) on a file, held until destruction.
class FileLock {
 public:
  /// Blocks until the lock on `path` (created if missing) is held.
  [[nodiscard]] static Result<FileLock> acquire(const std::filesystem::path& path);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// "path: strerror(errno)" as an Error of the given category.
[[nodiscard]] Error errno_error(ErrorCategory category, std::string_view what, int err);

}  // namespace sigil
