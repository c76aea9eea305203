// A FileTree over a directory on disk (`dir:PATH`). Every lookup walks from the root's file
// descriptor one component at a time with O_NOFOLLOW, so no link on disk is ever followed by
// the kernel: links are resolved by FileTree::resolve inside the root only.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "sbom/filetree/file_tree.hpp"

namespace sigil::sbom {

class DirTree final : public FileTree {
 public:
  /// Opens `root` (input error when it is not a readable directory).
  [[nodiscard]] static Result<std::unique_ptr<DirTree>> open(const std::filesystem::path& root);
  ~DirTree() override;
  DirTree(const DirTree&) = delete;
  DirTree& operator=(const DirTree&) = delete;

  [[nodiscard]] std::string describe() const override { return "dir:" + root_.string(); }
  [[nodiscard]] std::optional<Entry> lstat(const std::string& path) const override;
  [[nodiscard]] std::vector<std::string> list_dir(const std::string& dir) const override;
  /// Skips pseudo filesystems (proc, sysfs, devpts, cgroup...) met below the root.
  void walk(const std::function<void(const std::string&, const Entry&)>& visit,
            const std::function<void(const std::string&, const std::string&)>& problem) const override;
  [[nodiscard]] Result<std::string> read_resolved(const std::string& path, std::size_t max_bytes) const override;
  /// Streams the file through the hasher, never holding it whole.
  [[nodiscard]] Result<FileHashes> hash_resolved(const std::string& path, std::size_t max_bytes) const override;

 private:
  DirTree(std::filesystem::path root, int fd) : root_(std::move(root)), root_fd_(fd) {}
  /// An O_PATH descriptor of the directory holding `path`'s last component (-1 when missing);
  /// `last` receives that component ("" for the root itself).
  [[nodiscard]] int open_parent(const std::string& path, std::string& last) const;
  /// A read descriptor of the regular file `path` (no links followed), at most max_bytes long.
  [[nodiscard]] Result<int> open_regular(const std::string& path, std::size_t max_bytes) const;
  /// Hands the file's bytes to `chunk` piece by piece (input error beyond max_bytes).
  [[nodiscard]] Result<void> read_chunks(const std::string& path, std::size_t max_bytes,
                                         const std::function<void(std::string_view)>& chunk) const;

  std::filesystem::path root_;
  int root_fd_ = -1;
};

}  // namespace sigil::sbom
