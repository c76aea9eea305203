#include "sbom/filetree/file_tree.hpp"

#include <algorithm>

#include "common/limits.hpp"
#include "sbom/filetree/detail/file_hash.hpp"

namespace sigil::sbom {
namespace {

std::vector<std::string> split_components(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    auto part = path.substr(start, slash - start);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::string normalize_tree_path(std::string_view path) {
  std::vector<std::string> stack;
  for (auto& part : split_components(path)) {
    if (part == "..") {
      if (!stack.empty()) stack.pop_back();
    } else {
      stack.push_back(std::move(part));
    }
  }
  std::string out;
  for (const auto& p : stack) out += "/" + p;
  return out.empty() ? "/" : out;
}

Result<std::string> FileTree::resolve(std::string_view path) const {
  // Components still to walk, in reverse so that a link's target can be pushed in front.
  std::vector<std::string> pending = split_components(path);
  std::reverse(pending.begin(), pending.end());
  std::vector<std::string> done;
  int hops = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    if (part == "..") {
      if (!done.empty()) done.pop_back();  // never above the root
      continue;
    }
    std::string current;
    for (const auto& d : done) current += "/" + d;
    current += "/" + part;
    auto entry = lstat(current);
    if (!entry || entry->kind != EntryKind::symlink) {
      done.push_back(std::move(part));
      continue;
    }
    if (++hops > limits::kMaxSymlinkHops) {
      return fail(ErrorCategory::input, std::string(path) + ": too many levels of symbolic links (a loop?)");
    }
    const std::string& target = entry->link_target;
    if (target.starts_with('/')) done.clear();  // absolute targets restart at the tree's root
    auto parts = split_components(target);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.push_back(*it);
  }
  std::string out;
  for (const auto& d : done) out += "/" + d;
  return out.empty() ? std::string("/") : out;
}

std::optional<Entry> FileTree::stat(std::string_view path) const {
  auto resolved = resolve(path);
  if (!resolved) return std::nullopt;
  return lstat(*resolved);
}

Result<std::string> FileTree::read(std::string_view path, std::size_t max_bytes) const {
  auto resolved = resolve(path);
  if (!resolved) return std::unexpected(resolved.error());
  auto entry = lstat(*resolved);
  if (!entry) return fail(ErrorCategory::input, std::string(path) + ": no such file");
  if (entry->kind != EntryKind::file) return fail(ErrorCategory::input, std::string(path) + ": not a regular file");
  if (entry->size > max_bytes) {
    return fail(ErrorCategory::input, std::string(path) + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  return read_resolved(*resolved, max_bytes);
}

Result<FileHashes> FileTree::hash_resolved(const std::string& path, std::size_t max_bytes) const {
  auto data = read_resolved(path, max_bytes);
  if (!data) return std::unexpected(data.error());
  return detail::hash_bytes(*data);
}

Result<FileHashes> FileTree::hash(std::string_view path, std::size_t max_bytes) const {
  auto resolved = resolve(path);
  if (!resolved) return std::unexpected(resolved.error());
  auto entry = lstat(*resolved);
  if (!entry) return fail(ErrorCategory::input, std::string(path) + ": no such file");
  if (entry->kind != EntryKind::file) return fail(ErrorCategory::input, std::string(path) + ": not a regular file");
  if (entry->size > max_bytes) {
    return fail(ErrorCategory::input, std::string(path) + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  return hash_resolved(*resolved, max_bytes);
}

}  // namespace sigil::sbom
