// Helpers for cataloger tests: run one cataloger over a directory, find packages by name (and
// version), list a package's depends-on targets, and write fixture files.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sbom/catalog.hpp"
#include "sbom/catalogers/cataloger.hpp"
#include "sbom/filetree/dir_tree.hpp"

namespace sigil::test {

/// Catalogs `root` with `cataloger` alone, as a directory (dir:) or as if it were an image tree.
inline sbom::Inventory run_cataloger(std::unique_ptr<sbom::Cataloger> cataloger, const std::filesystem::path& root,
                                     sbom::Subject::Kind kind = sbom::Subject::Kind::directory) {
  std::vector<std::unique_ptr<sbom::Cataloger>> catalogers;
  catalogers.push_back(std::move(cataloger));
  auto tree = sbom::DirTree::open(root);
  EXPECT_TRUE(tree) << root;
  if (!tree) return {};
  bool image = kind == sbom::Subject::Kind::image;
  return sbom::catalog(**tree, sbom::Subject{kind, root.string(), image ? "sha256:00" : "", ""}, catalogers);
}

/// The package named `name` (and `version` when given), or nullptr.
inline const sbom::Package* find_package(const sbom::Inventory& inv, const std::string& name,
                                         const std::string& version = "") {
  for (const auto& p : inv.packages) {
    if (p.name == name && (version.empty() || p.version == version)) return &p;
  }
  return nullptr;
}

/// "name@version" of every package.
inline std::set<std::string> name_versions(const sbom::Inventory& inv) {
  std::set<std::string> out;
  for (const auto& p : inv.packages) out.insert(p.name + "@" + p.version);
  return out;
}

/// Every depends-on edge as "from@version -> to@version".
inline std::set<std::string> edges(const sbom::Inventory& inv) {
  std::set<std::string> out;
  auto label = [&](const std::string& id) {
    for (const auto& p : inv.packages) {
      if (p.id == id) return p.name + "@" + p.version;
    }
    return "?" + id;
  };
  for (const auto& r : inv.relationships) {
    if (r.type == sbom::Relationship::Type::depends_on) out.insert(label(r.from) + " -> " + label(r.to));
  }
  return out;
}

/// Writes `content` to root/rel, creating directories.
inline void write_fixture(const std::filesystem::path& root, const std::string& rel, const std::string& content) {
  auto path = root / rel;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

/// A sparse file one byte larger than `limit` at root/rel.
inline void write_oversized(const std::filesystem::path& root, const std::string& rel, std::size_t limit) {
  write_fixture(root, rel, "");
  std::filesystem::resize_file(root / rel, limit + 1);
}

/// Concatenated warning messages, for assertion output.
inline std::string warnings_text(const sbom::Inventory& inv) {
  std::string out;
  for (const auto& w : inv.warnings) out += w.source + " " + w.path + ": " + w.message + "\n";
  return out;
}

}  // namespace sigil::test
