#include "common/file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace sigil {
namespace fs = std::filesystem;

Error errno_error(ErrorCategory category, std::string_view what, int err) {
  return Error{category, std::string(what) + ": " + std::strerror(err)};
}

Result<std::string> read_file(const fs::path& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::unexpected(errno_error(errno == ENOENT ? ErrorCategory::input : ErrorCategory::input,
                                       path.string(), errno));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return std::unexpected(errno_error(ErrorCategory::input, path.string(), err));
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      ::close(fd);
      return fail(ErrorCategory::input,
                  path.string() + ": larger than the limit of " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

Result<void> sync_directory(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(errno_error(ErrorCategory::internal, dir.string(), errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return std::unexpected(errno_error(ErrorCategory::internal, "fsync " + dir.string(), err));
  return {};
}

Result<void> write_file_atomic(const fs::path& path, std::string_view bytes) {
  auto tmp = TempFile::create(path.has_parent_path() ? path.parent_path() : fs::path("."));
  if (!tmp) return std::unexpected(tmp.error());
  if (auto w = tmp->write(bytes); !w) return w;
  return tmp->commit(path);
}

Result<TempFile> TempFile::create(const fs::path& dir) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  for (int attempt = 0; attempt < 16; ++attempt) {
    char name[32];
    std::snprintf(name, sizeof name, ".tmp-%016llx", static_cast<unsigned long long>(rng()));
    fs::path p = dir / name;
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) return TempFile(fd, p);
    if (errno != EEXIST) return std::unexpected(errno_error(ErrorCategory::internal, p.string(), errno));
  }
  return fail(ErrorCategory::internal, dir.string() + ": could not create a temporary file");
}

TempFile::TempFile(TempFile&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
  other.path_.clear();
}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
  if (this != &other) {
    discard();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
    other.path_.clear();
  }
  return *this;
}

TempFile::~TempFile() { discard(); }

void TempFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
}

Result<void> TempFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(errno_error(ErrorCategory::internal, "write " + path_.string(), errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> TempFile::commit(const fs::path& target) {
  if (::fsync(fd_) != 0) {
    return std::unexpected(errno_error(ErrorCategory::internal, "fsync " + path_.string(), errno));
  }
  ::close(fd_);
  fd_ = -1;
  if (::rename(path_.c_str(), target.c_str()) != 0) {
    return std::unexpected(errno_error(ErrorCategory::internal, "rename to " + target.string(), errno));
  }
  path_.clear();
  return sync_directory(target.has_parent_path() ? target.parent_path() : fs::path("."));
}

Result<FileLock> FileLock::acquire(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return std::unexpected(errno_error(ErrorCategory::internal, "lock " + path.string(), errno));
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    return std::unexpected(errno_error(ErrorCategory::internal, "lock " + path.string(), err));
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace sigil
