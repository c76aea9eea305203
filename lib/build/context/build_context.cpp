// Directory build contexts: BuildKit's source resolution (fsutil copy: parent navigation
// stripped, wildcards via filepath.Match, symlinks followed inside the context) and the walk
// that turns a source into layer entries (fsutil's filtered walk for .dockerignore, the
// copier's exclude patterns for COPY --exclude).
#include "build/context/build_context.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <system_error>

#include "build/context/detail/glob.hpp"
#include "build/context/detail/resolve.hpp"

namespace sigil::build {

namespace {

std::string join(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  if (name.empty()) return std::string(dir);
  return std::string(dir) + "/" + std::string(name);
}

std::string base_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// Names in a directory, sorted bytewise (as Go's os.ReadDir returns them).
Result<std::vector<std::string>> list_dir(const std::string& full) {
  DIR* dir = ::opendir(full.c_str());
  if (dir == nullptr) return fail(ErrorCategory::input, "read directory " + full + ": " + std::strerror(errno));
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int err = errno;
  ::closedir(dir);
  if (err != 0) return fail(ErrorCategory::input, "read directory " + full + ": " + std::strerror(err));
  std::sort(names.begin(), names.end());
  return names;
}

// Reads security.capability (the only xattr a layer keeps) without following links.
Result<void> read_capability(const std::string& full, LayerEntry& entry) {
  const std::string name(kCapabilityXattr);
  std::string value(64, '\0');
  ssize_t n = ::lgetxattr(full.c_str(), name.c_str(), value.data(), value.size());
  if (n < 0 && errno == ERANGE) {
    n = ::lgetxattr(full.c_str(), name.c_str(), nullptr, 0);
    if (n > 0) {
      value.resize(static_cast<std::size_t>(n));
      n = ::lgetxattr(full.c_str(), name.c_str(), value.data(), value.size());
    }
  }
  if (n < 0) {
    if (errno == ENODATA || errno == ENOTSUP || errno == EPERM) return {};
    return fail(ErrorCategory::input, "read xattrs of " + full + ": " + std::strerror(errno));
  }
  value.resize(static_cast<std::size_t>(n));
  entry.xattrs[name] = std::move(value);
  return {};
}

struct Inode {
  dev_t dev;
  ino_t ino;
  auto operator<=>(const Inode&) const = default;
};

// An entry plus what hardlink detection needs.
struct Collected {
  LayerEntry entry;
  Inode inode{};
  bool multi_link = false;
};

// Turns an lstat result into an entry; nullopt for types that never reach a layer.
Result<std::optional<Collected>> make_entry(const std::string& full, std::string path, const struct stat& st) {
  Collected out;
  LayerEntry& entry = out.entry;
  entry.path = std::move(path);
  entry.mode = static_cast<std::uint32_t>(st.st_mode) & 07777;
  // BuildKit's file sync resets every owner of a local context to 0:0 (resetUIDAndGID), so a
  // checkout owned by anyone builds the same layer; --chown then sets the owner explicitly.
  entry.uid = 0;
  entry.gid = 0;
  if (S_ISREG(st.st_mode)) {
    entry.type = EntryType::regular;
    entry.size = static_cast<std::uint64_t>(st.st_size);
    entry.content = FileContent{full};
    out.inode = Inode{st.st_dev, st.st_ino};
    out.multi_link = st.st_nlink > 1;
    if (auto cap = read_capability(full, entry); !cap) return std::unexpected(cap.error());
  } else if (S_ISDIR(st.st_mode)) {
    entry.type = EntryType::directory;
  } else if (S_ISLNK(st.st_mode)) {
    entry.type = EntryType::symlink;
    std::string target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
    const ssize_t n = ::readlink(full.c_str(), target.data(), target.size());
    if (n < 0) return fail(ErrorCategory::input, "readlink " + full + ": " + std::strerror(errno));
    target.resize(static_cast<std::size_t>(n));
    entry.link_target = std::move(target);
  } else {
    return std::optional<Collected>{};  // sockets, fifos, devices: not part of a build context copy
  }
  return std::optional<Collected>{std::move(out)};
}

}  // namespace

struct BuildContext::Impl {
  std::filesystem::path root;
  PatternMatcher ignore;

  // Whether a real path exists in the context as BuildKit would see it after .dockerignore.
  [[nodiscard]] bool visible(std::string_view path, bool is_dir) const {
    if (path.empty() || ignore.empty()) return true;
    if (!ignore.excluded(path)) return true;
    return is_dir && ignore.walk_excluded_dir(path);
  }

  // Walks `dir` (context-relative real path) collecting entries relative to `base`.
  // Returns whether anything below was kept, so excluded directories appear only as parents.
  Result<bool> walk(const std::string& dir, const std::string& rel_dir, const PatternMatcher& excludes,
                    std::vector<Collected>& out) const {
    const std::string full_dir = (root / dir).string();
    auto names = list_dir(full_dir);
    if (!names) return std::unexpected(names.error());
    bool kept_any = false;
    for (const std::string& name : *names) {
      const std::string path = join(dir, name);
      const std::string rel = join(rel_dir, name);
      const std::string full = (root / path).string();
      struct stat st {};
      if (::lstat(full.c_str(), &st) != 0) {
        if (errno == ENOENT) continue;  // removed while walking
        return fail(ErrorCategory::input, "lstat " + full + ": " + std::strerror(errno));
      }
      const bool is_dir = S_ISDIR(st.st_mode);
      const bool ignored = !ignore.empty() && ignore.excluded(path);
      const bool excluded = !excludes.empty() && excludes.excluded(rel);
      if (ignored || excluded) {
        const bool walk_on = is_dir && (!ignored || ignore.walk_excluded_dir(path)) &&
                             (!excluded || excludes.walk_excluded_dir(rel));
        if (!walk_on) continue;
        // Kept only as the parent of something re-included below it.
        const std::size_t mark = out.size();
        auto made = make_entry(full, rel, st);
        if (!made) return std::unexpected(made.error());
        out.push_back(std::move(**made));
        auto below = walk(path, rel, excludes, out);
        if (!below) return std::unexpected(below.error());
        if (!*below) {
          out.resize(mark);
        } else {
          kept_any = true;
        }
        continue;
      }
      auto made = make_entry(full, rel, st);
      if (!made) return std::unexpected(made.error());
      if (!*made) continue;
      out.push_back(std::move(**made));
      kept_any = true;
      if (is_dir) {
        auto below = walk(path, rel, excludes, out);
        if (!below) return std::unexpected(below.error());
      }
    }
    return kept_any;
  }
};

BuildContext::BuildContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BuildContext::BuildContext(BuildContext&&) noexcept = default;
BuildContext& BuildContext::operator=(BuildContext&&) noexcept = default;
BuildContext::~BuildContext() = default;

const std::filesystem::path& BuildContext::root() const { return impl_->root; }

Result<BuildContext> BuildContext::open(const std::filesystem::path& root,
                                        const std::vector<std::string>& ignore_patterns) {
  std::error_code ec;
  auto canonical = std::filesystem::canonical(root, ec);
  if (ec) return fail(ErrorCategory::input, "build context " + root.string() + ": " + ec.message());
  if (!std::filesystem::is_directory(canonical, ec)) {
    return fail(ErrorCategory::input, "build context " + root.string() + ": not a directory");
  }
  auto matcher = PatternMatcher::create(ignore_patterns);
  if (!matcher) return std::unexpected(matcher.error().with_context(".dockerignore"));
  auto impl = std::make_unique<Impl>();
  impl->root = std::move(canonical);
  impl->ignore = std::move(*matcher);
  return BuildContext(std::move(impl));
}

Result<std::vector<ResolvedSource>> BuildContext::resolve_source(std::string_view source) const {
  const std::string cleaned = clean_relative_path(source);
  const detail::Visible visible = [this](std::string_view path, bool is_dir) { return impl_->visible(path, is_dir); };
  const std::string quoted = "\"" + std::string(source) + "\"";
  if (!detail::has_wildcards(cleaned)) {
    auto resolved = detail::resolve_in_root(impl_->root, cleaned, true, visible);
    if (!resolved) return std::unexpected(resolved.error().with_context("source " + quoted));
    if (!resolved->exists) {
      return fail(ErrorCategory::input, "source " + quoted + " not found in the build context" +
                                            (impl_->ignore.empty() ? "" : " (after .dockerignore)"));
    }
    std::string name = cleaned.empty() ? std::string() : base_name(cleaned);
    return std::vector<ResolvedSource>{ResolvedSource{resolved->path, std::move(name), resolved->is_dir}};
  }
  // Split at the first component holding a wildcard: the literal prefix resolves like a plain
  // source, the rest is matched with filepath.Match against paths below it.
  std::string prefix;
  std::string rest;
  {
    std::size_t pos = 0;
    bool found = false;
    while (pos <= cleaned.size()) {
      std::size_t end = cleaned.find('/', pos);
      if (end == std::string::npos) end = cleaned.size();
      std::string_view part = std::string_view(cleaned).substr(pos, end - pos);
      if (!found && detail::has_wildcards(part)) found = true;
      std::string& into = found ? rest : prefix;
      if (!into.empty()) into += '/';
      into += part;
      pos = end + 1;
    }
  }
  auto glob = detail::Glob::compile(rest, detail::Glob::Dialect::filepath);
  if (!glob) return std::unexpected(glob.error().with_context("source " + quoted));
  const auto depth = static_cast<std::size_t>(std::count(rest.begin(), rest.end(), '/')) + 1;
  auto base = detail::resolve_in_root(impl_->root, prefix, true, visible);
  if (!base) return std::unexpected(base.error().with_context("source " + quoted));
  std::vector<ResolvedSource> matches;
  if (!base->exists || !base->is_dir) return matches;
  // Depth-first in lexical order, never following links, down to the pattern's depth.
  std::vector<std::string> found;
  auto visit = [&](auto&& self, const std::string& rel, std::size_t level) -> Result<void> {
    auto names = list_dir((impl_->root / join(base->path, rel)).string());
    if (!names) return std::unexpected(names.error());
    for (const std::string& name : *names) {
      const std::string child = join(rel, name);
      const std::string real = join(base->path, child);
      struct stat st {};
      if (::lstat((impl_->root / real).string().c_str(), &st) != 0) continue;
      const bool is_dir = S_ISDIR(st.st_mode);
      if (!impl_->visible(real, is_dir)) continue;
      if (glob->match(child)) {
        found.push_back(child);
        continue;  // a matched directory is copied whole, not searched further
      }
      if (is_dir && level + 1 < depth) {
        if (auto r = self(self, child, level + 1); !r) return r;
      }
    }
    return {};
  };
  if (auto r = visit(visit, "", 0); !r) return std::unexpected(r.error().with_context("source " + quoted));
  for (const std::string& child : found) {
    auto resolved = detail::resolve_in_root(impl_->root, join(base->path, child), true, visible);
    if (!resolved) return std::unexpected(resolved.error().with_context("source " + quoted));
    if (!resolved->exists) continue;  // a dangling link matched by a wildcard: nothing to copy
    matches.push_back(ResolvedSource{resolved->path, base_name(child), resolved->is_dir});
  }
  return matches;
}

Result<CollectedSource> BuildContext::collect(const ResolvedSource& source,
                                              const std::vector<std::string>& excludes) const {
  auto exclude_matcher = PatternMatcher::create(excludes);
  if (!exclude_matcher) return std::unexpected(exclude_matcher.error().with_context("--exclude"));
  const std::string full = (impl_->root / source.path).string();
  struct stat st {};
  if (::lstat(full.c_str(), &st) != 0) {
    return fail(ErrorCategory::input, "source \"" + source.path + "\": " + std::strerror(errno));
  }
  CollectedSource out;
  if (!S_ISDIR(st.st_mode)) {
    auto made = make_entry(full, source.name.empty() ? base_name(source.path) : source.name, st);
    if (!made) return std::unexpected(made.error());
    if (!*made) return fail(ErrorCategory::input, "source \"" + source.path + "\": not a regular file, directory or link");
    out.entries.push_back(std::move((*made)->entry));
    return out;
  }
  out.is_dir = true;
  auto self = make_entry(full, source.name, st);
  if (!self) return std::unexpected(self.error());
  out.self = std::move((*self)->entry);
  std::vector<Collected> collected;
  auto walked = impl_->walk(source.path, "", *exclude_matcher, collected);
  if (!walked) return std::unexpected(walked.error());
  // Hardlinks: the first path in layer order keeps the content, later ones link to it.
  std::sort(collected.begin(), collected.end(),
            [](const Collected& a, const Collected& b) { return a.entry.path < b.entry.path; });
  std::map<Inode, std::string> first;
  out.entries.reserve(collected.size());
  for (Collected& item : collected) {
    if (item.multi_link && item.entry.type == EntryType::regular) {
      auto [it, inserted] = first.emplace(item.inode, item.entry.path);
      if (!inserted) {
        item.entry.type = EntryType::hardlink;
        item.entry.link_target = it->second;
        item.entry.size = 0;
        item.entry.content = std::monostate{};
      }
    }
    out.entries.push_back(std::move(item.entry));
  }
  return out;
}

}  // namespace sigil::build
