// Reproducible layers: libarchive writes the tar into a callback that hashes it (diff_id) and
// feeds the compressor, whose output is hashed (digest), counted and written to a temp file;
// one pass over the data, no global state, so layers can be written concurrently.
#include "build/layer/layer_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <set>

#include "build/layer/detail/compressor.hpp"
#include "common/file.hpp"
#include "oci/media_types.hpp"

namespace sigil::build {

std::string_view compression_name(Compression compression) {
  return compression == Compression::zstd ? "zstd" : "gzip";
}

Result<Compression> parse_compression(std::string_view name) {
  if (name == "gzip") return Compression::gzip;
  if (name == "zstd") return Compression::zstd;
  return fail(ErrorCategory::usage, "unknown compression '" + std::string(name) + "' (use gzip or zstd)");
}

namespace {

constexpr std::size_t kReadChunk = 1024 * 1024;
constexpr std::size_t kFileBuffer = 1024 * 1024;

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// Everything downstream of libarchive: diff_id hashing, compression, digest, file.
struct Sink {
  oci::Hasher diff_hasher;
  oci::Hasher blob_hasher;
  std::uint64_t blob_size = 0;
  std::unique_ptr<detail::Compressor> compressor;
  TempFile* file = nullptr;
  std::string file_buffer;
  // One read buffer per layer, not per file: a fresh zero-filled 1 MiB per file cost seconds
  // of memset on contexts of many small files.
  std::unique_ptr<char[]> read_buffer = std::make_unique_for_overwrite<char[]>(kReadChunk);
  std::optional<Error> error;  // first failure inside a libarchive callback

  Result<void> write_compressed(std::string_view bytes) {
    blob_hasher.update(bytes);
    blob_size += bytes.size();
    if (file_buffer.size() + bytes.size() > kFileBuffer) {
      if (auto r = flush(); !r) return r;
      if (bytes.size() >= kFileBuffer) return file->write(bytes);
    }
    file_buffer.append(bytes);
    return {};
  }
  Result<void> flush() {
    if (file_buffer.empty()) return {};
    auto r = file->write(file_buffer);
    file_buffer.clear();
    return r;
  }
};

la_ssize_t write_callback(archive* /*a*/, void* client, const void* buffer, size_t length) {
  auto* sink = static_cast<Sink*>(client);
  std::string_view bytes(static_cast<const char*>(buffer), length);
  sink->diff_hasher.update(bytes);
  if (auto r = sink->compressor->write(bytes); !r) {
    if (!sink->error) sink->error = r.error();
    return -1;
  }
  return static_cast<la_ssize_t>(length);
}

Error archive_error(archive* a, std::string_view what) {
  const char* message = archive_error_string(a);
  return Error{ErrorCategory::internal, std::string(what) + ": " + (message != nullptr ? message : "libarchive failure")};
}

bool valid_path(std::string_view path) {
  return !path.empty() && clean_relative_path(path) == path;
}

// Streams a regular file's bytes into the archive, refusing a file that is now a link or whose
// size differs from the collected entry (the header already promised `size` bytes).
Result<void> write_file_data(archive* a, Sink& sink, const LayerEntry& entry, const FileContent& content) {
  const int fd = ::open(content.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail(ErrorCategory::input, "open " + content.path.string() + ": " + std::strerror(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return fail(ErrorCategory::input, content.path.string() + ": no longer a regular file");
  }
  if (static_cast<std::uint64_t>(st.st_size) != entry.size) {
    return fail(ErrorCategory::input, content.path.string() + ": changed size while the layer was written");
  }
  char* buffer = sink.read_buffer.get();
  std::uint64_t remaining = entry.size;
  while (remaining > 0) {
    const ssize_t n = ::read(fd, buffer, std::min<std::uint64_t>(kReadChunk, remaining));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCategory::input, "read " + content.path.string() + ": " + std::strerror(errno));
    }
    if (n == 0) return fail(ErrorCategory::input, content.path.string() + ": changed size while the layer was written");
    if (archive_write_data(a, buffer, static_cast<size_t>(n)) != n) {
      if (sink.error) return std::unexpected(*sink.error);
      return std::unexpected(archive_error(a, "write " + entry.path));
    }
    remaining -= static_cast<std::uint64_t>(n);
  }
  return {};
}

Result<void> write_entry(archive* a, Sink& sink, const LayerEntry& entry, std::int64_t epoch) {
  std::unique_ptr<archive_entry, EntryDeleter> header(archive_entry_new2(a));
  if (!header) return fail(ErrorCategory::internal, "libarchive: out of memory");
  archive_entry* e = header.get();
  // Directories carry a trailing '/', as Go's archive/tar users (containerd, moby) write them.
  archive_entry_set_pathname(e, entry.type == EntryType::directory ? (entry.path + "/").c_str() : entry.path.c_str());
  archive_entry_set_uid(e, entry.uid);
  archive_entry_set_gid(e, entry.gid);
  archive_entry_set_mtime(e, epoch, 0);
  const auto perm = static_cast<__LA_MODE_T>(entry.mode & 07777);
  switch (entry.type) {
    case EntryType::regular:
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_size(e, static_cast<la_int64_t>(entry.size));
      break;
    case EntryType::directory:
      archive_entry_set_filetype(e, AE_IFDIR);
      archive_entry_set_size(e, 0);
      break;
    case EntryType::symlink:
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, entry.link_target.c_str());
      archive_entry_set_size(e, 0);
      break;
    case EntryType::hardlink:
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_hardlink(e, entry.link_target.c_str());
      archive_entry_set_size(e, 0);
      break;
  }
  archive_entry_set_perm(e, perm);
  for (const auto& [name, value] : entry.xattrs) {
    if (name != kCapabilityXattr) continue;
    archive_entry_xattr_add_entry(e, name.c_str(), value.data(), value.size());
  }
  if (archive_write_header(a, e) != ARCHIVE_OK) {
    if (sink.error) return std::unexpected(*sink.error);
    return std::unexpected(archive_error(a, "write header of " + entry.path));
  }
  if (entry.type == EntryType::regular && entry.size > 0) {
    if (const auto* file = std::get_if<FileContent>(&entry.content)) {
      if (auto r = write_file_data(a, sink, entry, *file); !r) return r;
    } else if (const auto* bytes = std::get_if<std::string>(&entry.content)) {
      if (bytes->size() != entry.size) {
        return fail(ErrorCategory::internal, entry.path + ": size does not match its content");
      }
      if (archive_write_data(a, bytes->data(), bytes->size()) != static_cast<la_ssize_t>(bytes->size())) {
        if (sink.error) return std::unexpected(*sink.error);
        return std::unexpected(archive_error(a, "write " + entry.path));
      }
    } else {
      return fail(ErrorCategory::internal, entry.path + ": regular file without content");
    }
  }
  if (archive_write_finish_entry(a) != ARCHIVE_OK) {
    if (sink.error) return std::unexpected(*sink.error);
    return std::unexpected(archive_error(a, "finish " + entry.path));
  }
  return {};
}

}  // namespace

Result<LayerResult> write_layer(std::vector<LayerEntry> entries, const std::filesystem::path& dir,
                                const LayerOptions& options) {
  if (options.epoch < 0) return fail(ErrorCategory::usage, "the layer epoch must not be negative");
  for (const LayerEntry& entry : entries) {
    if (!valid_path(entry.path)) return fail(ErrorCategory::internal, "layer entry path '" + entry.path + "' is not clean");
  }
  normalize_entries(entries);
  // Hardlinks must point at a regular file written before them.
  {
    std::set<std::string_view> regular;
    for (const LayerEntry& entry : entries) {
      if (entry.type == EntryType::regular) regular.insert(entry.path);
      if (entry.type == EntryType::hardlink && !regular.contains(entry.link_target)) {
        return fail(ErrorCategory::internal,
                    "hardlink " + entry.path + " points to " + entry.link_target + ", not a file earlier in the layer");
      }
    }
  }
  std::uint64_t expected = 0;
  for (const LayerEntry& entry : entries) expected += entry.size + 512;

  auto temp = TempFile::create(dir);
  if (!temp) return std::unexpected(temp.error());
  Sink sink;
  sink.file = &*temp;
  auto on_compressed = [&sink](std::string_view bytes) { return sink.write_compressed(bytes); };
  auto compressor = options.compression == Compression::zstd
                        ? detail::make_zstd(options.compression_level, expected, on_compressed)
                        : detail::make_gzip(options.compression_level, expected, on_compressed);
  if (!compressor) return std::unexpected(compressor.error());
  sink.compressor = std::move(*compressor);

  std::unique_ptr<archive, ArchiveDeleter> writer(archive_write_new());
  archive* a = writer.get();
  if (a == nullptr) return fail(ErrorCategory::internal, "libarchive: out of memory");
  // Restricted pax: plain ustar headers unless a name, size, id or xattr needs a pax record,
  // the way Go's archive/tar (BuildKit, containerd) writes FormatPAX. Xattrs only as
  // SCHILY.xattr records (Go's spelling), no LIBARCHIVE.xattr duplicates. The archive ends
  // with the two zero blocks and no padding to libarchive's 10 KiB records.
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_set_format_option(a, "pax", "xattrheader", "SCHILY") != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK) {
    return std::unexpected(archive_error(a, "configure tar writer"));
  }
  if (archive_write_open2(a, &sink, nullptr, write_callback, nullptr, nullptr) != ARCHIVE_OK) {
    return std::unexpected(archive_error(a, "open tar writer"));
  }
  for (const LayerEntry& entry : entries) {
    if (auto r = write_entry(a, sink, entry, options.epoch); !r) return std::unexpected(r.error());
  }
  if (archive_write_close(a) != ARCHIVE_OK) {
    if (sink.error) return std::unexpected(*sink.error);
    return std::unexpected(archive_error(a, "close tar writer"));
  }
  if (auto r = sink.compressor->finish(); !r) return std::unexpected(r.error());
  if (auto r = sink.flush(); !r) return std::unexpected(r.error());

  LayerResult result;
  result.diff_id = sink.diff_hasher.finish();
  result.digest = sink.blob_hasher.finish();
  result.size = sink.blob_size;
  result.media_type = std::string(options.compression == Compression::zstd ? oci::media_type::kOciLayerZstd
                                                                             : oci::media_type::kOciLayerGzip);
  result.path = dir / result.digest.hex();
  if (auto r = temp->commit(result.path); !r) return std::unexpected(r.error());
  return result;
}

}  // namespace sigil::build
