// Copying an image, an index or an artifact between any two stores (layout or registry), with
// its referrers when asked. Blobs stream from source to destination through a small bounded
// buffer, several at once; manifests are pushed children first and the tag last, so the
// destination never holds a tag pointing at missing content.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/manifest.hpp"
#include "oci/store.hpp"

namespace sigil::oci {

/// What copy() is doing, reported to CopyOptions::on_event.
struct CopyEvent {
  enum class Kind {
    blob_started,     ///< a blob transfer began
    blob_progress,    ///< `bytes` of the blob have been pushed so far
    blob_done,        ///< the blob was transferred (`bytes` = its size)
    blob_skipped,     ///< the destination already had the blob
    blob_mounted,     ///< the registry mounted the blob from the source repository
    manifest_pushed,  ///< a manifest or index was stored (tagged when it is the root and a tag was asked)
  };
  Kind kind = Kind::blob_started;
  Descriptor descriptor;
  std::int64_t bytes = 0;
};

/// How to copy.
struct CopyOptions {
  /// Copy every manifest of an index. Otherwise only the manifest matching `platform` is copied,
  /// and that manifest (not the index) is the result, as skopeo does without --all.
  bool all_platforms = false;
  /// The platform to pick from an index; host_platform() when unset.
  std::optional<Platform> platform;
  /// Tag to give the copied root at the destination; untagged when unset.
  std::optional<std::string> tag;
  /// Also copy the referrers of every copied manifest, and theirs, recursively.
  bool referrers = false;
  /// Blobs transferred at once (at least 1).
  int parallelism = 4;
  /// Called for progress; calls are serialized by copy(), never concurrent.
  std::function<void(const CopyEvent&)> on_event;
};

/// Copies the graph rooted at `root` (a manifest or index of `src`) into `dst` and returns the
/// descriptor of what was copied at the destination: `root`, or the selected platform's manifest.
/// Manifests are copied byte for byte (Docker schema 2 included), so digests do not change.
/// On failure nothing is tagged. Blobs this copy wrote into a layout are removed again; in a
/// registry they stay, unreferenced, for its garbage collection. Stores must allow concurrent
/// blob calls (has_blob, fetch_blob, push_blob) from several threads.
[[nodiscard]] Result<Descriptor> copy(Store& src, Store& dst, const Descriptor& root, const CopyOptions& options);

/// The platform of this machine ("linux/amd64", "linux/arm64/v8"...) in OCI/Go naming.
[[nodiscard]] Platform host_platform();

/// The descriptor in `index` matching `want` (the first one, as registries order them); input
/// error naming the index and the platforms it has otherwise.
[[nodiscard]] Result<Descriptor> select_platform(const Index& index, const Platform& want, std::string_view what);

}  // namespace sigil::oci
