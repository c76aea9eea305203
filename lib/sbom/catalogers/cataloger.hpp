// The cataloger contract: one ecosystem each (dpkg, python, npm, apk...), in one file each.
// The catalog run walks the tree once, hands every cataloger the paths it matches, and
// collects packages, relationships and warnings into the inventory. A cataloger never fails
// the run: bad input becomes a warning and the entry is skipped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbom/distro.hpp"
#include "sbom/filetree/file_tree.hpp"
#include "sbom/model.hpp"

namespace sigil::sbom {

/// What a cataloger works with.
struct CatalogContext {
  const FileTree& tree;
  const std::optional<Distro>& distro;
  Inventory& inventory;

  /// A location of `path` in the tree, with the layer that introduced the file (links followed).
  [[nodiscard]] Location location(const std::string& path) const;
  /// Records a warning from `source` about `path`.
  void warn(std::string_view source, const std::string& path, const std::string& message) const {
    inventory.warn(std::string(source), path, message);
  }
};

class Cataloger {
 public:
  virtual ~Cataloger() = default;
  /// Name as syft names it ("dpkg-db-cataloger"), shown as the package's foundBy.
  [[nodiscard]] virtual std::string_view name() const = 0;
  /// True for a regular file that is this cataloger's starting point ("/var/lib/dpkg/status").
  [[nodiscard]] virtual bool matches(std::string_view path) const = 0;
  /// True for any file this cataloger may read (matches plus side files such as dpkg's
  /// info/*.list); image trees keep these in memory while their layer streams by.
  [[nodiscard]] virtual bool reads(std::string_view path) const { return matches(path); }
  /// Like matches, for catalogers whose starting points are recognized by what a file is rather
  /// than by its name (Go and Rust binaries: any executable regular file, checked for ELF when
  /// read). `entry` is the file's lstat entry (mode, size). The catalog run asks this, not
  /// matches. Default: matches(path).
  [[nodiscard]] virtual bool matches_entry(std::string_view path, const Entry& entry) const {
    (void)entry;
    return matches(path);
  }
  /// For a cataloger that reads ELF sections of the files it matches by entry: the names of
  /// those it needs from `content` (which may be empty or not ELF). Image trees keep only these
  /// sections of such files (an ELF excerpt) rather than whole binaries, so memory stays bounded.
  /// Default: nullopt, this cataloger reads no ELF sections.
  [[nodiscard]] virtual std::optional<std::vector<std::string>> elf_sections(std::string_view content) const {
    (void)content;
    return std::nullopt;
  }
  /// Catalogs the matched paths (sorted) into ctx.inventory. Package ids set here need only be
  /// unique within the run; relationships refer to them and finalize() rewrites them.
  virtual void catalog(const CatalogContext& ctx, const std::vector<std::string>& matches) const = 0;
};

}  // namespace sigil::sbom
