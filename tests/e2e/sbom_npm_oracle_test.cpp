// npm as the oracle: a real tree installed by `npm ci` from tests/data/sbom/npm-oracle (scoped
// packages, a nested older version, a devDependency shadowed by a nested newer one, a peer
// dependency, an optional dependency for another platform that is not installed) must give,
// through `sigil sbom dir:`, exactly the packages and dependency edges `npm ls --all --json`
// reports. Needs npm and the npm registry: skipped locally without npm, a failure under CI=true.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <set>

#include "common/file.hpp"
#include "common/json.hpp"
#include "e2e/run_sigil.hpp"
#include "support/temp_dir.hpp"

namespace sigil {
namespace {

namespace fs = std::filesystem;

struct Tree {
  std::set<std::string> packages;  // "name@version"
  std::set<std::string> edges;     // "name@version -> name@version"
};

// npm ls --all --json: every node lists the packages its dependency edges resolve to (deduped
// ones with their version only; a missing optional dependency as {}). The root is the project
// itself, which no SBOM component stands for.
Tree npm_ls_tree(const Json& root) {
  Tree t;
  std::function<void(const Json&, const std::string&, int)> walk = [&](const Json& node, const std::string& self,
                                                                       int depth) {
    auto deps = node.find("dependencies");
    if (deps == node.end() || !deps->is_object() || depth > 100) return;
    for (const auto& [name, child] : deps->items()) {
      if (!child.contains("version")) continue;  // not installed (an optional dependency for another OS)
      std::string id = name + "@" + child["version"].get<std::string>();
      t.packages.insert(id);
      if (!self.empty()) t.edges.insert(self + " -> " + id);
      walk(child, id, depth + 1);
    }
  };
  walk(root, "", 0);
  return t;
}

// The npm components of a CycloneDX document and the dependency edges between them.
Tree sbom_tree(const Json& bom) {
  Tree t;
  std::map<std::string, std::string> by_ref;
  for (const auto& c : bom["components"]) {
    if (!c.value("purl", "").starts_with("pkg:npm/")) continue;
    std::string id = c["name"].get<std::string>() + "@" + c["version"].get<std::string>();
    by_ref[c["bom-ref"].get<std::string>()] = id;
    t.packages.insert(id);
  }
  if (!bom.contains("dependencies")) return t;
  for (const auto& d : bom["dependencies"]) {
    auto from = by_ref.find(d["ref"].get<std::string>());
    if (from == by_ref.end() || !d.contains("dependsOn")) continue;
    for (const auto& ref : d["dependsOn"]) {
      if (auto to = by_ref.find(ref.get<std::string>()); to != by_ref.end()) t.edges.insert(from->second + " -> " + to->second);
    }
  }
  return t;
}

std::string difference(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::string out;
  for (const auto& x : a) {
    if (!b.contains(x)) out += "  " + x + "\n";
  }
  return out.empty() ? "  (none)\n" : out;
}

TEST(SbomNpmOracle, InstalledTreeEqualsNpmLs) {
  if (!test::on_path("npm")) {
    if (std::getenv("CI") != nullptr) FAIL() << "npm is not on PATH (the npm oracle needs it; scripts/bootstrap installs it)";
    GTEST_SKIP() << "npm is not on PATH";
  }
  fs::path data = fs::path(SIGIL_SOURCE_DIR) / "tests/data/sbom/npm-oracle";
  test::TempDir work;
  test::TempDir cache;  // a private npm cache: the test never touches the user's
  fs::path app = work.path() / "app";
  fs::create_directories(app);
  fs::copy_file(data / "package.json", app / "package.json");
  fs::copy_file(data / "package-lock.json", app / "package-lock.json");

  auto ci = test::run_program({"npm", "ci", "--prefix", app.string(), "--cache", cache.path().string(),
                               "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"},
                              std::chrono::seconds(600));
  ASSERT_EQ(ci.exit_code, 0) << "npm ci: " << ci.describe();
  auto ls = test::run_program({"npm", "ls", "--all", "--json", "--prefix", app.string()}, std::chrono::seconds(120));
  ASSERT_EQ(ls.exit_code, 0) << "npm ls: " << ls.describe();
  auto ls_json = parse_json(ls.out, "npm ls output");
  ASSERT_TRUE(ls_json) << ls_json.error().message;
  ASSERT_FALSE(ls_json->contains("problems")) << ls.out;
  Tree oracle = npm_ls_tree(*ls_json);
  // The fixture's shape, so a broken install cannot make the comparison trivial.
  ASSERT_GE(oracle.packages.size(), 35u);
  for (const char* must : {"@nodelib/fs.scandir@2.1.5", "ms@2.0.0", "ms@2.1.3", "is-number@6.0.0", "is-number@7.0.0"}) {
    ASSERT_TRUE(oracle.packages.contains(must)) << must;
  }
  ASSERT_TRUE(oracle.edges.contains("debug@2.6.9 -> ms@2.0.0"));
  ASSERT_TRUE(oracle.edges.contains("react-dom@18.3.1 -> react@18.3.1"));  // a peer dependency
  ASSERT_FALSE(fs::exists(app / "node_modules/fsevents"));                  // optional, darwin only

  auto r = test::run_sigil({"sbom", "dir:" + app.string(), "-o", "cyclonedx-json"}, std::chrono::seconds(120));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto bom = parse_json(r.out, "sigil sbom output");
  ASSERT_TRUE(bom) << bom.error().message;
  Tree got = sbom_tree(*bom);

  EXPECT_EQ(got.packages, oracle.packages) << "only in sigil:\n"
                                           << difference(got.packages, oracle.packages) << "only in npm ls:\n"
                                           << difference(oracle.packages, got.packages);
  EXPECT_EQ(got.edges, oracle.edges) << "only in sigil:\n"
                                     << difference(got.edges, oracle.edges) << "only in npm ls:\n"
                                     << difference(oracle.edges, got.edges);
  std::printf("npm oracle: %zu packages, %zu edges compared\n", oracle.packages.size(), oracle.edges.size());
}

}  // namespace
}  // namespace sigil
