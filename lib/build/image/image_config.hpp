// The image a stage is building: its config (Env, User, Cmd...), history and diff_ids, read from
// a base image or started empty (FROM scratch), changed by each instruction, and written out as
// BuildKit writes it: top-level keys sorted (BuildKit's exporter re-marshals a map), "config" in
// the Docker/OCI struct order (User, ExposedPorts, Env, Entrypoint, Cmd, Volumes, WorkingDir,
// Labels, StopSignal, ArgsEscaped, Healthcheck, OnBuild, Shell), empty fields omitted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/digest.hpp"
#include "oci/manifest.hpp"

namespace sigil::build {

/// BuildKit's default PATH for Linux images started from scratch.
inline constexpr std::string_view kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// The comment BuildKit gives every history entry of a Dockerfile build.
inline constexpr std::string_view kHistoryComment = "buildkit.dockerfile.v0";

/// HEALTHCHECK settings (durations in nanoseconds, as the Docker config stores them).
struct Healthcheck {
  std::vector<std::string> test;
  std::int64_t interval = 0;
  std::int64_t timeout = 0;
  std::int64_t start_period = 0;
  std::int64_t start_interval = 0;
  int retries = 0;
};

/// One history entry.
struct HistoryEntry {
  std::string created;  ///< RFC 3339; empty = omitted
  std::string author;
  std::string created_by;
  std::string comment;
  bool empty_layer = false;
};

/// The image state of a stage.
struct ImageState {
  oci::Platform platform;
  std::string author;
  std::string user;
  std::set<std::string> exposed_ports;  ///< "80/tcp"
  std::vector<std::string> env;         ///< "KEY=value", in order of definition
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::set<std::string> volumes;
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  bool args_escaped = false;
  std::optional<Healthcheck> healthcheck;
  std::vector<std::string> on_build;
  std::vector<std::string> shell;
  std::vector<oci::Digest> diff_ids;
  std::vector<HistoryEntry> history;

  /// The value of an Env entry (exact key match), nullopt when unset.
  [[nodiscard]] std::optional<std::string> getenv(std::string_view key) const;
  /// Sets or replaces an Env entry, keeping its position (as BuildKit's addEnv).
  void setenv(std::string_view key, std::string_view value);
  /// Appends a history entry with BuildKit's comment; `with_layer` false marks it empty_layer.
  void add_history(std::string created_by, bool with_layer, std::string_view created);
};

/// The state BuildKit starts FROM scratch with: PATH=kDefaultPath, WorkingDir "/".
[[nodiscard]] ImageState scratch_state(const oci::Platform& platform);

/// The state of a base image's config (unknown fields dropped, as BuildKit does); input error
/// naming `what` for wrongly typed fields.
[[nodiscard]] Result<ImageState> state_from_config(const oci::ImageConfig& config, std::string_view what);

/// The config JSON BuildKit would write for `state` with `created` (RFC 3339) as its time.
/// History entries later than `created` (or without a time) get `created`, as BuildKit's
/// exporter clamps them to SOURCE_DATE_EPOCH.
[[nodiscard]] std::string serialize_config(const ImageState& state, std::string_view created);

/// A manifest in BuildKit's field order (schemaVersion, mediaType, config, layers, annotations).
[[nodiscard]] std::string serialize_manifest(const oci::Descriptor& config, const std::vector<oci::Descriptor>& layers,
                                             const oci::Annotations& annotations);

/// An index in the same style, each manifest descriptor carrying its platform.
[[nodiscard]] std::string serialize_index(const std::vector<oci::Descriptor>& manifests,
                                          const oci::Annotations& annotations);

/// A descriptor as JSON in the OCI field order (mediaType, digest, size, urls, annotations, platform).
[[nodiscard]] std::string serialize_descriptor(const oci::Descriptor& desc);

/// Go's %q of a []string, as BuildKit writes CMD/ENTRYPOINT history: ["a" "b c"].
[[nodiscard]] std::string go_quoted_list(const std::vector<std::string>& items);

/// Go's %v of a []string: [a b c].
[[nodiscard]] std::string go_plain_list(const std::vector<std::string>& items);

}  // namespace sigil::build
