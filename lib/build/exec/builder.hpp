// `sigil build`: Dockerfile + context → one image per platform (and an index for several),
// with every layer in the local cache. Outputs (layouts, registries, archives) are written by
// build/output from the BuildResult, so a failed build writes nothing anywhere.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "build/dockerfile/scope.hpp"
#include "build/image/epoch.hpp"
#include "build/layer/layer_writer.hpp"
#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/open_store.hpp"

namespace sigil::build {

/// What the build reports while it runs (serialized: never called concurrently).
struct BuildEvent {
  enum class Kind {
    step,        ///< a step was planned: cached tells whether the cache had it
    layer_done,  ///< a layer finished (written or taken from the cache): size, seconds
    message,     ///< a warning or note (text)
  };
  Kind kind = Kind::step;
  std::string platform;  ///< "linux/amd64"
  std::string stage;     ///< stage name or index
  int step = 0;          ///< 1-based within the stage
  int steps = 0;
  std::string text;      ///< "COPY a /b"
  bool cached = false;
  std::int64_t size = 0;
  double seconds = 0;
  std::string digest;
};

/// Inputs of a build.
struct BuildOptions {
  std::filesystem::path context;
  std::filesystem::path dockerfile;  ///< path of the Dockerfile (default CONTEXT/Dockerfile)
  dockerfile::BuildArgs build_args;
  std::map<std::string, std::string> labels;       ///< --label, added to the final config
  std::map<std::string, std::string> annotations;  ///< --annotation, added to the manifest(s)
  std::map<std::string, std::string> index_annotations;  ///< --annotation index:k=v
  std::string target;
  std::vector<oci::Platform> platforms;  ///< empty: the build platform
  /// --build-context name=DIR (a directory) or name=oci:.../docker-image://REF (an image).
  std::map<std::string, std::string> build_contexts;
  bool no_cache = false;
  std::filesystem::path cache_dir;
  std::vector<std::string> cache_from;  ///< layouts or registry refs holding exported caches
  std::int64_t epoch = 0;
  std::optional<GitInfo> git;  ///< annotations source/revision when set
  LayerOptions layer;          ///< compression; layer.epoch is set from `epoch`
  oci::StoreOptions store_options;
  std::function<void(const BuildEvent&)> on_event;
  /// Compute BuildResult::context_digest (what provenance records for a context that is not a
  /// git checkout); off by default because it reads every file the .dockerignore admits.
  bool context_digest = false;
};

/// Something from outside the context a build pulled in, for provenance.
struct ResolvedInput {
  enum class Kind { image, url, git };
  Kind kind = Kind::image;
  std::string name;    ///< as written: "alpine:3.20", "oci:base:1", "https://example.com/a.tgz", "git://h/r.git#v1"
  std::string uri;     ///< pinned: the image reference with the digest it resolved to, or the URL
  oci::Digest digest;  ///< image: the digest the name resolved to (index or manifest); url: sha256 of the bytes
  std::string stage;   ///< the stage that used it first
  std::string commit;  ///< git: the commit's sha1 (40 hex; `digest` is then empty)

  friend bool operator==(const ResolvedInput&, const ResolvedInput&) = default;
};

/// The instruction that made a layer of an image (base-image layers name their FROM line).
struct LayerOrigin {
  std::string stage;
  std::string instruction;  ///< "COPY --from=build /out /app", "FROM alpine:3.20"
  int line = 0;             ///< 1-based line in the Dockerfile
};

/// A stage the build ran, with the digest of its lines (its FROM line to the line before the next stage).
struct StageSource {
  std::string name;  ///< AS name, or the index as text
  oci::Digest digest;
};

/// A layer of a built image and where its blob is.
struct BuiltLayer {
  oci::Descriptor descriptor;
  oci::Digest diff_id;
  std::filesystem::path blob;
};

/// One platform's image.
struct PlatformImage {
  oci::Platform platform;
  std::string config_raw;
  oci::Descriptor config;
  std::string manifest_raw;
  oci::Descriptor manifest;  ///< with platform set
  std::vector<BuiltLayer> layers;
  std::vector<LayerOrigin> layer_origins;  ///< parallel to layers
  std::vector<ResolvedInput> inputs;       ///< images and URLs of every stage built for this platform
};

/// What a build produced.
struct BuildResult {
  std::vector<PlatformImage> images;
  std::optional<std::string> index_raw;  ///< for several platforms
  oci::Descriptor root;                  ///< the index, or the only manifest
  std::vector<oci::Digest> cache_keys;   ///< cache records this build used (for --cache-to)
  std::filesystem::path cache_dir;
  oci::Digest dockerfile_digest;         ///< sha256 of the Dockerfile's bytes
  std::vector<StageSource> stages;       ///< stages built (for the first platform's target), in order
  std::optional<oci::Digest> context_digest;  ///< when BuildOptions::context_digest
};

/// Runs a build. Errors carry the Dockerfile line (`Dockerfile:7:1: ...`); RUN steps in a
/// needed stage fail the build before anything runs.
[[nodiscard]] Result<BuildResult> build_image(BuildOptions options);

}  // namespace sigil::build
