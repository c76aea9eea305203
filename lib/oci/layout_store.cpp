#include "oci/layout_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <set>

#include "common/file.hpp"
#include "common/limits.hpp"
#include "oci/detail/layout_blobs.hpp"
#include "oci/detail/layout_gc.hpp"
#include "oci/detail/layout_index.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "oci/reference.hpp"

namespace sigil::oci {
namespace fs = std::filesystem;
using detail::kBlobsDir;
using detail::kIndexFile;
using detail::kIndexLockFile;
using detail::kLayoutFile;

namespace {

std::string layout_name(const fs::path& dir) { return "oci:" + dir.string(); }

// True when the directory holds nothing but what a concurrent sigil initialization may have
// left so far (the lock file, temp files): it may then still become a layout.
Result<bool> is_empty_for_init(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name != kIndexLockFile && name.rfind(".tmp-", 0) != 0) return false;
  }
  if (ec) return fail(ErrorCategory::input, layout_name(dir) + ": " + ec.message());
  return true;
}

// Writes an empty layout. oci-layout comes last: a directory with it is a complete layout.
Result<void> init_layout(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir / kBlobsDir / "sha256", ec);
  if (ec) return fail(ErrorCategory::internal, "create " + (dir / kBlobsDir).string() + ": " + ec.message());
  if (auto w = detail::write_layout_index(dir, detail::LayoutIndex::empty()); !w) return w;
  Json layout = {{"imageLayoutVersion", detail::kLayoutVersion}};
  return write_file_atomic(dir / kLayoutFile, dump_json(layout));
}

Result<void> prepare_directory(const fs::path& dir, bool create) {
  std::error_code ec;
  auto st = fs::status(dir, ec);
  if (!fs::exists(st)) {
    if (!create) return fail(ErrorCategory::input, layout_name(dir) + ": no such directory");
    fs::create_directories(dir, ec);
    if (ec) return fail(ErrorCategory::input, layout_name(dir) + ": cannot create the directory: " + ec.message());
  } else if (!fs::is_directory(st)) {
    return fail(ErrorCategory::input, layout_name(dir) + ": not a directory");
  }
  if (fs::exists(dir / kLayoutFile, ec)) return {};
  // Two processes may create the same layout at once. Initialization happens under the index
  // lock and the lock file is the first thing it creates, so a directory seen non-empty because
  // of a concurrent initialization always shows the lock file too (checked second, for that).
  auto empty = is_empty_for_init(dir);
  if (!empty) return std::unexpected(empty.error());
  bool initializing = fs::exists(dir / kIndexLockFile, ec);
  if (!*empty && !initializing) {
    return fail(ErrorCategory::input, layout_name(dir) + ": not an OCI image layout (no oci-layout file) and not empty");
  }
  if (!create && !initializing) {
    return fail(ErrorCategory::input, layout_name(dir) + ": not an OCI image layout (empty directory)");
  }
  auto lock = FileLock::acquire(dir / kIndexLockFile);
  if (!lock) return std::unexpected(lock.error());
  if (fs::exists(dir / kLayoutFile, ec)) return {};  // the other process finished
  empty = is_empty_for_init(dir);
  if (!empty) return std::unexpected(empty.error());
  if (!*empty) {
    return fail(ErrorCategory::input, layout_name(dir) + ": not an OCI image layout (no oci-layout file) and not empty");
  }
  if (!create) return fail(ErrorCategory::input, layout_name(dir) + ": not an OCI image layout (empty directory)");
  // Re-initializing after another process finished would empty a fresh index.json: only here,
  // under the lock and with no oci-layout, is it safe.
  return init_layout(dir);
}

// The media type a manifest declares in its bytes, "" when it has no mediaType field.
Result<std::string> declared_media_type(std::string_view raw, std::string_view what) {
  auto j = parse_json(raw, what);
  if (!j) return std::unexpected(j.error());
  if (!j->is_object()) return fail(ErrorCategory::input, std::string(what) + ": not a JSON object");
  return json_string_member(*j, "mediaType", what);
}

// What push_manifest needs to know of a manifest or index.
struct Parsed {
  Descriptor desc;          // with artifactType (config media type fallback) and annotations
  std::string artifact_type;  // explicit artifactType only
  std::optional<Descriptor> subject;
  std::vector<Descriptor> blobs;  // config and layers of an image manifest
};

Result<Parsed> parse_any(std::string_view raw, std::string_view mt, std::string_view what) {
  Parsed p;
  if (media_type::is_manifest(mt)) {
    auto m = Manifest::parse(std::string(raw), what);
    if (!m) return std::unexpected(m.error());
    p.desc = m->descriptor();
    p.artifact_type = m->artifact_type;
    p.subject = m->subject;
    p.blobs.push_back(m->config);
    p.blobs.insert(p.blobs.end(), m->layers.begin(), m->layers.end());
  } else if (media_type::is_index(mt)) {
    auto idx = Index::parse(std::string(raw), what);
    if (!idx) return std::unexpected(idx.error());
    p.desc = idx->descriptor();
    p.artifact_type = idx->artifact_type;
    p.subject = idx->subject;
  } else {
    return fail(ErrorCategory::input, std::string(what) + ": unsupported media type \"" + std::string(mt) + "\"");
  }
  p.desc.media_type = mt;
  return p;
}

// The referrers tag schema's tag for a subject: "<alg>-<hex>", at most 128 characters.
std::string fallback_tag(const Digest& subject) {
  std::string tag = std::string(algorithm_name(subject.algorithm())) + "-" + subject.hex();
  if (tag.size() > 128) tag.resize(128);
  return tag;
}

// Strips the ref.name annotation: it names the index entry, not the content.
Descriptor content_descriptor(Descriptor d) {
  d.annotations.erase(std::string(kAnnotationRefName));
  return d;
}

}  // namespace

Result<std::unique_ptr<LayoutStore>> LayoutStore::open(const fs::path& dir, bool create) {
  if (dir.empty()) return fail(ErrorCategory::input, "oci: empty layout path");
  if (auto r = prepare_directory(dir, create); !r) return std::unexpected(r.error());
  if (auto r = detail::check_layout_file(dir); !r) return std::unexpected(r.error());
  if (auto r = detail::read_layout_index(dir); !r) return std::unexpected(r.error());
  std::error_code ec;
  fs::path canonical = fs::canonical(dir, ec);
  if (ec) return fail(ErrorCategory::input, layout_name(dir) + ": " + ec.message());
  if (auto r = detail::check_inside_layout(canonical, dir / kBlobsDir, layout_name(dir) + ": blobs"); !r) {
    return std::unexpected(r.error());
  }
  return std::unique_ptr<LayoutStore>(new LayoutStore(dir, canonical));
}

std::string LayoutStore::name() const { return layout_name(root_); }

fs::path LayoutStore::blob_path(const Digest& digest) const {
  return root_ / kBlobsDir / std::string(algorithm_name(digest.algorithm())) / digest.hex();
}

Result<void> LayoutStore::check_blob_path(const Digest& digest) const {
  if (digest.empty()) return fail(ErrorCategory::input, name() + ": descriptor without digest");
  fs::path blobs = root_ / kBlobsDir;
  fs::path alg = blobs / std::string(algorithm_name(digest.algorithm()));
  for (const fs::path& p : {blobs, alg, blob_path(digest)}) {
    auto r = detail::check_inside_layout(canonical_root_, p, name() + ": " + p.lexically_relative(root_).string());
    if (!r) return r;
  }
  return {};
}

Result<std::string> LayoutStore::read_verified(const Descriptor& desc, std::string_view kind) {
  if (auto r = check_blob_path(desc.digest); !r) return std::unexpected(r.error());
  if (desc.size < 0 || static_cast<std::size_t>(desc.size) > limits::kMaxManifestBytes) {
    return fail(ErrorCategory::input, std::string(kind) + " " + desc.digest.str() + " in " + name() + ": " +
                                          std::to_string(desc.size) + " bytes exceeds the limit of " +
                                          std::to_string(limits::kMaxManifestBytes));
  }
  MemorySink sink(limits::kMaxManifestBytes);
  if (auto r = detail::stream_blob_file(blob_path(desc.digest), desc, sink, name()); !r) {
    return std::unexpected(r.error());
  }
  return std::move(sink.bytes());
}

Result<Descriptor> LayoutStore::resolve(std::string_view tag_or_digest) {
  auto index = detail::read_layout_index(root_);
  if (!index) return std::unexpected(index.error());
  if (tag_or_digest.find(':') != std::string_view::npos) {
    auto digest = Digest::parse(tag_or_digest);
    if (!digest) return std::unexpected(digest.error().with_context(name()));
    if (auto i = index->find_digest(*digest)) return content_descriptor(index->entries[*i]);
    // Not an entry: maybe a child of an index, or a manifest stored without entry.
    if (auto r = check_blob_path(*digest); !r) return std::unexpected(r.error());
    struct stat st {};
    if (::stat(blob_path(*digest).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return fail(ErrorCategory::input, "manifest " + digest->str() + " not found in " + name());
    }
    Descriptor d;
    d.digest = *digest;
    d.size = st.st_size;
    auto raw = read_verified(d, "manifest");
    if (!raw) return std::unexpected(raw.error());
    auto mt = detect_manifest_media_type(*raw, "manifest " + digest->str() + " in " + name());
    if (!mt) return std::unexpected(mt.error());
    d.media_type = *mt;
    return d;
  }
  if (tag_or_digest.empty()) return fail(ErrorCategory::input, name() + ": empty tag");
  if (auto i = index->find_tag(tag_or_digest)) return content_descriptor(index->entries[*i]);
  return fail(ErrorCategory::input, "tag \"" + std::string(tag_or_digest) + "\" not found in " + name());
}

Result<std::string> LayoutStore::fetch_manifest(const Descriptor& desc) { return read_verified(desc, "manifest"); }

Result<void> LayoutStore::fetch_blob(const Descriptor& desc, BlobSink& sink) {
  if (auto r = check_blob_path(desc.digest); !r) return r;
  return detail::stream_blob_file(blob_path(desc.digest), desc, sink, name());
}

Result<bool> LayoutStore::has_blob(const Descriptor& desc) {
  if (auto r = check_blob_path(desc.digest); !r) return std::unexpected(r.error());
  struct stat st {};
  if (::stat(blob_path(desc.digest).c_str(), &st) != 0) return false;
  // A blob of the wrong size is damaged: report it absent so that a push replaces it.
  return S_ISREG(st.st_mode) && st.st_size == desc.size;
}

Result<bool> LayoutStore::has_manifest(const Descriptor& desc) { return has_blob(desc); }

Result<void> LayoutStore::push_blob(const Descriptor& desc, BlobSource& source) {
  auto present = has_blob(desc);
  if (!present) return std::unexpected(present.error());
  fs::path target = blob_path(desc.digest);
  if (*present) {
    // Refresh the mtime: garbage_collect() spares blobs touched after it started, so a
    // concurrent push that relies on this blob does not lose it.
    ::utimensat(AT_FDCWD, target.c_str(), nullptr, 0);
    return {};
  }
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return fail(ErrorCategory::internal, "create " + target.parent_path().string() + ": " + ec.message());
  // Temp files live in blobs/, not blobs/<alg>/, so tools listing blob directories (umoci gc)
  // never see a half-written blob; same filesystem, so the final rename stays atomic.
  return detail::write_blob_file(root_ / kBlobsDir, target, desc, source, name());
}

Result<Descriptor> LayoutStore::push_manifest(std::string_view raw, std::string_view media_type,
                                              std::optional<std::string> tag) {
  Digest digest = Digest::of(raw);
  std::string what = "push manifest " + digest.str() + " to " + name();
  if (tag && !is_valid_tag(*tag)) {
    return fail(ErrorCategory::input, what + ": invalid tag \"" + *tag + "\"");
  }
  if (raw.size() > limits::kMaxManifestBytes) {
    return fail(ErrorCategory::input, what + ": " + std::to_string(raw.size()) + " bytes exceeds the limit of " +
                                          std::to_string(limits::kMaxManifestBytes));
  }
  auto declared = declared_media_type(raw, what);
  if (!declared) return std::unexpected(declared.error());
  std::string mt(media_type);
  if (mt.empty()) {
    auto detected = detect_manifest_media_type(raw, what);
    if (!detected) return std::unexpected(detected.error());
    mt = *detected;
  } else if (!declared->empty() && *declared != mt) {
    return fail(ErrorCategory::input, what + ": content declares media type \"" + *declared + "\", pushed as \"" +
                                          mt + "\"");
  }
  auto parsed = parse_any(raw, mt, what);
  if (!parsed) return std::unexpected(parsed.error());
  if (auto r = push_blob_bytes(parsed->desc, raw); !r) return std::unexpected(r.error());

  Descriptor entry;
  entry.media_type = mt;
  entry.digest = digest;
  entry.size = static_cast<std::int64_t>(raw.size());
  // Referrer entries carry the artifact type, as oras writes them; images only an explicit one.
  entry.artifact_type = parsed->subject ? parsed->desc.artifact_type : parsed->artifact_type;

  // The index lock lives in its own file: index.json is replaced by rename, so a lock on it
  // would be held on an inode that the next writer no longer opens.
  auto lock = FileLock::acquire(root_ / kIndexLockFile);
  if (!lock) return std::unexpected(lock.error().with_context(what));
  // Checked under the lock, which garbage_collect() holds while it sweeps: a manifest never gets
  // an entry while its blobs are missing (as registries refuse it), and a collection that ran
  // between writing the manifest blob and taking the lock cannot leave the entry dangling.
  for (const auto& blob : parsed->blobs) {
    if (!blob.urls.empty()) continue;  // non-distributable layers live elsewhere
    auto has = has_blob(blob);
    if (!has) return std::unexpected(has.error().with_context(what));
    if (!*has) {
      return fail(ErrorCategory::input, what + ": blob " + blob.digest.str() + " is missing (push blobs first)");
    }
  }
  auto self = has_blob(parsed->desc);
  if (!self) return std::unexpected(self.error().with_context(what));
  if (!*self) {
    if (auto r = push_blob_bytes(parsed->desc, raw); !r) return std::unexpected(r.error());
  }
  auto index = detail::read_layout_index(root_);
  if (!index) return std::unexpected(index.error().with_context(what));
  bool changed = tag ? index->set_tag(entry, *tag) : index->add_untagged(entry);
  if (changed) {
    if (auto w = detail::write_layout_index(root_, *index); !w) return std::unexpected(w.error().with_context(what));
  }
  return parsed->desc;
}

Result<std::vector<std::string>> LayoutStore::tags() {
  auto index = detail::read_layout_index(root_);
  if (!index) return std::unexpected(index.error());
  return index->tags();
}

Result<std::vector<Descriptor>> LayoutStore::referrers(const Digest& subject, std::string_view artifact_type) {
  auto index = detail::read_layout_index(root_);
  if (!index) return std::unexpected(index.error());
  std::vector<Descriptor> out;
  std::set<std::string> seen;
  auto keep = [&](const Descriptor& d) {
    if (!seen.insert(d.digest.str()).second) return;
    if (artifact_type.empty() || d.artifact_type == artifact_type) out.push_back(d);
  };
  for (const auto& entry : index->entries) {
    if (!media_type::is_manifest(entry.media_type) && !media_type::is_index(entry.media_type)) continue;
    if (seen.contains(entry.digest.str())) continue;
    auto raw = read_verified(entry, "manifest");
    if (!raw) return std::unexpected(raw.error().with_context("referrers of " + subject.str()));
    auto parsed = parse_any(*raw, entry.media_type, "manifest " + entry.digest.str() + " in " + name());
    if (!parsed) return std::unexpected(parsed.error().with_context("referrers of " + subject.str()));
    if (parsed->subject && parsed->subject->digest == subject) keep(parsed->desc);
  }
  // Layouts written by tools that follow the registry fallback: an index tagged "<alg>-<hex>"
  // lists the referrers.
  if (auto i = index->find_tag(fallback_tag(subject))) {
    const Descriptor& entry = index->entries[*i];
    if (media_type::is_index(entry.media_type)) {
      auto raw = read_verified(entry, "manifest");
      if (!raw) return std::unexpected(raw.error().with_context("referrers of " + subject.str()));
      auto fallback = Index::parse(std::move(*raw), "referrers index " + entry.digest.str() + " in " + name());
      if (!fallback) return std::unexpected(fallback.error());
      for (const auto& d : fallback->manifests) keep(d);
    }
  }
  return out;
}

Result<GcStats> LayoutStore::garbage_collect() {
  struct timespec started {};
  // The coarse clock is the one file timestamps come from, so a file written after this
  // instant never carries an earlier mtime.
  ::clock_gettime(CLOCK_REALTIME_COARSE, &started);
  auto lock = FileLock::acquire(root_ / kIndexLockFile);
  if (!lock) return std::unexpected(lock.error().with_context("garbage-collect " + name()));
  auto index = detail::read_layout_index(root_);
  if (!index) return std::unexpected(index.error().with_context("garbage-collect " + name()));
  detail::ManifestReader reader = [this](const Descriptor& d) -> Result<std::optional<std::string>> {
    if (auto r = check_blob_path(d.digest); !r) return std::unexpected(r.error());
    struct stat st {};
    if (::stat(blob_path(d.digest).c_str(), &st) != 0) return std::optional<std::string>();
    auto raw = read_verified(d, "manifest");
    if (!raw) return std::unexpected(raw.error());
    return std::optional<std::string>(std::move(*raw));
  };
  auto reachable = detail::mark_reachable(*index, reader);
  if (!reachable) return std::unexpected(reachable.error().with_context("garbage-collect " + name()));
  auto stats = detail::sweep_layout(root_, *reachable, started);
  if (!stats) return std::unexpected(stats.error().with_context("garbage-collect " + name()));
  return stats;
}

}  // namespace sigil::oci
