// COPY and ADD: sources from the context, a --build-context directory, an earlier stage, an
// image, heredocs or (ADD) an HTTP(S) URL, placed under the destination as BuildKit does.
#include <fnmatch.h>

#include "build/context/dockerignore.hpp"
#include "build/exec/detail/git_source.hpp"
#include "build/exec/detail/stage_runner.hpp"
#include "build/layer/archive_reader.hpp"
#include "common/file.hpp"
#include "common/http.hpp"

namespace sigil::build::detail {
namespace {

// The fields COPY and ADD share, expanded.
struct CopySpec {
  bool is_add = false;
  std::vector<std::string> sources;
  std::vector<dockerfile::InlineSource> inline_sources;
  std::string dest;
  std::string from;
  std::string chown;
  std::string chmod;
  std::string checksum;
  std::vector<std::string> excludes;
  bool parents = false;
  bool link = false;
  bool keep_git_dir = false;
};

bool has_wildcard(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string parent_path(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// --parents: the source's path (after an optional "/./" pivot) is kept under the destination.
CollectedSource with_parents(CollectedSource source, const std::string& kept) {
  if (kept.empty()) return source;
  CollectedSource out;
  out.is_dir = true;
  std::string prefix = source.is_dir ? kept + "/" : parent_path(kept);
  if (!prefix.empty() && prefix.back() != '/') prefix += "/";
  if (source.is_dir && source.self) {
    LayerEntry self = *source.self;
    self.path = kept;
    out.entries.push_back(self);
  }
  for (auto& e : source.entries) {
    e.path = prefix + e.path;
    if (e.type == EntryType::hardlink) e.link_target = prefix + e.link_target;
    out.entries.push_back(std::move(e));
  }
  return out;
}

// An ADD URL's file, and the sha256 of its bytes (recorded in provenance).
struct Downloaded {
  CollectedSource source;
  oci::Digest digest;
};

Result<Downloaded> download(const std::string& url, const std::string& checksum, const std::filesystem::path& dir) {
  http::Client client;
  auto file = TempFile::create(dir);
  if (!file) return std::unexpected(file.error());
  oci::Hasher hasher;
  std::uint64_t size = 0;
  http::Request request;
  request.url = url;
  request.on_body = [&](std::string_view chunk) -> Result<void> {
    hasher.update(chunk);
    size += chunk.size();
    return file->write(chunk);
  };
  auto response = client.send(request);
  if (!response) return std::unexpected(response.error());
  if (response->status < 200 || response->status >= 300) {
    return fail(response->status >= 500 ? ErrorCategory::network : ErrorCategory::input,
                "ADD " + url + ": HTTP status " + std::to_string(response->status));
  }
  oci::Digest got = hasher.finish();
  if (!checksum.empty() && got.str() != checksum) {
    return fail(ErrorCategory::input, "ADD " + url + ": checksum mismatch: expected " + checksum + ", got " + got.str());
  }
  std::filesystem::path target = dir / got.hex();
  if (auto r = file->commit(target); !r) return std::unexpected(r.error());
  // The file name is the URL path's last element, as BuildKit names HTTP sources.
  std::string path = url.substr(0, url.find_first_of("?#"));
  auto scheme = path.find("://");
  std::string rest = scheme == std::string::npos ? path : path.substr(scheme + 3);
  auto slash = rest.find('/');
  std::string name = slash == std::string::npos ? "" : base_name(rest.substr(slash));
  if (name.empty() || name == "." || name == "..") name = "__unnamed__";
  LayerEntry e;
  e.path = name;
  e.type = EntryType::regular;
  e.mode = 0600;  // BuildKit's HTTP source writes 0600 files
  e.size = size;
  e.content = FileContent{target};
  Downloaded out;
  out.source.entries.push_back(std::move(e));
  out.digest = got;
  return out;
}

}  // namespace

Result<void> StageRunner::apply_copy(const dockerfile::Instruction& inst) {
  auto located = [&](const Error& e) { return std::unexpected(error_at(inst, e)); };
  CopySpec spec;
  std::vector<std::string> raw_sources;
  std::string raw_from;
  if (const auto* c = std::get_if<dockerfile::CopyInstruction>(&inst.value)) {
    raw_sources = c->sources;
    spec.inline_sources = c->inline_sources;
    spec.dest = c->dest;
    raw_from = c->from;
    spec.chown = c->chown;
    spec.chmod = c->chmod;
    spec.excludes = c->excludes;
    spec.parents = c->parents;
    spec.link = c->link;
  } else {
    const auto& a = std::get<dockerfile::AddInstruction>(inst.value);
    spec.is_add = true;
    raw_sources = a.sources;
    spec.inline_sources = a.inline_sources;
    spec.dest = a.dest;
    spec.chown = a.chown;
    spec.chmod = a.chmod;
    spec.checksum = a.checksum;
    spec.excludes = a.excludes;
    spec.link = a.link;
    spec.keep_git_dir = a.keep_git_dir;
  }
  const char* keyword = spec.is_add ? "ADD" : "COPY";
  for (auto* field : {&spec.dest, &spec.chown, &spec.chmod, &spec.checksum}) {
    auto v = scope_->expand(*field);
    if (!v) return located(v.error());
    *field = *v;
  }
  for (auto& e : spec.excludes) {
    auto v = scope_->expand(e);
    if (!v) return located(v.error());
    e = *v;
  }
  for (const auto& s : raw_sources) {
    auto v = scope_->expand(s);
    if (!v) return located(v.error());
    spec.sources.push_back(*v);
  }
  if (!raw_from.empty()) {
    auto v = dockerfile::expand_word(raw_from, global_.env(), shared_.file->directives.escape_char);
    if (!v) return located(v.error());
    spec.from = *v;
  }
  if (spec.sources.size() + spec.inline_sources.size() > 1 && !spec.dest.ends_with("/")) {
    return located(Error{ErrorCategory::input, std::string("When using ") + keyword +
                                                   " with more than one source file, the destination must be a directory and end with a /"});
  }
  bool is_url = false;
  bool is_git = spec.sources.size() == 1 && parse_git_source(spec.sources[0]);
  for (const auto& s : spec.sources) is_url = is_url || s.starts_with("http://") || s.starts_with("https://");
  if (!spec.checksum.empty() && ((!is_url && !is_git) || spec.sources.size() != 1)) {
    return located(Error{ErrorCategory::input, "checksum requires HTTP(S) or Git sources"});
  }
  if (!spec.checksum.empty() && !is_git && !oci::Digest::parse(spec.checksum)) {
    return located(Error{ErrorCategory::input, "invalid --checksum \"" + spec.checksum + "\": expected sha256:<64 hex>"});
  }

  // Destination: relative to WORKDIR; a trailing '/' (or ".") means a directory.
  std::string d = spec.dest;
  bool dir_dest = d.ends_with("/") || d == "." || d.empty() || d.ends_with("/.");
  std::string dest = "/" + clean_relative_path(d.starts_with("/") ? d : result_.state.working_dir + "/" + d);
  if (dir_dest && dest != "/") dest += "/";

  Chown owner;
  if (!spec.chown.empty()) {
    auto o = resolve_owner(spec.chown);
    if (!o) return located(o.error());
    owner = *o;
  }
  std::optional<Chmod> chmod;
  if (!spec.chmod.empty()) {
    auto m = Chmod::parse(spec.chmod);
    if (!m) return located(m.error());
    chmod = *m;
  }

  std::vector<CollectedSource> collected;
  bool from_context = spec.from.empty();
  const BuildContext* dir_context = shared_.context;
  FsView* view = nullptr;
  if (!spec.from.empty()) {
    std::vector<std::string> names;
    for (const auto& [name, value] : shared_.options->build_contexts) names.push_back(name);
    auto ref = classify_reference(*shared_.file, spec.from, std::nullopt, names);
    if (ref.kind == StageRef::Kind::context) {
      auto it = shared_.directory_contexts.find(ref.name);
      if (it != shared_.directory_contexts.end()) {
        dir_context = &it->second;
        from_context = true;
      } else {
        std::string value = shared_.options->build_contexts.at(ref.name);
        ref.kind = StageRef::Kind::image;
        ref.name = value.starts_with("docker-image://") ? value.substr(15) : value;
      }
    }
    if (ref.kind == StageRef::Kind::stage) {
      auto it = done_.find(ref.stage);
      if (it == done_.end()) return located(Error{ErrorCategory::internal, "stage " + spec.from + " was not built"});
      auto v = fs_of(it->second);
      if (!v) return located(v.error());
      view = *v;
    } else if (ref.kind == StageRef::Kind::image) {
      auto image = shared_.resolver->resolve(ref.name, platform_);
      if (!image) return located(image.error());
      record_input(ResolvedInput::Kind::image, ref.name, image->reference.str(), *image->reference.digest);
      auto holder = std::make_unique<StageResult>();
      const LocalCache* cache = shared_.cache;
      for (const auto& desc : image->layers) {
        std::promise<Result<BuiltLayer>> p;
        auto fetched = cache->fetch_blob(*image->store, desc);
        if (!fetched) return located(fetched.error());
        p.set_value(BuiltLayer{desc, {}, cache->blob_path(desc.digest)});
        holder->fs_layers.push_back(FsLayer{p.get_future().share(), nullptr});
      }
      auto v = fs_of(*holder);
      if (!v) return located(v.error());
      view = *v;
      images_.push_back(std::move(holder));
    } else if (ref.kind == StageRef::Kind::scratch) {
      return located(Error{ErrorCategory::input, "COPY --from=scratch has nothing to copy"});
    }
  }

  auto scratch = shared_.new_scratch_dir();
  if (!scratch) return located(scratch.error());
  for (const auto& src : spec.sources) {
    if (auto git = parse_git_source(src)) {  // before plain URLs: "https://h/r.git" is a repository
      if (!spec.is_add) return located(Error{ErrorCategory::input, "source can't be a git ref for COPY"});
      auto dir = shared_.new_scratch_dir();
      if (!dir) return located(dir.error());
      auto got = fetch_git_source(src, *git, GitFetchOptions{spec.keep_git_dir, spec.checksum, spec.excludes}, *dir);
      if (!got) return located(got.error());
      ResolvedInput input;
      input.kind = ResolvedInput::Kind::git;
      input.name = src;
      input.uri = got->uri;
      input.stage = stage_name_;
      input.commit = got->commit;
      if (std::find(result_.inputs.begin(), result_.inputs.end(), input) == result_.inputs.end()) {
        result_.inputs.push_back(std::move(input));
      }
      collected.push_back(std::move(got->source));
      continue;
    }
    if (src.starts_with("http://") || src.starts_with("https://")) {
      if (!spec.is_add) return located(Error{ErrorCategory::input, "source can't be a URL for COPY"});
      if (spec.checksum.empty()) {
        event(BuildEvent::Kind::message,
              "warning: ADD " + src + " without --checksum: the build is not reproducible if the content changes", false);
      }
      auto got = download(src, spec.checksum, *scratch);
      if (!got) return located(got.error());
      record_input(ResolvedInput::Kind::url, src, src, got->digest);
      collected.push_back(std::move(got->source));
      continue;
    }
    // --parents: "a/./b/c" keeps "b/c"; without a pivot the whole path is kept.
    std::string written = src;
    std::string kept;
    if (spec.parents) {
      auto pivot = src.find("/./");
      written = pivot == std::string::npos ? src : src.substr(0, pivot) + "/" + src.substr(pivot + 3);
      kept = clean_relative_path(pivot == std::string::npos ? src : src.substr(pivot + 3));
    }
    if (from_context) {
      auto resolved = dir_context->resolve_source(written);
      if (!resolved) return located(resolved.error());
      for (const auto& r : *resolved) {
        std::filesystem::path file = dir_context->root() / r.path;
        if (spec.is_add && !r.is_dir) {
          auto tar = is_tar_archive(file);
          if (!tar) return located(tar.error());
          if (*tar) {
            auto entries = read_tar_archive(file, *scratch);
            if (!entries) return located(entries.error());
            CollectedSource archive;
            archive.is_dir = true;
            archive.entries = std::move(*entries);
            collected.push_back(std::move(archive));
            continue;
          }
        }
        auto c = dir_context->collect(r, spec.excludes);
        if (!c) return located(c.error());
        // Context files belong to root in the image unless --chown says otherwise: the
        // owner on the build machine must not change the image.
        apply_chown(c->entries, Chown{});
        if (c->self) c->self->uid = c->self->gid = 0;
        collected.push_back(spec.parents ? with_parents(std::move(*c), has_wildcard(written) ? r.path : kept)
                                         : std::move(*c));
      }
      continue;
    }
    // From a stage or an image: the view of its file system.
    std::string path = "/" + clean_relative_path(written);
    std::vector<std::string> matches;
    if (has_wildcard(base_name(path))) {
      auto children = view->children(parent_path(path).empty() ? "/" : parent_path(path));
      if (!children) return located(children.error());
      for (const auto& name : *children) {
        if (::fnmatch(base_name(path).c_str(), name.c_str(), FNM_PATHNAME) == 0) {
          matches.push_back(parent_path(path) + "/" + name);
        }
      }
    } else {
      matches.push_back(path);
    }
    auto matcher = PatternMatcher::create(spec.excludes);
    if (!matcher) return located(matcher.error());
    for (const auto& m : matches) {
      auto found = view->lookup_follow(m);
      if (!found) return located(found.error());
      if (!*found) {
        return located(Error{ErrorCategory::input, std::string(keyword) + " --from=" + spec.from + ": source \"" + src +
                                                       "\" not found"});
      }
      CollectedSource c;
      if ((*found)->type == EntryType::directory) {
        auto entries = view->subtree("/" + (*found)->path);
        if (!entries) return located(entries.error());
        for (auto& e : *entries) {
          if (!matcher->empty() && matcher->excluded(e.path)) continue;
          c.entries.push_back(std::move(e));
        }
        if (auto r = view->materialize(c.entries, "/" + (*found)->path); !r) return located(r.error());
        c.is_dir = true;
        c.self = **found;
        c.self->path = "";
      } else {
        LayerEntry e = **found;
        std::vector<LayerEntry> one{e};
        if (auto r = view->materialize(one, "/"); !r) return located(r.error());
        one[0].path = base_name(m);
        c.entries = std::move(one);
      }
      collected.push_back(spec.parents ? with_parents(std::move(c), has_wildcard(written) ? clean_relative_path(m) : kept)
                                       : std::move(c));
    }
  }
  for (const auto& inline_source : spec.inline_sources) {
    std::string data = inline_source.data;
    if (inline_source.expand) {
      auto v = dockerfile::expand_heredoc(data, scope_->env(), shared_.file->directives.escape_char);
      if (!v) return located(v.error());
      data = *v;
    }
    LayerEntry e;
    e.path = inline_source.name;
    e.type = EntryType::regular;
    e.mode = 0644;
    e.size = data.size();
    e.content = std::move(data);
    CollectedSource c;
    c.entries.push_back(std::move(e));
    collected.push_back(std::move(c));
  }
  if (collected.empty()) {
    return located(Error{ErrorCategory::input, std::string(keyword) + ": no source files were specified"});
  }
  for (auto& c : collected) {
    if (!spec.chown.empty()) {
      apply_chown(c.entries, owner);
      if (c.self) {
        c.self->uid = owner.uid;
        c.self->gid = owner.gid;
      }
    }
    if (chmod) apply_chmod(c.entries, *chmod);
  }

  Placement placement;
  placement.dest = dest;
  placement.created_owner = owner;
  if (!spec.link && !result_.fs_layers.empty()) {
    auto v = fs();
    if (!v) return located(v.error());
    FsView* stage_view = *v;
    placement.existing = [stage_view](std::string_view p) -> std::optional<LayerEntry> {
      auto e = stage_view->lookup(p);
      return e ? *e : std::nullopt;
    };
  }
  auto entries = place_sources(std::move(collected), placement);
  if (!entries) return located(entries.error());

  std::string history = keyword;
  if (spec.parents) history += " --parents";
  if (!spec.chown.empty()) history += " --chown=" + spec.chown;
  if (!spec.chmod.empty()) history += " --chmod=" + spec.chmod;
  for (const auto& s : spec.sources) history += " " + s;
  for (const auto& s : spec.inline_sources) history += " <<" + s.name;
  history += " " + spec.dest;
  if (auto r = add_layer(std::move(*entries), history, history); !r) return located(r.error());
  return {};
}

}  // namespace sigil::build::detail
