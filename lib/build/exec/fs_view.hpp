// A read-only view of a stage's file system: base-image layer blobs (tar, gzip or zstd; OCI
// whiteouts applied) under the entries of the layers this build added, merged top-down. Only
// metadata is indexed; file contents are extracted from blobs on demand into a scratch
// directory, so `COPY --from=alpine /etc/passwd` never unpacks the whole image.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "build/layer/layer_entry.hpp"
#include "common/error.hpp"

namespace sigil::build {

class FsView {
 public:
  /// `scratch_dir` receives extracted file contents; it must exist and outlive the entries.
  explicit FsView(std::filesystem::path scratch_dir) : scratch_(std::move(scratch_dir)) {}

  /// Adds a layer blob on top (a compressed or plain tar file).
  void add_blob(std::filesystem::path blob);
  /// Adds entries (paths relative to /) on top.
  void add_entries(std::vector<LayerEntry> entries);

  /// The entry at an absolute path, symlinks in the path not followed; nullopt when absent.
  [[nodiscard]] Result<std::optional<LayerEntry>> lookup(std::string_view absolute_path);
  /// Like lookup, following symlinks (in every component, the last one included) inside the view.
  [[nodiscard]] Result<std::optional<LayerEntry>> lookup_follow(std::string_view absolute_path);
  /// The entries below a directory, paths relative to it, sorted; contents not yet materialized.
  [[nodiscard]] Result<std::vector<LayerEntry>> subtree(std::string_view absolute_dir);
  /// Names directly inside a directory (for wildcard sources), sorted.
  [[nodiscard]] Result<std::vector<std::string>> children(std::string_view absolute_dir);
  /// Gives every regular entry taken from a blob its content (extracted into the scratch
  /// directory); hardlinks become regular files with their target's content.
  [[nodiscard]] Result<void> materialize(std::vector<LayerEntry>& entries, std::string_view absolute_dir);
  /// Reads a small regular file (/etc/passwd); nullopt when absent or not a regular file.
  [[nodiscard]] Result<std::optional<std::string>> read_file(std::string_view absolute_path, std::size_t max_bytes);

 private:
  struct Node {
    LayerEntry entry;
    int layer = -1;  ///< blob index, or -1 for in-memory entries
  };
  struct Layer {
    std::filesystem::path blob;
    std::vector<LayerEntry> entries;
    bool is_blob = false;
  };
  [[nodiscard]] Result<void> index();
  [[nodiscard]] Result<void> extract(int layer, const std::map<std::string, std::filesystem::path>& wanted);

  std::filesystem::path scratch_;
  std::vector<Layer> layers_;
  bool indexed_ = false;
  std::map<std::string, Node> nodes_;  ///< relative path → entry
  int extracted_ = 0;
};

}  // namespace sigil::build
