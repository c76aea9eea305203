#include "build/exec/builder.hpp"

#include <stdlib.h>

#include <algorithm>
#include <system_error>
#include <thread>

#include "build/cache/checksum_memo.hpp"
#include "build/cache/local_cache.hpp"
#include "build/context/build_context.hpp"
#include "build/context/dockerignore.hpp"
#include "build/exec/detail/stage_runner.hpp"
#include "build/image/image_config.hpp"
#include "build/image/platform.hpp"
#include "build/output/cache_export.hpp"
#include "common/file.hpp"
#include "common/limits.hpp"
#include "oci/media_types.hpp"

namespace sigil::build {
namespace {

// A temp directory removed when the build ends, whatever happened.
class ScratchDir {
 public:
  static Result<ScratchDir> create() {
    std::error_code ec;
    std::string pattern = (std::filesystem::temp_directory_path(ec) / "sigil-build-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return std::unexpected(errno_error(ErrorCategory::internal, "create temp dir " + pattern, errno));
    }
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ScratchDir& operator=(ScratchDir&&) = delete;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScratchDir(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

// Waits for every layer that is downloading or compressing, so no thread outlives the build's
// temp files; jobs never started (layers no output needs) are skipped.
void wait_all(std::map<std::size_t, detail::StageResult>& done) {
  for (auto& [index, stage] : done) {
    for (std::size_t i = 0; i < stage.layers.size(); ++i) {
      if (!stage.jobs[i] || stage.jobs[i]->started) stage.layers[i].wait();
    }
  }
}

// Compresses the layers the image needs, all at once (each on its own thread).
std::vector<std::thread> start_jobs(const detail::StageResult& stage) {
  std::vector<std::thread> threads;
  for (const auto& job : stage.jobs) {
    if (job && !job->started.exchange(true)) threads.emplace_back([job] { job->task(); });
  }
  return threads;
}

Result<void> check_no_run(const dockerfile::Dockerfile& file, const std::vector<std::size_t>& stages) {
  for (auto s : stages) {
    for (const auto& inst : file.stages[s].instructions) {
      if (std::holds_alternative<dockerfile::RunInstruction>(inst.value)) {
        return std::unexpected(file.error_at(
            inst.location, "RUN is not supported yet: sigil cannot execute build commands (this stage needs it)"));
      }
    }
  }
  return {};
}

// Each stage's own lines, from its FROM line to the line before the next stage (or the end).
std::vector<StageSource> stage_sources(const dockerfile::Dockerfile& file, const std::vector<std::size_t>& built) {
  std::vector<std::string_view> lines;
  std::string_view text = file.text;
  while (!text.empty()) {
    auto nl = text.find('\n');
    lines.push_back(text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  std::vector<StageSource> out;
  for (auto s : built) {
    const auto& stage = file.stages[s];
    std::size_t first = static_cast<std::size_t>(std::max(stage.location.line, 1)) - 1;
    std::size_t end = s + 1 < file.stages.size() ? static_cast<std::size_t>(file.stages[s + 1].location.line) - 1
                                                 : lines.size();
    oci::Hasher hasher;
    for (std::size_t i = first; i < end && i < lines.size(); ++i) hasher.update(lines[i]);
    out.push_back(StageSource{stage.name.empty() ? std::to_string(stage.index) : stage.name, hasher.finish()});
  }
  return out;
}

// The digest of everything the .dockerignore admits: paths, types, modes, sizes and bytes,
// hashed as cache keys hash COPY sources (never mtimes), so equal trees give equal digests.
Result<oci::Digest> context_digest(const BuildContext& context, ChecksumMemo& memo) {
  auto roots = context.resolve_source(".");
  if (!roots) return std::unexpected(roots.error());
  std::vector<LayerEntry> all;
  for (const auto& root : *roots) {
    auto collected = context.collect(root, {});
    if (!collected) return std::unexpected(collected.error());
    for (auto& e : collected->entries) all.push_back(std::move(e));
  }
  return detail::entries_digest(all, &memo);
}

}  // namespace

Result<BuildResult> build_image(BuildOptions options) {
  auto text = read_file(options.dockerfile, limits::kMaxDockerfileBytes);
  if (!text) return std::unexpected(text.error());
  auto file = dockerfile::parse_dockerfile(*text, options.dockerfile.filename().string());
  if (!file) return std::unexpected(file.error());
  auto ignore = load_dockerignore(options.context, options.dockerfile);
  if (!ignore) return std::unexpected(ignore.error());
  auto context = BuildContext::open(options.context, *ignore);
  if (!context) return std::unexpected(context.error());
  auto cache = LocalCache::open(options.cache_dir);
  if (!cache) return std::unexpected(cache.error());
  auto scratch = ScratchDir::create();
  if (!scratch) return std::unexpected(scratch.error());
  BaseResolver resolver(options.store_options);
  options.layer.epoch = options.epoch;

  detail::BuildShared shared;
  shared.options = &options;
  shared.file = &*file;
  shared.context = &*context;
  shared.resolver = &resolver;
  shared.cache = &*cache;
  // File digests by stat, kept across builds: a rebuild reads only the files that changed.
  // --no-cache starts from nothing (a cold build really reads everything).
  ChecksumMemo memo;
  const std::filesystem::path memo_file = cache->dir() / "checksums.v1";
  if (!options.no_cache) memo.load(memo_file);
  shared.memo = &memo;
  shared.scratch = scratch->path();
  std::vector<std::string> context_names;
  for (const auto& [name, value] : options.build_contexts) {
    context_names.push_back(name);
    if (value.starts_with("oci:") || value.starts_with("docker-image://")) continue;
    auto dir_ignore = load_dockerignore(value, std::filesystem::path(value) / "Dockerfile");
    if (!dir_ignore) return std::unexpected(dir_ignore.error());
    auto dir = BuildContext::open(value, *dir_ignore);
    if (!dir) return std::unexpected(dir.error().with_context("--build-context " + name));
    shared.directory_contexts.emplace(name, std::move(*dir));
  }
  if (!options.no_cache) {
    for (const auto& ref : options.cache_from) {
      auto records = import_cache(ref, options.store_options);
      if (!records) {
        // An unreadable cache only costs time, as with buildx: warn and build.
        BuildEvent e;
        e.kind = BuildEvent::Kind::message;
        e.text = "warning: --cache-from " + ref + ": " + records.error().message;
        shared.emit(e);
        continue;
      }
      for (auto& [key, record] : *records) shared.remote.emplace(key, std::move(record));
    }
  }

  std::vector<oci::Platform> platforms = options.platforms;
  if (platforms.empty()) platforms.push_back(build_platform());
  BuildResult result;
  result.cache_dir = options.cache_dir;
  result.dockerfile_digest = oci::Digest::of(*text);
  if (options.context_digest) {
    auto digest = context_digest(*context, memo);
    if (!digest) return std::unexpected(digest.error().with_context("context digest"));
    result.context_digest = *digest;
  }
  std::string created = rfc3339(options.epoch);
  for (const auto& platform : platforms) {
    dockerfile::Environment automatic;
    for (const auto& [k, v] : platform_args(platform, build_platform())) automatic.set(k, v);
    auto global = dockerfile::GlobalScope::evaluate(file->global_args, options.build_args, automatic,
                                                    file->directives.escape_char, file->filename, file->text);
    if (!global) return std::unexpected(global.error());
    auto order = order_stages(*file, options.target, *global, context_names);
    if (!order) return std::unexpected(order.error());
    if (auto r = check_no_run(*file, order->stages); !r) return std::unexpected(r.error());
    std::map<std::size_t, detail::StageResult> done;
    for (auto s : order->stages) {
      const auto& stage = file->stages[s];
      oci::Platform stage_platform = platform;
      if (!stage.from.platform.empty()) {
        auto word = dockerfile::expand_word(stage.from.platform, global->env(), file->directives.escape_char);
        if (!word) return std::unexpected(file->error_at(stage.location, word.error().message));
        auto p = parse_platform(*word);
        if (!p) return std::unexpected(file->error_at(stage.location, p.error().message));
        stage_platform = *p;
      }
      detail::StageRunner runner(shared, stage_platform, *global, done);
      auto stage_result = runner.run(stage, order->bases[s]);
      if (!stage_result) {
        wait_all(done);
        return std::unexpected(stage_result.error());
      }
      done.emplace(s, std::move(*stage_result));
    }
    if (result.stages.empty()) result.stages = stage_sources(*file, order->stages);
    auto& final_stage = done.at(order->target);
    auto threads = start_jobs(final_stage);
    for (auto& t : threads) t.join();
    wait_all(done);
    PlatformImage image;
    image.platform = platform;
    image.layer_origins = final_stage.origins;
    for (auto s : order->stages) {
      for (const auto& input : done.at(s).inputs) {
        if (std::find(image.inputs.begin(), image.inputs.end(), input) == image.inputs.end()) image.inputs.push_back(input);
      }
    }
    ImageState state = final_stage.state;
    state.diff_ids.clear();
    std::vector<oci::Descriptor> layer_descs;
    for (auto& f : final_stage.layers) {
      const auto& layer = f.get();
      if (!layer) return std::unexpected(layer.error());
      image.layers.push_back(*layer);
      layer_descs.push_back(layer->descriptor);
      state.diff_ids.push_back(layer->diff_id);
    }
    for (const auto& [k, v] : options.labels) state.labels[k] = v;
    state.platform.os = platform.os;
    state.platform.architecture = platform.architecture;
    state.platform.variant = platform.variant;
    image.config_raw = serialize_config(state, created);
    image.config = oci::Descriptor::of(image.config_raw, oci::media_type::kOciConfig);
    oci::Annotations annotations;
    annotations[std::string(oci::kAnnotationCreated)] = created;
    if (options.git) {
      if (!options.git->source.empty()) annotations["org.opencontainers.image.source"] = options.git->source;
      annotations["org.opencontainers.image.revision"] = options.git->revision;
    }
    for (const auto& [k, v] : options.annotations) annotations[k] = v;
    image.manifest_raw = serialize_manifest(image.config, layer_descs, annotations);
    image.manifest = oci::Descriptor::of(image.manifest_raw, oci::media_type::kOciManifest);
    image.manifest.platform = platform;
    result.images.push_back(std::move(image));
  }
  result.cache_keys = shared.used_keys;
  // Only an accelerator: a memo that cannot be written costs the next build time, not output.
  static_cast<void>(memo.save(memo_file, scratch->path()));
  if (result.images.size() > 1) {
    std::vector<oci::Descriptor> manifests;
    for (const auto& i : result.images) manifests.push_back(i.manifest);
    result.index_raw = serialize_index(manifests, options.index_annotations);
    result.root = oci::Descriptor::of(*result.index_raw, oci::media_type::kOciIndex);
  } else {
    result.root = result.images.front().manifest;
    result.root.platform.reset();
  }
  return result;
}

}  // namespace sigil::build
