#include "build/exec/fs_view.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <memory>

#include "common/file.hpp"

namespace sigil::build {
namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

Result<ArchivePtr> open_blob(const std::filesystem::path& blob) {
  ArchivePtr a(archive_read_new());
  if (!a) return fail(ErrorCategory::internal, "libarchive: out of memory");
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), blob.c_str(), 1 << 16) != ARCHIVE_OK) {
    return fail(ErrorCategory::input, "layer " + blob.filename().string() + ": " + archive_error_string(a.get()));
  }
  return a;
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Erases `path` and everything below it.
template <class Node>
void erase_tree(std::map<std::string, Node>& nodes, const std::string& path) {
  nodes.erase(path);
  std::string lo = path.empty() ? std::string() : path + "/";
  std::string hi = path.empty() ? std::string(1, '\x7f') : path + "0";  // '0' follows '/'
  nodes.erase(nodes.lower_bound(lo), nodes.lower_bound(hi));
}

}  // namespace

void FsView::add_blob(std::filesystem::path blob) {
  layers_.push_back(Layer{std::move(blob), {}, true});
  indexed_ = false;
}

void FsView::add_entries(std::vector<LayerEntry> entries) {
  layers_.push_back(Layer{{}, std::move(entries), false});
  indexed_ = false;
}

Result<void> FsView::index() {
  if (indexed_) return {};
  nodes_.clear();
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const auto& layer = layers_[i];
    if (!layer.is_blob) {
      for (const auto& e : layer.entries) {
        if (e.type != EntryType::directory) erase_tree(nodes_, e.path);
        nodes_[e.path] = Node{e, -1};
      }
      continue;
    }
    auto a = open_blob(layer.blob);
    if (!a) return std::unexpected(a.error());
    archive_entry* entry = nullptr;
    while (true) {
      int rc = archive_read_next_header(a->get(), &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN) {
        return fail(ErrorCategory::input, "layer " + layer.blob.filename().string() + ": " + archive_error_string(a->get()));
      }
      const char* name = archive_entry_pathname(entry);
      std::string path = clean_relative_path(name != nullptr ? name : "");
      if (path.empty()) continue;
      std::string base = base_of(path);
      std::string dir = parent_of(path);
      // OCI whiteouts: ".wh..wh..opq" hides what lower layers have in its directory,
      // ".wh.<name>" deletes <name> (and its subtree).
      if (base == ".wh..wh..opq") {
        std::string lo = dir.empty() ? std::string() : dir + "/";
        for (auto it = nodes_.lower_bound(lo); it != nodes_.end() && it->first.starts_with(lo);) {
          it = it->second.layer < static_cast<int>(i) ? nodes_.erase(it) : std::next(it);
        }
        continue;
      }
      if (base.starts_with(".wh.")) {
        erase_tree(nodes_, (dir.empty() ? "" : dir + "/") + base.substr(4));
        continue;
      }
      LayerEntry e;
      e.path = path;
      e.mode = archive_entry_perm(entry) & 07777;
      e.uid = static_cast<std::uint32_t>(archive_entry_uid(entry));
      e.gid = static_cast<std::uint32_t>(archive_entry_gid(entry));
      if (const char* hl = archive_entry_hardlink(entry); hl != nullptr) {
        e.type = EntryType::hardlink;
        e.link_target = clean_relative_path(hl);
      } else {
        switch (archive_entry_filetype(entry)) {
          case AE_IFDIR: e.type = EntryType::directory; break;
          case AE_IFLNK:
            e.type = EntryType::symlink;
            e.link_target = archive_entry_symlink(entry) != nullptr ? archive_entry_symlink(entry) : "";
            break;
          case AE_IFREG:
            e.type = EntryType::regular;
            e.size = static_cast<std::uint64_t>(archive_entry_size(entry));
            break;
          default: continue;  // devices, fifos: never copied
        }
      }
      if (e.type != EntryType::directory) erase_tree(nodes_, path);
      nodes_[path] = Node{std::move(e), static_cast<int>(i)};
    }
  }
  indexed_ = true;
  return {};
}

Result<std::optional<LayerEntry>> FsView::lookup(std::string_view absolute_path) {
  if (auto r = index(); !r) return std::unexpected(r.error());
  std::string path = clean_relative_path(absolute_path);
  if (path.empty()) {
    LayerEntry root;
    root.type = EntryType::directory;
    root.mode = 0755;
    return std::optional<LayerEntry>(root);
  }
  auto it = nodes_.find(path);
  if (it == nodes_.end()) return std::optional<LayerEntry>();
  return std::optional<LayerEntry>(it->second.entry);
}

Result<std::optional<LayerEntry>> FsView::lookup_follow(std::string_view absolute_path) {
  if (auto r = index(); !r) return std::unexpected(r.error());
  std::string remaining = clean_relative_path(absolute_path);
  std::string resolved;
  int hops = 0;
  while (!remaining.empty()) {
    auto slash = remaining.find('/');
    std::string part = remaining.substr(0, slash);
    remaining = slash == std::string::npos ? std::string() : remaining.substr(slash + 1);
    std::string candidate = resolved.empty() ? part : resolved + "/" + part;
    auto it = nodes_.find(candidate);
    if (it == nodes_.end()) return std::optional<LayerEntry>();
    if (it->second.entry.type == EntryType::symlink) {
      if (++hops > 40) return fail(ErrorCategory::input, "/" + candidate + ": too many levels of symbolic links");
      const std::string& target = it->second.entry.link_target;
      std::string joined = target.starts_with("/") ? target : (resolved.empty() ? "" : resolved + "/") + target;
      // Resolution stays inside the view: clean_relative_path drops any ".." above the root.
      remaining = clean_relative_path(remaining.empty() ? joined : joined + "/" + remaining);
      resolved.clear();
      continue;
    }
    resolved = candidate;
  }
  auto found = lookup("/" + resolved);
  if (!found || !*found) return found;
  (*found)->path = resolved;
  return found;
}

Result<std::vector<LayerEntry>> FsView::subtree(std::string_view absolute_dir) {
  if (auto r = index(); !r) return std::unexpected(r.error());
  std::string dir = clean_relative_path(absolute_dir);
  std::string prefix = dir.empty() ? std::string() : dir + "/";
  std::vector<LayerEntry> out;
  for (auto it = nodes_.lower_bound(prefix); it != nodes_.end() && it->first.starts_with(prefix); ++it) {
    LayerEntry e = it->second.entry;
    e.path = it->first.substr(prefix.size());
    if (e.type == EntryType::hardlink && e.link_target.starts_with(prefix)) e.link_target = e.link_target.substr(prefix.size());
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<std::string>> FsView::children(std::string_view absolute_dir) {
  auto all = subtree(absolute_dir);
  if (!all) return std::unexpected(all.error());
  std::vector<std::string> names;
  for (const auto& e : *all) {
    if (e.path.find('/') == std::string::npos) names.push_back(e.path);
  }
  return names;
}

Result<void> FsView::extract(int layer, const std::map<std::string, std::filesystem::path>& wanted) {
  auto a = open_blob(layers_[static_cast<std::size_t>(layer)].blob);
  if (!a) return std::unexpected(a.error());
  archive_entry* entry = nullptr;
  std::size_t found = 0;
  while (found < wanted.size() && archive_read_next_header(a->get(), &entry) == ARCHIVE_OK) {
    const char* name = archive_entry_pathname(entry);
    auto it = wanted.find(clean_relative_path(name != nullptr ? name : ""));
    if (it == wanted.end() || archive_entry_hardlink(entry) != nullptr) continue;
    ++found;
    int fd = ::open(it->second.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return std::unexpected(errno_error(ErrorCategory::internal, "create " + it->second.string(), errno));
    int rc = archive_read_data_into_fd(a->get(), fd);
    ::close(fd);
    if (rc != ARCHIVE_OK) return fail(ErrorCategory::input, "extract " + it->first + ": " + archive_error_string(a->get()));
  }
  return {};
}

Result<void> FsView::materialize(std::vector<LayerEntry>& entries, std::string_view absolute_dir) {
  if (auto r = index(); !r) return std::unexpected(r.error());
  std::string dir = clean_relative_path(absolute_dir);
  std::string prefix = dir.empty() ? std::string() : dir + "/";
  std::map<int, std::map<std::string, std::filesystem::path>> wanted;
  for (auto& e : entries) {
    if (e.type != EntryType::regular && e.type != EntryType::hardlink) continue;
    if (!std::holds_alternative<std::monostate>(e.content)) continue;
    std::string full = e.type == EntryType::hardlink ? e.link_target : prefix + e.path;
    if (e.type == EntryType::hardlink && !e.link_target.empty() && nodes_.count(prefix + e.link_target)) {
      full = prefix + e.link_target;
    }
    auto it = nodes_.find(full);
    if (it == nodes_.end()) continue;
    // Follow a hardlink to the regular file it names.
    if (it->second.entry.type == EntryType::hardlink) it = nodes_.find(it->second.entry.link_target);
    if (it == nodes_.end() || it->second.entry.type != EntryType::regular) continue;
    if (it->second.layer < 0) {
      e.content = it->second.entry.content;
    } else {
      auto& slot = wanted[it->second.layer];
      auto existing = slot.find(it->first);
      std::filesystem::path target = existing != slot.end() ? existing->second
                                                            : scratch_ / ("f" + std::to_string(extracted_++));
      slot.emplace(it->first, target);
      e.content = FileContent{target};
    }
    if (e.type == EntryType::hardlink) {
      e.type = EntryType::regular;
      e.size = it->second.entry.size;
      e.link_target.clear();
    }
  }
  for (const auto& [layer, files] : wanted) {
    if (auto r = extract(layer, files); !r) return std::unexpected(r.error());
  }
  return {};
}

Result<std::optional<std::string>> FsView::read_file(std::string_view absolute_path, std::size_t max_bytes) {
  auto e = lookup_follow(absolute_path);
  if (!e) return std::unexpected(e.error());
  if (!*e || (*e)->type != EntryType::regular || (*e)->size > max_bytes) return std::optional<std::string>();
  std::vector<LayerEntry> one{**e};
  one[0].path = (*e)->path;
  if (auto r = materialize(one, "/"); !r) return std::unexpected(r.error());
  if (auto* s = std::get_if<std::string>(&one[0].content)) return std::optional<std::string>(*s);
  if (auto* f = std::get_if<FileContent>(&one[0].content)) {
    auto text = sigil::read_file(f->path, max_bytes);
    if (!text) return std::unexpected(text.error());
    return std::optional<std::string>(*text);
  }
  return std::optional<std::string>();
}

}  // namespace sigil::build
