// The local build cache: a content-addressed directory mapping step keys to the layers they
// produced, so a rebuild without change does no tar or compression work.
//
// On disk (version 1):
//   <dir>/blobs/sha256/<hex>       layer blobs (and base-image layers fetched once)
//   <dir>/records/<key hex>.json   {"layer":{mediaType,digest,size},"diffID":"sha256:..."}
// Records and blobs are written temp + rename, so concurrent builds sharing a cache never see
// half-written files; a record whose blob is missing is a miss.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/digest.hpp"
#include "oci/store.hpp"

namespace sigil::build {

/// What one cached step produced.
struct CacheRecord {
  oci::Digest key;
  oci::Descriptor layer;  ///< media type, compressed digest, size
  oci::Digest diff_id;
};

/// A cache directory.
class LocalCache {
 public:
  /// Opens (creating) the cache at `dir`.
  [[nodiscard]] static Result<LocalCache> open(const std::filesystem::path& dir);

  /// The default cache directory: $XDG_CACHE_HOME/sigil/build, else ~/.cache/sigil/build.
  [[nodiscard]] static std::filesystem::path default_dir();

  /// The record stored under `key` whose blob is present; nullopt otherwise (a corrupt record
  /// is a miss, not an error: the cache is only an accelerator).
  [[nodiscard]] std::optional<CacheRecord> lookup(const oci::Digest& key) const;

  /// Stores a record (its blob must already be in blobs_dir()).
  [[nodiscard]] Result<void> store(const CacheRecord& record) const;

  /// Every record (for --cache-to).
  [[nodiscard]] std::vector<CacheRecord> records() const;

  /// Directory holding blobs by hex name (the layer writer writes into it).
  [[nodiscard]] std::filesystem::path blobs_dir() const { return dir_ / "blobs" / "sha256"; }
  /// Path of a blob.
  [[nodiscard]] std::filesystem::path blob_path(const oci::Digest& digest) const { return blobs_dir() / digest.hex(); }
  /// True when the blob file is present with the descriptor's size.
  [[nodiscard]] bool has_blob(const oci::Descriptor& desc) const;
  /// Copies a blob from a store into the cache (verified by the store), unless present.
  [[nodiscard]] Result<void> fetch_blob(oci::Store& store, const oci::Descriptor& desc) const;

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

 private:
  explicit LocalCache(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

/// A BlobSource reading a file (for pushing cached blobs to a store).
class FileBlobSource final : public oci::BlobSource {
 public:
  [[nodiscard]] static Result<std::unique_ptr<FileBlobSource>> open(const std::filesystem::path& path);
  ~FileBlobSource() override;
  FileBlobSource(const FileBlobSource&) = delete;
  FileBlobSource& operator=(const FileBlobSource&) = delete;
  Result<std::size_t> read(char* buffer, std::size_t capacity) override;

 private:
  FileBlobSource(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::filesystem::path path_;
};

/// Pushes a blob held in a file to a store unless the store has it.
[[nodiscard]] Result<void> push_file_blob(oci::Store& store, const oci::Descriptor& desc,
                                          const std::filesystem::path& path);

}  // namespace sigil::build
