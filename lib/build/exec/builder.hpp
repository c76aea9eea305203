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
};

/// What a build produced.
struct BuildResult {
  std::vector<PlatformImage> images;
  std::optional<std::string> index_raw;  ///< for several platforms
  oci::Descriptor root;                  ///< the index, or the only manifest
  std::vector<oci::Digest> cache_keys;   ///< cache records this build used (for --cache-to)
  std::filesystem::path cache_dir;
};

/// Runs a build. Errors carry the Dockerfile line (`Dockerfile:7:1: ...`); RUN steps in a
/// needed stage fail the build before anything runs.
[[nodiscard]] Result<BuildResult> build_image(BuildOptions options);

}  // namespace sigil::build
