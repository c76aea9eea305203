// index.json of an image layout as a document: the JSON as read (so entries written by other
// tools survive a rewrite unchanged, unknown fields included) plus the parsed descriptor of each
// entry. Private to LayoutStore.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"
#include "oci/descriptor.hpp"

namespace sigil::oci::detail {

/// The file names of a layout.
inline constexpr std::string_view kLayoutFile = "oci-layout";
inline constexpr std::string_view kIndexFile = "index.json";
inline constexpr std::string_view kIndexLockFile = "index.json.lock";
inline constexpr std::string_view kBlobsDir = "blobs";
inline constexpr std::string_view kLayoutVersion = "1.0.0";

/// A parsed index.json. `entries[i]` is the descriptor of `json["manifests"][i]`.
struct LayoutIndex {
  Json json;
  std::vector<Descriptor> entries;

  /// An empty OCI index (schemaVersion 2, mediaType index, no manifests).
  [[nodiscard]] static LayoutIndex empty();

  /// Parses index.json bytes; `what` names the file in errors.
  [[nodiscard]] static Result<LayoutIndex> parse(std::string_view text, std::string_view what);

  /// Serialized form (compact JSON, as skopeo and oras write it).
  [[nodiscard]] std::string serialize() const;

  /// Points `tag` at `entry`: every entry carrying the tag is removed and one entry takes the
  /// place of the first of them (or is appended); untagged entries of the same digest are dropped
  /// as redundant. Returns true when the document changed.
  bool set_tag(const Descriptor& entry, const std::string& tag);

  /// Appends `entry` untagged unless some entry already has its digest. True when added.
  bool add_untagged(const Descriptor& entry);

  /// Index of the entry tagged `tag` (exact ref.name, else a legacy full reference "name:tag").
  [[nodiscard]] std::optional<std::size_t> find_tag(std::string_view tag) const;

  /// Index of the first entry with this digest.
  [[nodiscard]] std::optional<std::size_t> find_digest(const Digest& digest) const;

  /// Tag names of all tagged entries, sorted and unique.
  [[nodiscard]] std::vector<std::string> tags() const;
};

/// The tag an entry carries: its ref.name annotation, reduced to the tag when it holds a legacy
/// full reference ("example.com/repo:tag"); nullopt for untagged entries.
[[nodiscard]] std::optional<std::string> entry_tag(const Descriptor& entry);

/// Reads and parses DIR/index.json (size-limited); input errors name the file.
[[nodiscard]] Result<LayoutIndex> read_layout_index(const std::filesystem::path& root);

/// Replaces DIR/index.json atomically (temp + fsync + rename).
[[nodiscard]] Result<void> write_layout_index(const std::filesystem::path& root, const LayoutIndex& index);

/// Checks DIR/oci-layout: a JSON object whose imageLayoutVersion is "1.0.0".
[[nodiscard]] Result<void> check_layout_file(const std::filesystem::path& root);

}  // namespace sigil::oci::detail
