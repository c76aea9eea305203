// Writing a build's result: into any Store (an oci: layout or a registry repository), as an OCI
// archive tar (buildx's `--output type=oci,dest=FILE`), and buildx's --metadata-file JSON.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "build/exec/builder.hpp"
#include "common/error.hpp"
#include "oci/store.hpp"

namespace sigil::build {

/// Pushes every blob, manifest and (multi-platform) the index into `store`, then tags the root
/// with `tag` when given. Blobs the store has are skipped.
[[nodiscard]] Result<void> push_result(oci::Store& store, const BuildResult& result, const std::optional<std::string>& tag);

/// Writes an OCI image-layout tar (oci-layout, index.json, blobs/sha256/...) to `path`
/// atomically: entries sorted by name, mode 0644 files / 0755 directories, root-owned, every
/// mtime = `epoch`, so the same result gives the same bytes. `ref_name` becomes the
/// index.json entry's org.opencontainers.image.ref.name when not empty.
[[nodiscard]] Result<void> write_oci_archive(const std::filesystem::path& path, const BuildResult& result,
                                             const std::string& ref_name, std::int64_t epoch);

/// The --metadata-file document as buildx writes it (pretty-printed, keys sorted):
/// containerimage.config.digest (single platform), containerimage.descriptor,
/// containerimage.digest and image.name (comma-joined; omitted when empty).
[[nodiscard]] std::string metadata_json(const BuildResult& result, const std::vector<std::string>& names);

}  // namespace sigil::build
