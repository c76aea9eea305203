#include "cmd/sigil/blob_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "common/file.hpp"
#include "common/limits.hpp"

namespace sigil::cli {

// stat() first, so a file that is too large is refused before anything is read.
Result<std::string> read_blob(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::unexpected(errno_error(ErrorCategory::input, path, errno));
  if (!S_ISREG(info.st_mode)) return fail(ErrorCategory::input, path + ": not a regular file");
  if (static_cast<std::uint64_t>(info.st_size) > kMaxBlobInMemoryBytes) {
    return fail(ErrorCategory::input, path + ": larger than the limit of " + std::to_string(kMaxBlobInMemoryBytes) +
                                          " bytes for signing in memory");
  }
  return read_file(path, kMaxBlobInMemoryBytes);
}

// Streams the file through the hasher: verifying a large artifact costs no memory.
Result<oci::Digest> hash_file(const std::string& path, oci::DigestAlgorithm algorithm) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(errno_error(ErrorCategory::input, path, errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return fail(ErrorCategory::input, path + ": not a regular file");
  }
  oci::Hasher hasher(algorithm);
  std::string buffer(1 << 20, '\0');
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return std::unexpected(errno_error(ErrorCategory::input, path, err));
    }
    if (n == 0) break;
    hasher.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  ::close(fd);
  return hasher.finish();
}

Result<sign::Bundle> read_bundle(const std::string& path) {
  auto text = read_file(path, limits::kMaxBundleBytes);
  if (!text) return std::unexpected(text.error().with_context("read bundle"));
  auto bundle = sign::parse_bundle(*text);
  if (!bundle) return std::unexpected(bundle.error().with_context(path));
  return bundle;
}

Result<void> write_bundle(const std::string& path, const sign::Bundle& bundle) {
  if (auto written = write_file_atomic(path, sign::serialize_bundle(bundle)); !written) {
    return std::unexpected(written.error().with_context("write bundle"));
  }
  std::fprintf(stderr, "Wrote bundle to %s\n", path.c_str());
  return {};
}

std::optional<oci::Digest> as_digest(const std::string& text) {
  auto digest = oci::Digest::parse(text);
  if (!digest) return std::nullopt;
  std::error_code ec;
  if (std::filesystem::exists(text, ec)) return std::nullopt;
  return *digest;
}

}  // namespace sigil::cli
