// Symlink resolution confined to a root directory (the semantics of containerd's fs.RootPath):
// every link is followed as if the root were '/', so nothing outside the root is ever reached.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace sigil::build::detail {

/// What resolution found.
struct Resolved {
  std::string path;  ///< relative to the root, clean, no symlinks; "" is the root itself
  bool exists = false;
  bool is_dir = false;
};

/// Decides whether a real path (relative to the root) is visible; resolution stops with
/// "not found" at the first path for which it returns false (e.g. excluded by .dockerignore).
using Visible = std::function<bool(std::string_view path, bool is_dir)>;

/// Resolves `path` (relative, may contain "..", "." and symlinks anywhere) inside `root`,
/// following a final symlink too when `follow_last`. A missing component gives exists=false
/// (not an error); input error after 255 links (a loop) and internal error for I/O failures.
[[nodiscard]] Result<Resolved> resolve_in_root(const std::filesystem::path& root, std::string_view path,
                                               bool follow_last, const Visible& visible);

}  // namespace sigil::build::detail
