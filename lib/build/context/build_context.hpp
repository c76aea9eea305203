// A local directory build context: resolves COPY/ADD source paths as BuildKit does (never
// leaving the context root, whatever `..` or symlinks say) and collects the selected files as
// layer entries, applying .dockerignore and COPY --exclude.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "build/context/dockerignore.hpp"
#include "build/layer/layer_entry.hpp"
#include "common/error.hpp"

namespace sigil::build {

/// One source matched by a COPY/ADD source pattern.
struct ResolvedSource {
  /// Path relative to the context root with every symlink resolved inside the root ("" = root).
  std::string path;
  /// The name the source had where it was matched (its base name), used under a directory dest.
  std::string name;
  /// True for a directory (after following symlinks).
  bool is_dir = false;
};

/// A directory used as build context. Thread-safe for concurrent const calls.
class BuildContext {
 public:
  /// Opens `root` (must be a directory) with the .dockerignore patterns that apply to it.
  [[nodiscard]] static Result<BuildContext> open(const std::filesystem::path& root,
                                                 const std::vector<std::string>& ignore_patterns);
  BuildContext(BuildContext&&) noexcept;
  BuildContext& operator=(BuildContext&&) noexcept;
  ~BuildContext();

  [[nodiscard]] const std::filesystem::path& root() const;

  /// Resolves one source as written in a COPY/ADD: leading '/' and parent navigation are
  /// stripped ("../../x" → "x"), wildcards (`*`, `?`, `[...]`, Go filepath.Match) select
  /// entries in lexical order (possibly none: the planner decides whether that is an error),
  /// and symlinks along the path resolve inside the root (a link to /etc/passwd means
  /// ROOT/etc/passwd). Input error naming the source when a non-wildcard path does not exist
  /// or is excluded by .dockerignore.
  [[nodiscard]] Result<std::vector<ResolvedSource>> resolve_source(std::string_view source) const;

  /// Collects a resolved source as entries. A directory yields its contents (paths relative to
  /// it, the directory's own metadata in `self`); a file yields one entry named `name`.
  /// Symlinks inside directories stay symlinks (dangling ones too), hardlinks within the source
  /// become hardlink entries, modes and security.capability are kept, owners become 0:0 (as
  /// BuildKit's file sync resets them);
  /// .dockerignore (relative to the root) and `excludes` (COPY --exclude, relative to the
  /// source) drop entries. Sockets, fifos and devices are skipped.
  [[nodiscard]] Result<CollectedSource> collect(const ResolvedSource& source,
                                                const std::vector<std::string>& excludes = {}) const;

 private:
  struct Impl;
  explicit BuildContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sigil::build
