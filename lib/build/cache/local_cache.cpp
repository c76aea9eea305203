#include "build/cache/local_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

#include "common/file.hpp"
#include "common/json.hpp"

namespace sigil::build {
namespace {

constexpr std::size_t kMaxRecordBytes = 64 * 1024;

// Writes what the store sends into a temp file in the cache; committed only after the store
// verified the digest (fetch_blob reports a mismatch after the last chunk).
class TempFileSink final : public oci::BlobSink {
 public:
  explicit TempFileSink(TempFile file) : file_(std::move(file)) {}
  Result<void> write(std::string_view chunk) override { return file_.write(chunk); }
  TempFile& file() { return file_; }

 private:
  TempFile file_;
};

}  // namespace

Result<LocalCache> LocalCache::open(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& sub : {dir / "blobs" / "sha256", dir / "records"}) {
    std::filesystem::create_directories(sub, ec);
    if (ec) return fail(ErrorCategory::input, "cache directory " + sub.string() + ": " + ec.message());
  }
  return LocalCache(dir);
}

std::filesystem::path LocalCache::default_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/') {
    return std::filesystem::path(xdg) / "sigil" / "build";
  }
  const char* home = std::getenv("HOME");
  std::filesystem::path base = home != nullptr && *home != '\0' ? std::filesystem::path(home) : std::filesystem::temp_directory_path();
  return base / ".cache" / "sigil" / "build";
}

bool LocalCache::has_blob(const oci::Descriptor& desc) const {
  std::error_code ec;
  auto size = std::filesystem::file_size(blob_path(desc.digest), ec);
  return !ec && static_cast<std::int64_t>(size) == desc.size;
}

std::optional<CacheRecord> LocalCache::lookup(const oci::Digest& key) const {
  auto text = read_file(dir_ / "records" / (key.hex() + ".json"), kMaxRecordBytes);
  if (!text) return std::nullopt;
  auto j = parse_json(*text, "cache record");
  if (!j || !j->is_object() || !j->contains("layer")) return std::nullopt;
  auto layer = oci::Descriptor::from_json((*j)["layer"], "cache record");
  auto diff = json_string_member(*j, "diffID", "cache record");
  if (!layer || !diff) return std::nullopt;
  auto diff_id = oci::Digest::parse(*diff);
  if (!diff_id || !has_blob(*layer)) return std::nullopt;
  return CacheRecord{key, *layer, *diff_id};
}

Result<void> LocalCache::store(const CacheRecord& record) const {
  Json j = {{"layer", record.layer.to_json()}, {"diffID", record.diff_id.str()}};
  return write_file_atomic(dir_ / "records" / (record.key.hex() + ".json"), dump_json(j));
}

std::vector<CacheRecord> LocalCache::records() const {
  std::vector<CacheRecord> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir_ / "records", ec), end; !ec && it != end; it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.size() != 64 + 5 || !name.ends_with(".json")) continue;
    auto key = oci::Digest::parse("sha256:" + name.substr(0, 64));
    if (!key) continue;
    if (auto r = lookup(*key)) out.push_back(*r);
  }
  std::sort(out.begin(), out.end(), [](const CacheRecord& a, const CacheRecord& b) { return a.key < b.key; });
  return out;
}

Result<void> LocalCache::fetch_blob(oci::Store& store, const oci::Descriptor& desc) const {
  if (has_blob(desc)) return {};
  auto tmp = TempFile::create(blobs_dir());
  if (!tmp) return std::unexpected(tmp.error());
  TempFileSink sink(std::move(*tmp));
  if (auto r = store.fetch_blob(desc, sink); !r) return std::unexpected(r.error());
  return sink.file().commit(blob_path(desc.digest));
}

Result<std::unique_ptr<FileBlobSource>> FileBlobSource::open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(errno_error(ErrorCategory::internal, "open " + path.string(), errno));
  return std::unique_ptr<FileBlobSource>(new FileBlobSource(fd, path));
}

FileBlobSource::~FileBlobSource() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::size_t> FileBlobSource::read(char* buffer, std::size_t capacity) {
  while (true) {
    ssize_t n = ::read(fd_, buffer, capacity);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return std::unexpected(errno_error(ErrorCategory::internal, "read " + path_.string(), errno));
  }
}

Result<void> push_file_blob(oci::Store& store, const oci::Descriptor& desc, const std::filesystem::path& path) {
  auto has = store.has_blob(desc);
  if (!has) return std::unexpected(has.error());
  if (*has) return {};
  auto source = FileBlobSource::open(path);
  if (!source) return std::unexpected(source.error());
  return store.push_blob(desc, **source);
}

}  // namespace sigil::build
