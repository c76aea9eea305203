#include "sbom/filetree/dir_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/file.hpp"
#include "sbom/filetree/detail/file_hash.hpp"

namespace sigil::sbom {
namespace {

// Filesystems that describe the running system rather than hold files: walking /proc or /sys of
// `dir:/` would read kernel state (and never end), as syft also avoids.
bool is_pseudo_filesystem(int fd) {
  struct statfs fs {};
  if (::fstatfs(fd, &fs) != 0) return false;
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0x9fa0UL:       // proc
    case 0x62656572UL:   // sysfs
    case 0x1cd1UL:       // devpts
    case 0x27e0ebUL:     // cgroup
    case 0x63677270UL:   // cgroup2
    case 0x64626720UL:   // debugfs
    case 0x74726163UL:   // tracefs
    case 0x73636673UL:   // securityfs
    case 0xcafe4a11UL:   // bpf
    case 0x42494e4dUL:   // binfmt_misc
    case 0x6e736673UL:   // nsfs
    case 0x19800202UL:   // mqueue
    case 0x958458f6UL:   // hugetlbfs
    case 0x67596969UL:   // rpc_pipefs
      return true;
    default:
      return false;
  }
}

// Smallest ELF file header (32-bit); smaller files are never looked at.
constexpr std::uint64_t kElfHeaderBytes = 52;

// Whether the regular file `name` in `dfd` starts with the ELF magic: four bytes read, which is
// cheap next to the stat the walk already made, and lets shared objects without the exec bit be
// recognised as syft recognises any ELF file. Unreadable files are simply "not known to be ELF".
bool starts_with_elf(int dfd, const char* name) {
  int fd = ::openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return false;
  char magic[4] = {};
  ssize_t n = ::pread(fd, magic, sizeof magic, 0);
  ::close(fd);
  return n == 4 && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
}

EntryKind kind_of(mode_t mode) {
  if (S_ISREG(mode)) return EntryKind::file;
  if (S_ISDIR(mode)) return EntryKind::directory;
  if (S_ISLNK(mode)) return EntryKind::symlink;
  return EntryKind::other;
}

std::string read_link_at(int dir_fd, const char* name) {
  std::string target(4096, '\0');
  ssize_t n = ::readlinkat(dir_fd, name, target.data(), target.size());
  if (n < 0) return "";
  target.resize(static_cast<std::size_t>(n));
  return target;
}

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  std::string norm = normalize_tree_path(path);
  std::size_t start = 1;
  while (start < norm.size()) {
    std::size_t slash = norm.find('/', start);
    if (slash == std::string::npos) slash = norm.size();
    out.push_back(norm.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

struct WalkState {
  const std::function<void(const std::string&, const Entry&)>& visit;
  const std::function<void(const std::string&, const std::string&)>& problem;
};

void walk_dir(int fd, const std::string& path, dev_t dev, WalkState& state, int depth) {
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    state.problem(path.empty() ? "/" : path, std::strerror(errno));
    return;
  }
  std::vector<std::string> names;
  while (dirent* d = ::readdir(dir)) {
    std::string_view n = d->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  std::sort(names.begin(), names.end());
  int dfd = ::dirfd(dir);
  for (const auto& name : names) {
    std::string child = path + "/" + name;
    struct stat st {};
    if (::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      state.problem(child, std::strerror(errno));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      if (depth >= 256) {
        state.problem(child, "directory nesting deeper than 256 levels, not walked");
        continue;
      }
      int cfd = ::openat(dfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (cfd < 0) {
        state.problem(child, std::strerror(errno));
        continue;
      }
      if (st.st_dev != dev && is_pseudo_filesystem(cfd)) {
        ::close(cfd);
        continue;
      }
      walk_dir(cfd, child, st.st_dev, state, depth + 1);
      continue;
    }
    Entry e;
    e.kind = kind_of(st.st_mode);
    e.size = static_cast<std::uint64_t>(st.st_size);
    e.mode = static_cast<std::uint32_t>(st.st_mode & 07777);
    if (e.kind == EntryKind::symlink) e.link_target = read_link_at(dfd, name.c_str());
    if (e.kind == EntryKind::file && e.size >= kElfHeaderBytes) e.elf = starts_with_elf(dfd, name.c_str());
    state.visit(child, e);
  }
  ::closedir(dir);
}

}  // namespace

Result<std::unique_ptr<DirTree>> DirTree::open(const std::filesystem::path& root) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(errno_error(ErrorCategory::input, "dir:" + root.string(), errno));
  return std::unique_ptr<DirTree>(new DirTree(root, fd));
}

DirTree::~DirTree() {
  if (root_fd_ >= 0) ::close(root_fd_);
}

int DirTree::open_parent(const std::string& path, std::string& last) const {
  auto parts = components(path);
  last.clear();
  int fd = ::dup(root_fd_);
  if (parts.empty() || fd < 0) return fd;
  last = parts.back();
  parts.pop_back();
  for (const auto& part : parts) {
    // O_NOFOLLOW + O_DIRECTORY refuses a symlink component: callers resolve links themselves.
    int next = ::openat(fd, part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    ::close(fd);
    if (next < 0) return -1;
    fd = next;
  }
  return fd;
}

std::optional<Entry> DirTree::lstat(const std::string& path) const {
  std::string last;
  int fd = open_parent(path, last);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  int rc = last.empty() ? ::fstat(fd, &st) : ::fstatat(fd, last.c_str(), &st, AT_SYMLINK_NOFOLLOW);
  std::optional<Entry> out;
  if (rc == 0) {
    Entry e;
    e.kind = kind_of(st.st_mode);
    e.size = static_cast<std::uint64_t>(st.st_size);
    e.mode = static_cast<std::uint32_t>(st.st_mode & 07777);
    if (e.kind == EntryKind::symlink) e.link_target = read_link_at(fd, last.c_str());
    if (e.kind == EntryKind::file && e.size >= kElfHeaderBytes && !last.empty()) e.elf = starts_with_elf(fd, last.c_str());
    out = e;
  }
  ::close(fd);
  return out;
}

std::vector<std::string> DirTree::list_dir(const std::string& dir) const {
  std::string last;
  int pfd = open_parent(dir, last);
  if (pfd < 0) return {};
  int fd = last.empty() ? ::openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                        : ::openat(pfd, last.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  ::close(pfd);
  if (fd < 0) return {};
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return {};
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

void DirTree::walk(const std::function<void(const std::string&, const Entry&)>& visit,
                   const std::function<void(const std::string&, const std::string&)>& problem) const {
  int fd = ::openat(root_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    problem("/", std::strerror(errno));
    return;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) st.st_dev = 0;
  WalkState state{visit, problem};
  walk_dir(fd, "", st.st_dev, state, 0);
}

Result<int> DirTree::open_regular(const std::string& path, std::size_t max_bytes) const {
  std::string last;
  int pfd = open_parent(path, last);
  if (pfd < 0 || last.empty()) {
    if (pfd >= 0) ::close(pfd);
    return fail(ErrorCategory::input, path + ": no such file");
  }
  // O_NONBLOCK: a FIFO in the tree must not hang the catalog; fstat below refuses it anyway.
  int fd = ::openat(pfd, last.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  int err = errno;
  ::close(pfd);
  if (fd < 0) return std::unexpected(errno_error(ErrorCategory::input, path, err));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorCategory::input, path + ": not a regular file");
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return fail(ErrorCategory::input, path + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  return fd;
}

Result<void> DirTree::read_chunks(const std::string& path, std::size_t max_bytes,
                                  const std::function<void(std::string_view)>& chunk) const {
  auto fd = open_regular(path, max_bytes);
  if (!fd) return std::unexpected(fd.error());
  std::size_t total = 0;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(*fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(*fd);
      return std::unexpected(errno_error(ErrorCategory::input, path, err));
    }
    if (n == 0) break;
    // The file may grow after fstat: the limit holds for what is actually read.
    total += static_cast<std::size_t>(n);
    if (total > max_bytes) {
      ::close(*fd);
      return fail(ErrorCategory::input, path + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
    chunk(std::string_view(buffer, static_cast<std::size_t>(n)));
  }
  ::close(*fd);
  return {};
}

Result<std::string> DirTree::read_resolved(const std::string& path, std::size_t max_bytes) const {
  std::string out;
  auto read = read_chunks(path, max_bytes, [&](std::string_view bytes) { out.append(bytes); });
  if (!read) return std::unexpected(read.error());
  return out;
}

Result<FileHashes> DirTree::hash_resolved(const std::string& path, std::size_t max_bytes) const {
  // Streamed: a binary is hashed without ever being held in memory.
  detail::FileHasher hasher;
  auto read = read_chunks(path, max_bytes, [&](std::string_view bytes) { hasher.update(bytes); });
  if (!read) return std::unexpected(read.error());
  return hasher.finish();
}

}  // namespace sigil::sbom
