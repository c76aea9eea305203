// ADD's auto-extraction source: a local tar read with libarchive (compression detected from the
// bytes), validated entry by entry the way moby's untar refuses breakouts, with contents put in
// numbered scratch files so no archive path ever names a file on disk.
#include "build/layer/archive_reader.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "common/limits.hpp"

namespace sigil::build {

namespace {

struct ReaderDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using Reader = std::unique_ptr<archive, ReaderDeleter>;

Result<Reader> open_reader(const std::filesystem::path& file) {
  Reader reader(archive_read_new());
  archive* a = reader.get();
  if (a == nullptr) return fail(ErrorCategory::internal, "libarchive: out of memory");
  // Only in-process decompressors: libarchive's "all" would also run external programs.
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_bzip2(a);
  archive_read_support_filter_xz(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_filename(a, file.c_str(), 64 * 1024) != ARCHIVE_OK) {
    const char* message = archive_error_string(a);
    return fail(ErrorCategory::input,
                "open archive " + file.string() + ": " + (message != nullptr ? message : "cannot read"));
  }
  return reader;
}

// Cleans an archive path relative to the extraction directory; nullopt when ".." climbs out.
// A leading '/' is dropped first (docker and GNU tar extract absolute names below the target).
std::optional<std::string> clean_inside(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (std::string_view part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

std::string parent_of(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

}  // namespace

Result<bool> is_tar_archive(const std::filesystem::path& file) {
  if (::access(file.c_str(), R_OK) != 0) {
    return fail(ErrorCategory::input, "read " + file.string() + ": " + std::strerror(errno));
  }
  Reader reader(archive_read_new());
  archive* a = reader.get();
  if (a == nullptr) return fail(ErrorCategory::internal, "libarchive: out of memory");
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_bzip2(a);
  archive_read_support_filter_xz(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_filename(a, file.c_str(), 64 * 1024) != ARCHIVE_OK) return false;
  archive_entry* header = nullptr;
  const int rc = archive_read_next_header(a, &header);
  return rc == ARCHIVE_OK || rc == ARCHIVE_WARN;
}

Result<std::vector<LayerEntry>> read_tar_archive(const std::filesystem::path& file,
                                                 const std::filesystem::path& scratch_dir,
                                                 const ArchiveOptions& options) {
  const std::uint64_t limit = options.max_bytes != 0 ? options.max_bytes : limits::kMaxArchiveExtractBytes;
  auto reader = open_reader(file);
  if (!reader) return std::unexpected(reader.error());
  archive* a = reader->get();
  const std::string what = "archive " + file.string();

  // A fresh directory per archive, so several archives can share one scratch directory.
  std::string unique = (scratch_dir / "archive-XXXXXX").string();
  if (::mkdtemp(unique.data()) == nullptr) {
    return fail(ErrorCategory::internal, "create a directory in " + scratch_dir.string() + ": " + std::strerror(errno));
  }
  const std::filesystem::path files_dir = unique;

  std::vector<LayerEntry> entries;
  std::set<std::string> regular_files;
  std::set<std::string> symlinks;
  std::uint64_t total = 0;
  std::uint64_t counter = 0;
  std::string buffer(1024 * 1024, '\0');
  for (;;) {
    archive_entry* header = nullptr;
    const int rc = archive_read_next_header(a, &header);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      const char* message = archive_error_string(a);
      return fail(ErrorCategory::input, what + ": " + (message != nullptr ? message : "unreadable entry"));
    }
    const char* raw_name = archive_entry_pathname(header);
    const std::string raw = raw_name != nullptr ? raw_name : "";
    auto path = clean_inside(raw);
    if (!path) return fail(ErrorCategory::input, what + ": entry \"" + raw + "\" escapes the destination with \"..\"");
    if (path->empty()) continue;  // "./": the destination itself
    // Writing below a symlink of the same archive would write wherever the link points.
    for (std::string dir = parent_of(*path); !dir.empty(); dir = parent_of(dir)) {
      if (symlinks.contains(dir)) {
        return fail(ErrorCategory::input, what + ": entry \"" + raw + "\" lies below the symlink \"" + dir + "\"");
      }
    }
    LayerEntry entry;
    entry.path = *path;
    entry.mode = static_cast<std::uint32_t>(archive_entry_perm(header)) & 07777;
    entry.uid = static_cast<std::uint32_t>(archive_entry_uid(header));
    entry.gid = static_cast<std::uint32_t>(archive_entry_gid(header));
    const char* hardlink = archive_entry_hardlink(header);
    const auto type = archive_entry_filetype(header);
    if (hardlink != nullptr) {
      auto target = clean_inside(hardlink);
      if (!target || !regular_files.contains(*target)) {
        return fail(ErrorCategory::input, what + ": hardlink \"" + raw + "\" points to \"" + hardlink +
                                              "\", which is not a file earlier in the archive");
      }
      entry.type = EntryType::hardlink;
      entry.link_target = *target;
    } else if (type == AE_IFDIR) {
      entry.type = EntryType::directory;
    } else if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(header);
      entry.type = EntryType::symlink;
      entry.link_target = target != nullptr ? target : "";
      // Absolute targets resolve inside the image's root at run time; relative ones must not
      // climb above the destination (moby refuses the same "breakout").
      if (!entry.link_target.empty() && entry.link_target.front() != '/' &&
          !clean_inside(parent_of(*path) + "/" + entry.link_target)) {
        return fail(ErrorCategory::input, what + ": symlink \"" + raw + "\" points outside the destination (\"" +
                                              entry.link_target + "\")");
      }
      symlinks.insert(*path);
    } else if (type == AE_IFREG) {
      entry.type = EntryType::regular;
    } else {
      continue;  // devices, fifos, sockets never reach a layer
    }
    // security.capability is the only xattr layers keep.
    archive_entry_xattr_reset(header);
    const char* xname = nullptr;
    const void* xvalue = nullptr;
    size_t xsize = 0;
    while (archive_entry_xattr_next(header, &xname, &xvalue, &xsize) == ARCHIVE_OK) {
      if (xname != nullptr && std::string_view(xname) == kCapabilityXattr) {
        entry.xattrs[std::string(kCapabilityXattr)] = std::string(static_cast<const char*>(xvalue), xsize);
      }
    }
    if (entry.type == EntryType::regular) {
      const std::filesystem::path scratch = files_dir / ("f" + std::to_string(counter++));
      const int fd = ::open(scratch.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fd < 0) return fail(ErrorCategory::internal, "create " + scratch.string() + ": " + std::strerror(errno));
      struct FdCloser {
        int fd;
        ~FdCloser() { ::close(fd); }
      } closer{fd};
      std::uint64_t size = 0;
      for (;;) {
        const la_ssize_t n = archive_read_data(a, buffer.data(), buffer.size());
        if (n == 0) break;
        if (n < 0) {
          const char* message = archive_error_string(a);
          return fail(ErrorCategory::input, what + ": entry \"" + raw + "\": " + (message != nullptr ? message : "read error"));
        }
        size += static_cast<std::uint64_t>(n);
        total += static_cast<std::uint64_t>(n);
        if (total > limit) {
          return fail(ErrorCategory::input, what + ": more than " + std::to_string(limit) + " bytes once decompressed");
        }
        const char* p = buffer.data();
        std::size_t left = static_cast<std::size_t>(n);
        while (left > 0) {
          const ssize_t w = ::write(fd, p, left);
          if (w < 0) {
            if (errno == EINTR) continue;
            return fail(ErrorCategory::internal, "write " + scratch.string() + ": " + std::strerror(errno));
          }
          p += w;
          left -= static_cast<std::size_t>(w);
        }
      }
      entry.size = size;
      entry.content = FileContent{scratch};
      regular_files.insert(*path);
    } else {
      regular_files.erase(*path);
      symlinks.erase(entry.type == EntryType::symlink ? std::string() : *path);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace sigil::build
