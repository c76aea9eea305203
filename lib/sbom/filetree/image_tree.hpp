// A FileTree over an image: its layers applied in order with OCI whiteouts honoured
// (".wh.NAME" deletes NAME from lower layers, ".wh..wh..opq" empties a directory of lower-layer
// content), built by streaming each layer once through libarchive without extracting anything
// to disk. The tree keeps an index (path → layer, position, size); files a cataloger announced
// interest in (`want`) are kept in memory while their layer streams by (within
// limits::kMaxSbomCachedFileBytes each, ImageTree::kCacheBytes in all); any other file is read by
// streaming its layer again up to that entry. Files an `excerpt` function asks for (executables
// whose build info catalogers read) are read as their layer streams by, one at a time, and only
// the excerpt is kept, with the SHA-1 and SHA-256 of the whole file taken in the same pass:
// reading such a file later gives that excerpt, hashing it gives those digests.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "oci/descriptor.hpp"
#include "oci/store.hpp"
#include "sbom/filetree/file_tree.hpp"

namespace sigil::sbom {

/// What an image tree was built from.
struct ImageInfo {
  oci::Descriptor manifest;           ///< the platform manifest cataloged
  std::string platform;               ///< "linux/amd64"
  std::vector<oci::Descriptor> layers;
};

class ImageTree final : public FileTree {
 public:
  /// Total bytes of wanted files kept in memory. `sigil sbom` must stay within 300 MiB of peak
  /// RSS: this cache, plus one binary read whole at a time (limits::kMaxSbomBinaryBytes), plus
  /// the index and libarchive's buffers. Wanted files beyond it are read later by streaming
  /// their layer again. (A former 512 MiB cache alone broke the budget.)
  static constexpr std::size_t kCacheBytes = 96u * 1024 * 1024;

  /// For a regular file (path, entry), a function turning its whole content into the smaller
  /// content to keep instead, or an empty function to treat the file as usual.
  using Excerpt =
      std::function<std::function<std::string(std::string_view content)>(const std::string& path, const Entry& entry)>;

  /// Builds the tree of `root` (a manifest, or an index: then `platform`'s manifest).
  /// `want(path)` says which regular files to keep in memory; `problem(path, message)` receives
  /// entries skipped (paths with "..", too many entries). `excerpt` (optional) picks files not
  /// kept whole, up to limits::kMaxSbomBinaryBytes, to keep an excerpt of (see Excerpt).
  /// Errors: unreadable manifest or layer, corrupt archive, digest mismatch.
  [[nodiscard]] static Result<std::unique_ptr<ImageTree>> build(
      oci::Store& store, const oci::Descriptor& root, const oci::Platform& platform,
      const std::function<bool(const std::string&)>& want,
      const std::function<void(const std::string&, const std::string&)>& problem, const Excerpt& excerpt = {});

  [[nodiscard]] std::string describe() const override { return "image " + info_.manifest.digest.str(); }
  [[nodiscard]] std::optional<Entry> lstat(const std::string& path) const override;
  [[nodiscard]] std::vector<std::string> list_dir(const std::string& dir) const override;
  void walk(const std::function<void(const std::string&, const Entry&)>& visit,
            const std::function<void(const std::string&, const std::string&)>& problem) const override;
  [[nodiscard]] Result<std::string> read_resolved(const std::string& path, std::size_t max_bytes) const override;
  /// The digests taken while an excerpted file streamed by; else the kept content's, else the
  /// file's layer is streamed again up to that entry.
  [[nodiscard]] Result<FileHashes> hash_resolved(const std::string& path, std::size_t max_bytes) const override;

  [[nodiscard]] const ImageInfo& info() const { return info_; }

 private:
  struct Node {
    Entry entry;
    int layer = -1;
    std::uint64_t ordinal = 0;
    std::string hardlink;                 ///< normalized target path of a hard link
    std::optional<std::string> content;   ///< kept in memory
    bool excerpt = false;                 ///< content is an excerpt, not the whole file
    std::optional<FileHashes> hashes;     ///< digests of the whole file, taken when excerpted
  };
  explicit ImageTree(oci::Store& store) : store_(&store) {}
  [[nodiscard]] Result<void> apply_layer(int index, const std::function<bool(const std::string&)>& want,
                                         const std::function<void(const std::string&, const std::string&)>& problem,
                                         const Excerpt& excerpt);
  void erase_lower(const std::string& path, int layer, bool self);
  /// The regular file at `path` (a hard link resolved to its target) of at most `max_bytes`.
  [[nodiscard]] Result<const Node*> resolve_file(const std::string& path, std::size_t max_bytes) const;
  /// The whole content of `node`, read by streaming its layer again up to that entry.
  [[nodiscard]] Result<std::string> reread(const Node& node, const std::string& path, std::size_t max_bytes) const;

  oci::Store* store_;
  ImageInfo info_;
  std::map<std::string, Node> nodes_;
  std::size_t cached_bytes_ = 0;
};

}  // namespace sigil::sbom
