// Private to the builder: the state shared by one build and the runner of one stage.
#pragma once

#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "build/cache/checksum_memo.hpp"
#include "build/cache/local_cache.hpp"
#include "build/context/build_context.hpp"
#include "build/dockerfile/dockerfile.hpp"
#include "build/dockerfile/scope.hpp"
#include "build/exec/builder.hpp"
#include "build/exec/fs_view.hpp"
#include "build/image/base_image.hpp"
#include "build/image/image_config.hpp"
#include "build/output/cache_export.hpp"
#include "build/plan/stage_graph.hpp"

namespace sigil::build::detail {

/// A layer that may still be compressing or downloading.
using LayerFuture = std::shared_future<Result<BuiltLayer>>;

/// A layer to compress, started only when an output needs it: layers of stages that are only
/// copied from never reach an image, so they are never compressed.
struct LayerJob {
  std::packaged_task<Result<BuiltLayer>()> task;
  std::atomic<bool> started{false};
};

/// One layer of a stage's file system: a blob (base image) or entries this build made.
struct FsLayer {
  std::optional<LayerFuture> blob;
  std::shared_ptr<const std::vector<LayerEntry>> entries;
};

/// What a stage produced.
struct StageResult {
  ImageState state;
  std::vector<LayerFuture> layers;  ///< base layers then this build's, in order
  std::vector<LayerOrigin> origins;  ///< parallel to layers: the instruction that made each
  std::vector<ResolvedInput> inputs;  ///< images and URLs this stage pulled in (not its parent stage's)
  std::vector<std::shared_ptr<LayerJob>> jobs;  ///< per layer: the job to start, or null when ready/running
  std::vector<FsLayer> fs_layers;
  std::shared_ptr<FsView> fs;       ///< built on first use
  oci::Digest chain;                ///< cache key of the last layer step (or of the base)
};

/// Cache records imported with --cache-from (see build/output/cache_export.hpp).
using RemoteRecord = RemoteCacheRecord;

/// Shared by every stage and platform of one build.
struct BuildShared {
  const BuildOptions* options = nullptr;
  const dockerfile::Dockerfile* file = nullptr;
  const BuildContext* context = nullptr;
  std::map<std::string, BuildContext> directory_contexts;  ///< --build-context name=DIR
  BaseResolver* resolver = nullptr;
  const LocalCache* cache = nullptr;
  ChecksumMemo* memo = nullptr;  ///< content digests of files, by stat (see checksum_memo.hpp)
  std::map<oci::Digest, RemoteRecord> remote;
  std::filesystem::path scratch;  ///< temp dir for extracted files
  std::mutex mutex;               ///< guards events, used_keys, scratch_counter
  std::vector<oci::Digest> used_keys;
  int scratch_counter = 0;

  void emit(const BuildEvent& event);
  /// A fresh directory under `scratch`.
  [[nodiscard]] Result<std::filesystem::path> new_scratch_dir();
};

/// Runs the instructions of one stage for one platform.
class StageRunner {
 public:
  StageRunner(BuildShared& shared, const oci::Platform& platform, const dockerfile::GlobalScope& global,
              std::map<std::size_t, StageResult>& done)
      : shared_(shared), platform_(platform), global_(global), done_(done) {}

  [[nodiscard]] Result<StageResult> run(const dockerfile::Stage& stage, const StageRef& base);

 private:
  [[nodiscard]] Result<void> start_from(const dockerfile::Stage& stage, const StageRef& base);
  [[nodiscard]] Result<void> apply(const dockerfile::Instruction& inst);
  [[nodiscard]] Result<void> run_triggers(const dockerfile::Stage& stage);
  [[nodiscard]] Result<void> apply_copy(const dockerfile::Instruction& inst);
  [[nodiscard]] Result<void> apply_workdir(const dockerfile::Instruction& inst, const std::string& path);
  /// Adds a layer from entries: cache lookup by key, else compression in the background.
  [[nodiscard]] Result<void> add_layer(std::vector<LayerEntry> entries, const std::string& step_text,
                                       const std::string& history);
  /// The stage's file system so far (waits for base blobs).
  [[nodiscard]] Result<FsView*> fs();
  /// Records an image or URL the stage pulled in, for provenance.
  void record_input(ResolvedInput::Kind kind, const std::string& name, const std::string& uri,
                    const oci::Digest& digest);
  /// The file system of another stage or image, for COPY --from.
  [[nodiscard]] Result<FsView*> fs_of(StageResult& result);
  /// --chown / USER to ids, reading /etc/passwd and /etc/group only for names.
  [[nodiscard]] Result<Chown> resolve_owner(const std::string& spec);
  [[nodiscard]] Error error_at(const dockerfile::Instruction& inst, const Error& error) const;
  [[nodiscard]] std::string created() const;
  void event(BuildEvent::Kind kind, const std::string& text, bool cached);

  BuildShared& shared_;
  oci::Platform platform_;
  const dockerfile::GlobalScope& global_;
  std::map<std::size_t, StageResult>& done_;
  std::optional<dockerfile::StageScope> scope_;
  StageResult result_;
  std::string stage_name_;
  int step_ = 0;
  int steps_ = 0;
  int line_ = 0;  ///< Dockerfile line of the instruction being applied
  /// An ONBUILD trigger being applied: errors point at the FROM line and quote the trigger.
  struct Trigger {
    dockerfile::SourceLocation stage_location;
    std::string text;
  };
  const Trigger* trigger_ = nullptr;
  bool cmd_set_ = false;
  std::vector<std::unique_ptr<StageResult>> images_;  ///< COPY --from images, kept alive
};

/// Hashes what a cache key must cover of an entry list (paths, metadata, and the sha256 of each
/// file's bytes; never mtimes). File digests come from `memo` when given (unchanged files are
/// not read again), else every file is read.
[[nodiscard]] Result<oci::Digest> entries_digest(const std::vector<LayerEntry>& entries, ChecksumMemo* memo = nullptr);

}  // namespace sigil::build::detail
