// npm cataloger: syft's package-lock v1 fixture with its installed node_modules, a nested
// node_modules tree with Node's resolution, and corrupt package.json.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "sbom/catalog.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/dir_tree.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/fixtures.hpp"

namespace sigil::sbom {
namespace {

namespace fs = std::filesystem;

Inventory run(const fs::path& root, Subject::Kind kind = Subject::Kind::directory) {
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(make_npm_cataloger());
  auto tree = DirTree::open(root);
  EXPECT_TRUE(tree);
  return catalog(**tree, Subject{kind, root.string(), kind == Subject::Kind::image ? "sha256:00" : "", ""}, catalogers);
}

const Package* find(const Inventory& inv, const std::string& name) {
  for (const auto& p : inv.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::set<std::string> deps_of(const Inventory& inv, const Package& p) {
  std::set<std::string> out;
  for (const auto& r : inv.relationships) {
    if (r.from != p.id || r.type != Relationship::Type::depends_on) continue;
    for (const auto& q : inv.packages) {
      if (q.id == r.to) out.insert(q.name);
    }
  }
  return out;
}

TEST(Npm, PackageLockV1AndInstalledModules) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  auto inv = run(test::syft_fixtures() / "javascript/pkg-lock");
  std::set<std::string> got;
  for (const auto& p : inv.packages) got.insert(p.name + "@" + p.version);
  std::set<std::string> want{"@actions/core@1.6.0", "ansi-regex@3.0.0", "cowsay@1.4.0", "get-stdin@5.0.1",
                             "is-fullwidth-code-point@2.0.0", "minimist@0.0.10", "optimist@0.6.1",
                             "string-width@2.1.1", "strip-ansi@4.0.0", "strip-eof@1.0.0", "wordwrap@0.0.3"};
  for (const auto& w : want) EXPECT_TRUE(got.contains(w)) << w;
  const Package* core = find(inv, "@actions/core");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->purl, "pkg:npm/%40actions/core@1.6.0");
  const Package* cowsay = find(inv, "cowsay");
  ASSERT_NE(cowsay, nullptr);
  // Installed package.json and the lock entry are one component (same purl), with both locations.
  EXPECT_GE(cowsay->locations.size(), 2u);
  EXPECT_EQ(cowsay->author, "Fabio Crisci <piuccio@gmail.com>");
  ASSERT_EQ(cowsay->licenses.size(), 1u);
  EXPECT_EQ(cowsay->licenses[0].value, "MIT");
  auto deps = deps_of(inv, *cowsay);
  EXPECT_TRUE(deps.contains("get-stdin"));
  EXPECT_TRUE(deps.contains("optimist"));
}

TEST(Npm, NestedModulesResolveToTheNearest) {
  test::TempDir root;
  auto write = [&](const std::string& dir, const std::string& json) {
    fs::create_directories(root / dir);
    std::ofstream(root / dir / "package.json") << json;
  };
  write("app", R"({"name":"app","version":"0.0.0","dependencies":{"a":"*"}})");
  write("app/node_modules/a", R"({"name":"a","version":"1.0.0","dependencies":{"b":"^2"}})");
  write("app/node_modules/b", R"({"name":"b","version":"1.0.0"})");
  write("app/node_modules/a/node_modules/b", R"({"name":"b","version":"2.0.0","license":{"type":"ISC"}})");
  write("app/node_modules/@s/c", R"({"name":"@s/c","version":"3.0.0","dependencies":{"b":"*"}})");
  write("app/node_modules/broken", "{ not json");
  write("app/node_modules/noversion", R"({"name":"noversion"})");
  auto inv = run(root.path(), Subject::Kind::image);
  std::multiset<std::string> got;
  for (const auto& p : inv.packages) got.insert(p.purl);
  EXPECT_EQ(got, (std::multiset<std::string>{"pkg:npm/%40s/c@3.0.0", "pkg:npm/a@1.0.0", "pkg:npm/b@1.0.0", "pkg:npm/b@2.0.0"}));
  const Package* a = find(inv, "a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(inv.relationships.size(), 2u);
  for (const auto& r : inv.relationships) {
    const Package* to = nullptr;
    for (const auto& p : inv.packages) {
      if (p.id == r.to) to = &p;
    }
    ASSERT_NE(to, nullptr);
    EXPECT_EQ(to->version, r.from == a->id ? "2.0.0" : "1.0.0");  // a's own b, else the top-level b
  }
  EXPECT_EQ(inv.warnings.size(), 2u);  // broken JSON, no version
}

TEST(Npm, CorruptFixtureWarnsAndContinues) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  auto inv = run(test::syft_fixtures() / "javascript/corrupt");
  EXPECT_TRUE(inv.packages.empty());
  EXPECT_EQ(inv.warnings.size(), 1u);  // package-lock.json (package.json is the project's own, not installed)
}

}  // namespace
}  // namespace sigil::sbom
