// One catalog run: detect the distro, walk the tree once, run the catalogers on their matches,
// link packages whose files another package owns (a Python distribution installed by a deb),
// and finalize the inventory (merged duplicates, stable ids, sorted).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sbom/catalogers/cataloger.hpp"
#include "sbom/filetree/file_tree.hpp"
#include "sbom/model.hpp"

namespace sigil::sbom {

/// True when some cataloger (or distro detection) may read `path`: the predicate to give
/// ImageTree::build so those files stay in memory.
[[nodiscard]] bool wanted_by(const std::vector<std::unique_ptr<Cataloger>>& catalogers, const std::string& path);

/// For ImageTree::build's `excerpt`: when catalogers match the regular file `path` by `entry` and
/// read ELF sections of it, a function reducing its content to an ELF file holding only those
/// sections (empty for content that is not ELF or has none of them); else an empty function.
[[nodiscard]] std::function<std::string(std::string_view)> elf_excerpt_for(
    const std::vector<std::unique_ptr<Cataloger>>& catalogers, const std::string& path, const Entry& entry);

/// Catalogs `tree` with `catalogers` into an inventory for `subject`. `warnings` (from building
/// the tree) are carried into the inventory. Never fails: problems become warnings.
[[nodiscard]] Inventory catalog(const FileTree& tree, Subject subject,
                                const std::vector<std::unique_ptr<Cataloger>>& catalogers,
                                std::vector<Warning> warnings = {});

}  // namespace sigil::sbom
