#include "oci/detail/layout_blobs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "common/file.hpp"

namespace sigil::oci::detail {
namespace fs = std::filesystem;
namespace {

// Closes a file descriptor on scope exit.
struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

bool is_within(const fs::path& root, const fs::path& p) {
  auto r = root.begin();
  auto q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

Error mismatch(std::string_view prefix, const Digest& actual, const Descriptor& desc) {
  return Error{ErrorCategory::integrity, std::string(prefix) + ": content has digest " + actual.str() +
                                             ", expected " + desc.digest.str()};
}

Error size_mismatch(std::string_view prefix, std::uint64_t actual, const Descriptor& desc) {
  return Error{ErrorCategory::integrity, std::string(prefix) + ": content has " + std::to_string(actual) +
                                             " bytes, expected " + std::to_string(desc.size)};
}

}  // namespace

Result<void> check_inside_layout(const fs::path& canonical_root, const fs::path& path, std::string_view what) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return {};
    return std::unexpected(errno_error(ErrorCategory::input, std::string(what), errno));
  }
  if (!S_ISLNK(st.st_mode)) return {};
  std::error_code ec;
  fs::path target = fs::canonical(path, ec);
  if (ec || !is_within(canonical_root, target)) {
    return fail(ErrorCategory::input, std::string(what) + ": symlink leads outside the layout");
  }
  return {};
}

Result<void> stream_blob_file(const fs::path& path, const Descriptor& desc, BlobSink& sink,
                              std::string_view store_name) {
  std::string prefix = "blob " + desc.digest.str() + " in " + std::string(store_name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return fail(ErrorCategory::input, "blob " + desc.digest.str() + " not found in " + std::string(store_name));
    }
    return std::unexpected(errno_error(ErrorCategory::input, prefix, errno));
  }
  FdGuard guard{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::unexpected(errno_error(ErrorCategory::input, prefix, errno));
  if (!S_ISREG(st.st_mode)) return fail(ErrorCategory::integrity, prefix + ": not a regular file");
  // A wrong size is known before reading: fail before the sink sees a byte.
  if (desc.size < 0 || st.st_size != desc.size) {
    return std::unexpected(size_mismatch(prefix, static_cast<std::uint64_t>(st.st_size), desc));
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  auto buffer = std::make_unique_for_overwrite<char[]>(kBlobChunkBytes);
  Hasher hasher(desc.digest.algorithm());
  std::uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buffer.get(), kBlobChunkBytes);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(errno_error(ErrorCategory::input, prefix, errno));
    }
    if (n == 0) break;
    std::string_view chunk(buffer.get(), static_cast<std::size_t>(n));
    total += chunk.size();
    // The file may grow while we read it: never hand out more than the descriptor promises.
    if (total > static_cast<std::uint64_t>(desc.size)) return std::unexpected(size_mismatch(prefix, total, desc));
    hasher.update(chunk);
    if (auto w = sink.write(chunk); !w) return std::unexpected(w.error().with_context(prefix));
  }
  if (total != static_cast<std::uint64_t>(desc.size)) return std::unexpected(size_mismatch(prefix, total, desc));
  Digest actual = hasher.finish();
  if (actual != desc.digest) return std::unexpected(mismatch(prefix, actual, desc));
  return {};
}

Result<void> write_blob_file(const fs::path& temp_dir, const fs::path& target, const Descriptor& desc,
                             BlobSource& source, std::string_view store_name) {
  std::string prefix = "push blob " + desc.digest.str() + " to " + std::string(store_name);
  if (desc.size < 0) return fail(ErrorCategory::input, prefix + ": negative size");
  auto tmp = TempFile::create(temp_dir);
  if (!tmp) return std::unexpected(tmp.error().with_context(prefix));
  auto buffer = std::make_unique_for_overwrite<char[]>(kBlobChunkBytes);
  Hasher hasher(desc.digest.algorithm());
  std::uint64_t total = 0;
  for (;;) {
    auto n = source.read(buffer.get(), kBlobChunkBytes);
    if (!n) return std::unexpected(n.error().with_context(prefix));
    if (*n == 0) break;
    std::string_view chunk(buffer.get(), *n);
    total += chunk.size();
    // Stop early: a source longer than promised cannot match, and may be endless.
    if (total > static_cast<std::uint64_t>(desc.size)) return std::unexpected(size_mismatch(prefix, total, desc));
    hasher.update(chunk);
    if (auto w = tmp->write(chunk); !w) return std::unexpected(w.error().with_context(prefix));
  }
  if (total != static_cast<std::uint64_t>(desc.size)) return std::unexpected(size_mismatch(prefix, total, desc));
  Digest actual = hasher.finish();
  if (actual != desc.digest) return std::unexpected(mismatch(prefix, actual, desc));
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return fail(ErrorCategory::internal, prefix + ": create " + target.parent_path().string() + ": " + ec.message());
  if (auto c = tmp->commit(target); !c) return std::unexpected(c.error().with_context(prefix));
  return {};
}

}  // namespace sigil::oci::detail
