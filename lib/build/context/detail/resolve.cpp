// lstat-based resolution: each component is examined with lstat below an already resolved,
// symlink-free directory, and a link's target is spliced into the remaining components with
// absolute targets restarting at the root. ".." never climbs above the root.
#include "build/context/detail/resolve.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <vector>

namespace sigil::build::detail {

namespace {

constexpr int kMaxLinks = 255;

void push_components(std::deque<std::string>& queue, std::string_view path, bool front) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (front) {
    queue.insert(queue.begin(), parts.begin(), parts.end());
  } else {
    queue.insert(queue.end(), parts.begin(), parts.end());
  }
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

}  // namespace

Result<Resolved> resolve_in_root(const std::filesystem::path& root, std::string_view path, bool follow_last,
                                 const Visible& visible) {
  std::deque<std::string> pending;
  push_components(pending, path, false);
  std::vector<std::string> done;  // resolved components: each a real directory (or the last entry)
  int links = 0;
  Resolved result;
  result.exists = true;
  result.is_dir = true;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      result.is_dir = true;  // ".." only ever follows a directory
      continue;
    }
    done.push_back(part);
    const std::string rel = join(done);
    const std::string full = (root / rel).string();
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0) {
      const int err = errno;
      if (err == ENOENT || err == ENOTDIR || err == ENAMETOOLONG) return Resolved{rel, false, false};
      return fail(ErrorCategory::internal, "lstat " + full + ": " + std::strerror(err));
    }
    const bool last = pending.empty();
    if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
      if (!visible(rel, false)) return Resolved{rel, false, false};
      if (++links > kMaxLinks) return fail(ErrorCategory::input, "too many levels of symbolic links at " + rel);
      std::string target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
      const ssize_t n = ::readlink(full.c_str(), target.data(), target.size());
      if (n < 0) return fail(ErrorCategory::internal, "readlink " + full + ": " + std::strerror(errno));
      target.resize(static_cast<std::size_t>(n));
      done.pop_back();
      if (!target.empty() && target.front() == '/') done.clear();  // absolute: from the root
      push_components(pending, target, true);
      continue;
    }
    const bool is_dir = S_ISDIR(st.st_mode);
    if (!visible(rel, is_dir)) return Resolved{rel, false, false};
    if (!last && !is_dir) return Resolved{rel, false, false};  // a file used as a directory
    result.is_dir = is_dir;
  }
  result.path = join(done);
  return result;
}

}  // namespace sigil::build::detail
