#include "build/exec/detail/stage_runner.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "build/cache/cache_key.hpp"
#include "build/exec/users.hpp"
#include "build/image/epoch.hpp"
#include "build/image/platform.hpp"
#include "common/file.hpp"

namespace sigil::build::detail {

void BuildShared::emit(const BuildEvent& event) {
  std::lock_guard lock(mutex);
  if (options->on_event) options->on_event(event);
}

Result<std::filesystem::path> BuildShared::new_scratch_dir() {
  std::filesystem::path dir;
  {
    std::lock_guard lock(mutex);
    dir = scratch / ("s" + std::to_string(scratch_counter++));
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(ErrorCategory::internal, "create " + dir.string() + ": " + ec.message());
  return dir;
}

Result<oci::Digest> entries_digest(const std::vector<LayerEntry>& entries, ChecksumMemo* memo) {
  // Bytes, not times: a touched but unchanged file is still a cache hit. Each file enters the
  // key as the sha256 of its bytes, so the memo can answer for files that did not change.
  std::vector<FileToHash> files;
  for (const auto& e : entries) {
    if (const auto* f = std::get_if<FileContent>(&e.content)) files.push_back(FileToHash{f->path, e.size});
  }
  ChecksumMemo once;
  auto digests = (memo != nullptr ? memo : &once)->digest_files(files);
  if (!digests) return std::unexpected(digests.error());
  oci::Hasher hasher;
  auto field = [&](std::string_view s) {
    std::string length = std::to_string(s.size()) + ":";
    hasher.update(length);
    hasher.update(s);
  };
  std::size_t next_file = 0;
  for (const auto& e : entries) {
    field(e.path);
    field(std::to_string(static_cast<int>(e.type)) + " " + std::to_string(e.mode) + " " + std::to_string(e.uid) + " " +
          std::to_string(e.gid) + " " + std::to_string(e.size));
    field(e.link_target);
    for (const auto& [k, v] : e.xattrs) {
      field(k);
      field(v);
    }
    if (const auto* s = std::get_if<std::string>(&e.content)) {
      field(*s);
    } else if (std::holds_alternative<FileContent>(e.content)) {
      field((*digests)[next_file++].str());
    }
  }
  return hasher.finish();
}

std::string StageRunner::created() const { return rfc3339(shared_.options->epoch); }

Error StageRunner::error_at(const dockerfile::Instruction& inst, const Error& error) const {
  // A trigger's own text is not in the Dockerfile: point at the FROM that inherited it.
  Error located = trigger_ ? shared_.file->error_at(trigger_->stage_location,
                                                    "ONBUILD trigger \"" + trigger_->text + "\" of the base: " + error.message)
                           : shared_.file->error_at(inst.location, error.message);
  located.category = error.category;
  return located;
}

void StageRunner::event(BuildEvent::Kind kind, const std::string& text, bool cached) {
  BuildEvent e;
  e.kind = kind;
  e.platform = format_platform(platform_);
  e.stage = stage_name_;
  e.step = step_;
  e.steps = steps_;
  e.text = text;
  e.cached = cached;
  shared_.emit(e);
}

Result<void> StageRunner::start_from(const dockerfile::Stage& stage, const StageRef& base) {
  switch (base.kind) {
    case StageRef::Kind::scratch: {
      result_.state = scratch_state(platform_);
      result_.chain = CacheKeyBuilder().add("scratch").add(format_platform(platform_)).finish();
      return {};
    }
    case StageRef::Kind::stage: {
      auto it = done_.find(base.stage);
      if (it == done_.end()) return fail(ErrorCategory::internal, "stage " + std::to_string(base.stage) + " was not built");
      result_ = it->second;
      result_.fs.reset();
      result_.inputs.clear();  // the parent stage reports its own
      return {};
    }
    case StageRef::Kind::context: {
      auto value = shared_.options->build_contexts.at(base.name);
      if (!value.starts_with("oci:") && !value.starts_with("docker-image://")) {
        return fail(ErrorCategory::input, "FROM " + base.name + ": build context \"" + base.name +
                                              "\" is a directory, not an image");
      }
      StageRef image = base;
      image.kind = StageRef::Kind::image;
      image.name = value.starts_with("docker-image://") ? value.substr(15) : value;
      return start_from(stage, image);
    }
    case StageRef::Kind::image: break;
  }
  auto image = shared_.resolver->resolve(base.name, platform_);
  if (!image) return std::unexpected(image.error());
  result_.state = image->state;
  if (result_.state.platform.os.empty()) result_.state.platform = platform_;
  record_input(ResolvedInput::Kind::image, base.name, image->reference.str(), *image->reference.digest);
  const LocalCache* cache = shared_.cache;
  auto store = image->store;
  for (std::size_t i = 0; i < image->layers.size(); ++i) {
    oci::Descriptor desc = image->layers[i];
    oci::Digest diff_id = image->config.diff_ids[i];
    // Base layers download in the background; the file-system view and the outputs wait.
    LayerFuture f = std::async(std::launch::async, [cache, store, desc, diff_id]() -> Result<BuiltLayer> {
                      if (auto r = cache->fetch_blob(*store, desc); !r) return std::unexpected(r.error());
                      return BuiltLayer{desc, diff_id, cache->blob_path(desc.digest)};
                    }).share();
    result_.layers.push_back(f);
    result_.jobs.push_back(nullptr);
    result_.origins.push_back(LayerOrigin{stage_name_, stage.original, stage.location.line});
    result_.fs_layers.push_back(FsLayer{f, nullptr});
  }
  result_.chain = CacheKeyBuilder().add("image").add(image->manifest.digest.str()).finish();
  return {};
}

void StageRunner::record_input(ResolvedInput::Kind kind, const std::string& name, const std::string& uri,
                               const oci::Digest& digest) {
  ResolvedInput input{kind, name, uri, digest, stage_name_, {}};
  for (const auto& have : result_.inputs) {
    if (have.uri == input.uri && have.digest == input.digest) return;
  }
  result_.inputs.push_back(std::move(input));
}

Result<FsView*> StageRunner::fs_of(StageResult& result) {
  if (result.fs) return result.fs.get();
  auto dir = shared_.new_scratch_dir();
  if (!dir) return std::unexpected(dir.error());
  auto view = std::make_shared<FsView>(*dir);
  for (const auto& layer : result.fs_layers) {
    if (layer.blob) {
      const auto& built = layer.blob->get();
      if (!built) return std::unexpected(built.error());
      view->add_blob(built->blob);
    } else {
      view->add_entries(*layer.entries);
    }
  }
  result.fs = view;
  return view.get();
}

Result<FsView*> StageRunner::fs() { return fs_of(result_); }

Result<Chown> StageRunner::resolve_owner(const std::string& spec) {
  bool numeric = spec.find_first_not_of("0123456789:") == std::string::npos;
  std::optional<std::string> passwd;
  std::optional<std::string> group;
  if (!numeric) {
    auto view = fs();
    if (!view) return std::unexpected(view.error());
    auto p = (*view)->read_file("/etc/passwd", 4 << 20);
    if (!p) return std::unexpected(p.error());
    auto g = (*view)->read_file("/etc/group", 4 << 20);
    if (!g) return std::unexpected(g.error());
    passwd = *p;
    group = *g;
  }
  return resolve_chown(spec, passwd, group);
}

Result<void> StageRunner::add_layer(std::vector<LayerEntry> entries, const std::string& step_text,
                                    const std::string& history) {
  normalize_entries(entries);
  auto content = entries_digest(entries, shared_.memo);
  if (!content) return std::unexpected(content.error());
  const BuildOptions& options = *shared_.options;
  oci::Digest key = CacheKeyBuilder()
                        .add("sigil.build.layer.v2")
                        .add(result_.chain.str())
                        .add(content->str())
                        .add(compression_name(options.layer.compression))
                        .add(std::to_string(options.layer.compression_level))
                        .add(std::to_string(options.epoch))
                        .finish();
  result_.chain = key;
  {
    std::lock_guard lock(shared_.mutex);
    shared_.used_keys.push_back(key);
  }
  const LocalCache* cache = shared_.cache;
  std::optional<CacheRecord> hit;
  if (!options.no_cache) {
    hit = cache->lookup(key);
    if (auto remote = shared_.remote.find(key); !hit && remote != shared_.remote.end()) {
      if (cache->fetch_blob(*remote->second.store, remote->second.record.layer)) {
        CacheRecord record = remote->second.record;
        record.key = key;
        if (cache->store(record)) hit = record;
      }
    }
  }
  auto shared_entries = std::make_shared<const std::vector<LayerEntry>>(std::move(entries));
  result_.origins.push_back(LayerOrigin{stage_name_, step_text, line_});
  result_.fs_layers.push_back(FsLayer{std::nullopt, shared_entries});
  result_.fs.reset();
  event(BuildEvent::Kind::step, step_text, hit.has_value());
  BuildEvent done;
  done.kind = BuildEvent::Kind::layer_done;
  done.platform = format_platform(platform_);
  done.stage = stage_name_;
  done.step = step_;
  done.steps = steps_;
  done.text = step_text;
  if (hit) {
    std::promise<Result<BuiltLayer>> ready;
    ready.set_value(BuiltLayer{hit->layer, hit->diff_id, cache->blob_path(hit->layer.digest)});
    result_.layers.push_back(ready.get_future().share());
    result_.jobs.push_back(nullptr);
    done.cached = true;
    done.size = hit->layer.size;
    done.digest = hit->layer.digest.str();
    shared_.emit(done);
  } else {
    BuildShared* shared = &shared_;
    LayerOptions layer_options = options.layer;
    layer_options.epoch = options.epoch;
    auto job = std::make_shared<LayerJob>();
    job->task = std::packaged_task<Result<BuiltLayer>()>([shared, cache, shared_entries, layer_options, key, done]() mutable
                   -> Result<BuiltLayer> {
          auto start = std::chrono::steady_clock::now();
          auto written = write_layer(*shared_entries, cache->blobs_dir(), layer_options);
          if (!written) return std::unexpected(written.error());
          oci::Descriptor desc;
          desc.media_type = written->media_type;
          desc.digest = written->digest;
          desc.size = static_cast<std::int64_t>(written->size);
          if (auto r = cache->store(CacheRecord{key, desc, written->diff_id}); !r) return std::unexpected(r.error());
          done.size = desc.size;
          done.digest = desc.digest.str();
          done.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          shared->emit(done);
          return BuiltLayer{desc, written->diff_id, written->path};
        });
    result_.layers.push_back(job->task.get_future().share());
    result_.jobs.push_back(job);
  }
  result_.state.add_history(history + " # buildkit", true, created());
  return {};
}

Result<void> StageRunner::apply_workdir(const dockerfile::Instruction& inst, const std::string& path) {
  std::string wd = path.starts_with("/") ? path : result_.state.working_dir + "/" + path;
  wd = "/" + clean_relative_path(wd);
  result_.state.working_dir = wd;
  std::string history = "WORKDIR " + wd;
  if (wd == "/") {
    result_.state.add_history(history, false, created());
    event(BuildEvent::Kind::step, history, true);
    return {};
  }
  auto view = fs();
  if (!view) return std::unexpected(error_at(inst, view.error()));
  auto existing = (*view)->lookup_follow(wd);
  if (!existing) return std::unexpected(error_at(inst, existing.error()));
  if (*existing && (*existing)->type == EntryType::directory) {
    // Nothing to create: BuildKit's mkdir changes nothing, so no layer is added.
    result_.state.add_history(history, false, created());
    event(BuildEvent::Kind::step, history, true);
    return {};
  }
  Chown owner;
  if (!result_.state.user.empty()) {
    auto o = resolve_owner(result_.state.user);
    if (!o) return std::unexpected(error_at(inst, o.error()));
    owner = *o;
  }
  FsView* v = *view;
  Placement placement;
  placement.dest = wd + "/";
  placement.created_owner = owner;
  placement.existing = [v](std::string_view p) -> std::optional<LayerEntry> {
    auto e = v->lookup(p);
    return e ? *e : std::nullopt;
  };
  auto entries = place_sources({}, placement);
  if (!entries) return std::unexpected(error_at(inst, entries.error()));
  if (auto r = add_layer(std::move(*entries), history, history); !r) return std::unexpected(error_at(inst, r.error()));
  // WORKDIR's history carries no "# buildkit" marker (BuildKit passes no state for it).
  result_.state.history.back().created_by = history;
  return {};
}

// The base's ONBUILD triggers run first, as BuildKit runs them: parsed as instructions of
// this stage (COPY reads this build's context), then cleared from the config.
Result<void> StageRunner::run_triggers(const dockerfile::Stage& stage) {
  std::vector<std::string> triggers = std::move(result_.state.on_build);
  result_.state.on_build.clear();
  if (triggers.empty()) return {};
  std::string text = "FROM scratch\n";
  for (const auto& t : triggers) text += t + "\n";
  auto parsed = dockerfile::parse_dockerfile(text, "ONBUILD");
  // One instruction per trigger: a trigger that is a FROM (or spans lines) is refused.
  if (parsed && (parsed->stages.size() != 1 || parsed->stages[0].instructions.size() != triggers.size())) {
    return std::unexpected(shared_.file->error_at(stage.location, "the base's ONBUILD triggers are not one instruction each"));
  }
  for (std::size_t i = 0; i < triggers.size(); ++i) {
    Trigger trigger{stage.location, triggers[i]};
    trigger_ = &trigger;
    Result<void> applied;
    if (!parsed) {
      applied = std::unexpected(parsed.error());
    } else {
      const auto& inst = parsed->stages[0].instructions[i];
      line_ = stage.location.line;
      applied = apply(inst);
    }
    trigger_ = nullptr;
    if (!applied) {
      if (parsed) return std::unexpected(applied.error());
      Error e = shared_.file->error_at(stage.location, "ONBUILD triggers of the base: " + applied.error().message);
      e.category = ErrorCategory::input;
      return std::unexpected(e);
    }
  }
  return {};
}

Result<StageResult> StageRunner::run(const dockerfile::Stage& stage, const StageRef& base) {
  stage_name_ = stage.name.empty() ? std::to_string(stage.index) : stage.name;
  steps_ = static_cast<int>(stage.instructions.size()) + 1;
  step_ = 1;
  if (auto r = start_from(stage, base); !r) {
    Error e = shared_.file->error_at(stage.location, r.error().message);
    e.category = r.error().category;
    return std::unexpected(e);
  }
  event(BuildEvent::Kind::step, stage.original, true);
  auto automatic = dockerfile::Environment();
  for (const auto& [k, v] : platform_args(platform_, build_platform())) automatic.set(k, v);
  scope_.emplace(global_, shared_.options->build_args, automatic,
                 dockerfile::Environment::from_strings(base.kind == StageRef::Kind::scratch ? std::vector<std::string>{}
                                                                                             : result_.state.env),
                 shared_.file->directives.escape_char);
  if (auto r = run_triggers(stage); !r) return std::unexpected(r.error());
  for (const auto& inst : stage.instructions) {
    ++step_;
    line_ = inst.location.line;
    if (auto r = apply(inst); !r) return std::unexpected(r.error());
  }
  return std::move(result_);
}

}  // namespace sigil::build::detail
