// The OCI image-layout store (image-spec image-layout.md): oci-layout, index.json and
// blobs/<alg>/<hex>. The embedded default store of sigil.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "oci/store.hpp"

namespace sigil::oci {

/// What garbage_collect() removed.
struct GcStats {
  std::size_t blobs_removed = 0;
  std::uint64_t bytes_removed = 0;
};

/// A layout directory. Tags are index.json entries carrying org.opencontainers.image.ref.name;
/// referrer manifests are untagged index.json entries (as oras stores them), so skopeo and umoci
/// still read the layout. Blob writes are temp + fsync + rename; index.json changes hold an
/// exclusive lock and re-read the file, so concurrent sigil processes never lose an entry.
///
/// On disk, besides the spec's files: `index.json.lock` (the flock target: index.json itself is
/// replaced by rename, so it cannot carry the lock; umoci and skopeo ignore extra files at the
/// layout root, umoci even keeps its own `.umoci-*` temp dirs there), and transient `.tmp-*`
/// files in `blobs/` (uploads in progress, outside `blobs/<alg>/` so tools that list blob
/// directories never see them) and at the root (index.json being replaced).
/// Entries of an index.json written by other tools (skopeo, umoci, oras) are kept as they are,
/// unknown fields included; only entries sigil changes are rewritten.
///
/// index.json entries: a tag is one entry whose only annotation is ref.name (pushing a tag
/// replaces the entry holding it); a manifest pushed without tag becomes an untagged entry unless
/// one with its digest exists (referrers carry their artifactType there, as oras writes them).
/// push_manifest() refuses an image manifest whose config or layers are not in the layout, as
/// registries do, so a tag never points at an incomplete image. Blob pushes verify size and
/// digest before the blob becomes visible; every read verifies them again.
class LayoutStore final : public Store {
 public:
  /// Opens an existing layout; with `create`, makes an empty one when the directory is missing or empty.
  /// Input error when the directory is not a layout (no oci-layout, wrong version, broken index.json).
  [[nodiscard]] static Result<std::unique_ptr<LayoutStore>> open(const std::filesystem::path& dir, bool create);

  [[nodiscard]] std::string name() const override;
  [[nodiscard]] Result<Descriptor> resolve(std::string_view tag_or_digest) override;
  [[nodiscard]] Result<std::string> fetch_manifest(const Descriptor& desc) override;
  [[nodiscard]] Result<void> fetch_blob(const Descriptor& desc, BlobSink& sink) override;
  [[nodiscard]] Result<bool> has_blob(const Descriptor& desc) override;
  [[nodiscard]] Result<bool> has_manifest(const Descriptor& desc) override;
  [[nodiscard]] Result<void> push_blob(const Descriptor& desc, BlobSource& source) override;
  [[nodiscard]] Result<Descriptor> push_manifest(std::string_view raw, std::string_view media_type,
                                                 std::optional<std::string> tag) override;
  [[nodiscard]] Result<std::vector<std::string>> tags() override;
  [[nodiscard]] Result<std::vector<Descriptor>> referrers(const Digest& subject,
                                                          std::string_view artifact_type = {}) override;

  /// Removes blobs not reachable from index.json (manifests, configs, layers, referrers; a
  /// manifest's subject is not followed) and stale `.tmp-*` files, holding the index lock.
  /// Blobs modified after the collection started are kept (a concurrent push may need them).
  /// Fails without deleting anything when a reachable manifest cannot be read or verified.
  [[nodiscard]] Result<GcStats> garbage_collect();

  [[nodiscard]] const std::filesystem::path& root() const { return root_; }

  /// Path of a blob inside the layout (blobs/<alg>/<hex>); built only from a validated Digest.
  [[nodiscard]] std::filesystem::path blob_path(const Digest& digest) const;

 private:
  LayoutStore(std::filesystem::path root, std::filesystem::path canonical_root)
      : root_(std::move(root)), canonical_root_(std::move(canonical_root)) {}
  /// Input error when blobs/, blobs/<alg>/ or the blob is a symlink leading outside the layout.
  [[nodiscard]] Result<void> check_blob_path(const Digest& digest) const;
  /// Reads a manifest blob fully (size-limited) and verifies it against `desc`.
  [[nodiscard]] Result<std::string> read_verified(const Descriptor& desc, std::string_view kind);

  std::filesystem::path root_;
  std::filesystem::path canonical_root_;
};

}  // namespace sigil::oci
