#include "build/output/image_output.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <set>

#include "build/cache/local_cache.hpp"
#include "build/image/image_config.hpp"
#include "common/file.hpp"
#include "common/json.hpp"
#include "oci/media_types.hpp"

namespace sigil::build {
namespace {

struct WriterDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};

// One file of the archive: bytes in memory or a blob file.
struct ArchiveFile {
  std::string data;
  std::filesystem::path file;
  std::int64_t size = 0;
};

}  // namespace

Result<void> push_result(oci::Store& store, const BuildResult& result, const std::optional<std::string>& tag) {
  std::set<oci::Digest> pushed;
  for (const auto& image : result.images) {
    for (const auto& layer : image.layers) {
      if (!pushed.insert(layer.descriptor.digest).second) continue;
      if (auto r = push_file_blob(store, layer.descriptor, layer.blob); !r) return std::unexpected(r.error());
    }
    if (auto has = store.has_blob(image.config); !has) {
      return std::unexpected(has.error());
    } else if (!*has) {
      if (auto r = store.push_blob_bytes(image.config, image.config_raw); !r) return std::unexpected(r.error());
    }
    bool is_root = !result.index_raw;
    auto pushed_manifest = store.push_manifest(image.manifest_raw, oci::media_type::kOciManifest,
                                               is_root ? tag : std::optional<std::string>());
    if (!pushed_manifest) return std::unexpected(pushed_manifest.error());
  }
  if (result.index_raw) {
    auto pushed_index = store.push_manifest(*result.index_raw, oci::media_type::kOciIndex, tag);
    if (!pushed_index) return std::unexpected(pushed_index.error());
  }
  return {};
}

Result<void> write_oci_archive(const std::filesystem::path& path, const BuildResult& result, const std::string& ref_name,
                               std::int64_t epoch) {
  std::map<std::string, ArchiveFile> files;  // sorted by name
  auto blob_name = [](const oci::Digest& d) { return "blobs/" + std::string(oci::algorithm_name(d.algorithm())) + "/" + d.hex(); };
  for (const auto& image : result.images) {
    for (const auto& layer : image.layers) {
      files[blob_name(layer.descriptor.digest)] = ArchiveFile{{}, layer.blob, layer.descriptor.size};
    }
    files[blob_name(image.config.digest)] = ArchiveFile{image.config_raw, {}, static_cast<std::int64_t>(image.config_raw.size())};
    files[blob_name(image.manifest.digest)] =
        ArchiveFile{image.manifest_raw, {}, static_cast<std::int64_t>(image.manifest_raw.size())};
  }
  if (result.index_raw) {
    files[blob_name(result.root.digest)] = ArchiveFile{*result.index_raw, {}, static_cast<std::int64_t>(result.index_raw->size())};
  }
  oci::Descriptor root = result.root;
  if (!ref_name.empty()) root.annotations[std::string(oci::kAnnotationRefName)] = ref_name;
  std::string index = serialize_index({root}, {});
  files["index.json"] = ArchiveFile{index, {}, static_cast<std::int64_t>(index.size())};
  std::string layout = R"({"imageLayoutVersion":"1.0.0"})";
  files["oci-layout"] = ArchiveFile{layout, {}, static_cast<std::int64_t>(layout.size())};

  std::error_code ec;
  auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  auto tmp = TempFile::create(dir);
  if (!tmp) return std::unexpected(tmp.error());
  std::unique_ptr<archive, WriterDeleter> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_per_block(a.get(), 10240);
  TempFile* out = &*tmp;
  Error write_error;
  struct Ctx {
    TempFile* file;
    Error* error;
  } ctx{out, &write_error};
  auto writer = [](archive*, void* data, const void* buffer, size_t length) -> la_ssize_t {
    auto* c = static_cast<Ctx*>(data);
    auto r = c->file->write(std::string_view(static_cast<const char*>(buffer), length));
    if (!r) {
      *c->error = r.error();
      return -1;
    }
    return static_cast<la_ssize_t>(length);
  };
  if (archive_write_open2(a.get(), &ctx, nullptr, writer, nullptr, nullptr) != ARCHIVE_OK) {
    return fail(ErrorCategory::internal, "write " + path.string() + ": " + archive_error_string(a.get()));
  }
  auto header = [&](const std::string& name, bool is_dir, std::int64_t size) -> Result<void> {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, is_dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e, is_dir ? 0755 : 0644);
    archive_entry_set_size(e, is_dir ? 0 : size);
    archive_entry_set_mtime(e, static_cast<time_t>(epoch), 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    int rc = archive_write_header(a.get(), e);
    archive_entry_free(e);
    if (rc != ARCHIVE_OK) return fail(ErrorCategory::internal, "write " + path.string() + ": " + archive_error_string(a.get()));
    return {};
  };
  if (auto r = header("blobs/", true, 0); !r) return r;
  if (auto r = header("blobs/sha256/", true, 0); !r) return r;
  std::vector<char> buffer(1 << 20);
  for (const auto& [name, f] : files) {
    if (auto r = header(name, false, f.size); !r) return r;
    if (f.file.empty()) {
      if (archive_write_data(a.get(), f.data.data(), f.data.size()) < 0) {
        return fail(ErrorCategory::internal, "write " + path.string() + ": " + write_error.message);
      }
      continue;
    }
    int fd = ::open(f.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::unexpected(errno_error(ErrorCategory::internal, "open " + f.file.string(), errno));
    while (true) {
      ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (archive_write_data(a.get(), buffer.data(), static_cast<std::size_t>(n)) < 0) {
        ::close(fd);
        return fail(ErrorCategory::internal, "write " + path.string() + ": " + write_error.message);
      }
    }
    ::close(fd);
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return fail(ErrorCategory::internal, "write " + path.string() + ": " + archive_error_string(a.get()));
  }
  return tmp->commit(path);
}

std::string metadata_json(const BuildResult& result, const std::vector<std::string>& names) {
  Json j = Json::object();
  if (result.images.size() == 1) j["containerimage.config.digest"] = result.images.front().config.digest.str();
  Json desc = {{"mediaType", result.root.media_type}, {"digest", result.root.digest.str()}, {"size", result.root.size}};
  j["containerimage.descriptor"] = desc;
  j["containerimage.digest"] = result.root.digest.str();
  std::string joined;
  for (const auto& n : names) joined += (joined.empty() ? "" : ",") + n;
  if (!joined.empty()) j["image.name"] = joined;
  return dump_json_pretty(j) + "\n";
}

}  // namespace sigil::build
