#include "oci/detail/layout_gc.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>

#include "common/file.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"

namespace sigil::oci::detail {
namespace fs = std::filesystem;
namespace {

bool before(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

bool is_temp_name(const std::string& name) { return name.rfind(".tmp-", 0) == 0; }

// Removes `path` when it is a regular file older than `started`; adds it to `stats` when counted.
Result<void> remove_if_old(const fs::path& path, const struct timespec& started, GcStats* stats) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};  // gone meanwhile
  if (!S_ISREG(st.st_mode) || !before(st.st_mtim, started)) return {};
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return std::unexpected(errno_error(ErrorCategory::internal, "remove " + path.string(), errno));
  }
  if (stats != nullptr) {
    stats->blobs_removed += 1;
    stats->bytes_removed += static_cast<std::uint64_t>(st.st_size);
  }
  return {};
}

Result<void> sweep_temps(const fs::path& dir, const struct timespec& started) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (is_temp_name(it->path().filename().string())) {
      if (auto r = remove_if_old(it->path(), started, nullptr); !r) return r;
    }
  }
  return {};
}

}  // namespace

Result<std::set<std::string>> mark_reachable(const LayoutIndex& index, const ManifestReader& read) {
  std::set<std::string> marked;
  std::deque<Descriptor> queue(index.entries.begin(), index.entries.end());
  while (!queue.empty()) {
    Descriptor d = std::move(queue.front());
    queue.pop_front();
    if (!marked.insert(d.digest.str()).second) continue;
    bool manifest = media_type::is_manifest(d.media_type);
    if (!manifest && !media_type::is_index(d.media_type)) continue;
    auto raw = read(d);
    if (!raw) return std::unexpected(raw.error());
    if (!*raw) continue;
    std::string what = "manifest " + d.digest.str();
    if (manifest) {
      auto m = Manifest::parse(std::move(**raw), what);
      if (!m) return std::unexpected(m.error());
      queue.push_back(m->config);
      queue.insert(queue.end(), m->layers.begin(), m->layers.end());
    } else {
      auto idx = Index::parse(std::move(**raw), what);
      if (!idx) return std::unexpected(idx.error());
      queue.insert(queue.end(), idx->manifests.begin(), idx->manifests.end());
    }
  }
  return marked;
}

Result<GcStats> sweep_layout(const fs::path& root, const std::set<std::string>& reachable,
                             const struct timespec& started) {
  GcStats stats;
  if (auto r = sweep_temps(root, started); !r) return std::unexpected(r.error());
  fs::path blobs = root / kBlobsDir;
  std::error_code ec;
  for (fs::directory_iterator it(blobs, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (is_temp_name(name)) {
      if (auto r = remove_if_old(it->path(), started, nullptr); !r) return std::unexpected(r.error());
      continue;
    }
    std::error_code type_ec;
    if (!it->is_directory(type_ec) || it->is_symlink(type_ec)) continue;
    std::error_code inner_ec;
    for (fs::directory_iterator blob(it->path(), inner_ec), blob_end; !inner_ec && blob != blob_end;
         blob.increment(inner_ec)) {
      std::string hex = blob->path().filename().string();
      if (is_temp_name(hex)) {
        if (auto r = remove_if_old(blob->path(), started, nullptr); !r) return std::unexpected(r.error());
        continue;
      }
      auto digest = Digest::parse(name + ":" + hex);
      if (!digest || reachable.contains(digest->str())) continue;
      if (auto r = remove_if_old(blob->path(), started, &stats); !r) return std::unexpected(r.error());
    }
    if (inner_ec) return fail(ErrorCategory::internal, "list " + it->path().string() + ": " + inner_ec.message());
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return fail(ErrorCategory::internal, "list " + blobs.string() + ": " + ec.message());
  }
  return stats;
}

}  // namespace sigil::oci::detail
