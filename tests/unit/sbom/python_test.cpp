// Python cataloger: syft's site-packages fixtures, bad input, and this machine's Debian
// dist-packages against importlib.metadata (/usr/bin/python3), each linked to its owning deb.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "e2e/run_sigil.hpp"
#include "sbom/catalog.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/dir_tree.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/fixtures.hpp"

namespace sigil::sbom {
namespace {

namespace fs = std::filesystem;

Inventory run(const fs::path& root, bool with_dpkg = false) {
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  if (with_dpkg) catalogers.push_back(make_dpkg_cataloger());
  catalogers.push_back(make_python_cataloger());
  auto tree = DirTree::open(root);
  EXPECT_TRUE(tree);
  return catalog(**tree, Subject{Subject::Kind::directory, root.string(), "", ""}, catalogers);
}

std::multiset<std::string> name_versions(const Inventory& inv) {
  std::multiset<std::string> out;
  for (const auto& p : inv.packages) out.insert(p.name + "@" + p.version);
  return out;
}

TEST(Python, SyftNestedFixtures) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  auto inv = run(test::syft_fixtures() / "python/site-packages/nested");
  EXPECT_EQ(name_versions(inv), (std::multiset<std::string>{"Pygments@2.6.1", "requests@2.22.0"}));
  for (const auto& p : inv.packages) {
    if (p.name == "requests") {
      EXPECT_EQ(p.purl, "pkg:pypi/requests@2.22.0");
      ASSERT_EQ(p.licenses.size(), 1u);
      EXPECT_EQ(p.licenses[0].value, "Apache 2.0");
    }
    if (p.name == "Pygments") {
      EXPECT_EQ(p.purl, "pkg:pypi/pygments@2.6.1");
      EXPECT_FALSE(p.files.empty());  // from RECORD
    }
  }
}

TEST(Python, SingleFileEggInfoAndBadInput) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  test::TempDir root;
  fs::create_directories(root / "site");
  fs::copy_file(test::syft_fixtures() / "python/site-packages/test/test.egg-info", root / "site/test.egg-info");
  fs::copy_file(test::syft_fixtures() / "python/site-packages/no-version/no-version-py3.8.egg-info",
                root / "site/no-version-py3.8.egg-info");
  fs::create_directories(root / "site/garbage-1.0.dist-info");
  std::ofstream(root / "site/garbage-1.0.dist-info/METADATA", std::ios::binary) << std::string("\x00\x01\xff", 3) << "Name: x\n";
  fs::create_directories(root / "site/loop-1.0.dist-info");
  fs::create_symlink("METADATA", root / "site/loop-1.0.dist-info/METADATA");
  auto inv = run(root.path());
  EXPECT_EQ(name_versions(inv), (std::multiset<std::string>{"requests@2.22.0"}));
  EXPECT_EQ(inv.warnings.size(), 2u);  // no-version and garbage (the link loop is not a regular file)
}

std::string shell(const std::string& cmd) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) return out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  ::pclose(f);
  return out;
}

// The ground truth of this machine: importlib.metadata over Debian's dist-packages, and dpkg -S
// for which of them a deb owns.
TEST(Python, DebianDistPackagesMatchImportlib) {
  const std::string site = "/usr/lib/python3/dist-packages";
  if (!fs::exists("/usr/bin/python3") || !fs::exists(site) || !fs::exists("/var/lib/dpkg/status")) {
    GTEST_SKIP() << "not a Debian machine with python3";
  }
  std::string listing = shell(
      "/usr/bin/python3 -c 'import importlib.metadata as m\n"
      "for d in m.distributions(path=[\"" + site + "\"]):\n"
      "    print(str(d._path) + \"\\t\" + d.metadata[\"Name\"] + \"\\t\" + d.version)'");
  std::map<std::string, std::string> expected;  // metadata path → name@version
  std::size_t start = 0;
  while (start < listing.size()) {
    auto end = listing.find('\n', start);
    std::string line = listing.substr(start, end - start);
    start = end == std::string::npos ? listing.size() : end + 1;
    auto t1 = line.find('\t');
    auto t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    expected[line.substr(0, t1)] = line.substr(t1 + 1, t2 - t1 - 1) + "@" + line.substr(t2 + 1);
  }
  ASSERT_FALSE(expected.empty()) << listing;

  auto inv = run("/", true);
  // Distribution dir (or egg-info file) → (package, its metadata file). Packages with the same
  // purl found elsewhere too (or twice here) are one component with several locations.
  std::map<std::string, std::pair<const Package*, std::string>> found;
  for (const auto& p : inv.packages) {
    if (p.type != "python") continue;
    for (const auto& l : p.locations) {
      const std::string& loc = l.path;
      if (loc.ends_with("/RECORD") || loc.ends_with("/installed-files.txt")) continue;
      std::string dir = loc.ends_with(".egg-info") ? loc : loc.substr(0, loc.rfind('/'));
      if (dir.substr(0, dir.rfind('/')) == site) found[dir] = {&p, loc};
    }
  }
  std::map<std::string, std::string> got;
  for (const auto& [dir, f] : found) got[dir] = f.first->name + "@" + f.first->version;
  EXPECT_EQ(got, expected);

  std::set<std::string> owned;
  for (const auto& r : inv.relationships) {
    if (r.type == Relationship::Type::contains) owned.insert(r.to);
  }
  for (const auto& [dir, f] : found) {
    bool dpkg_owns = test::run_program({"dpkg-query", "-S", f.second}).exit_code == 0;
    if (dpkg_owns) {
      EXPECT_TRUE(owned.contains(f.first->id)) << dir << " is installed by a deb";
    }
    // A distribution no deb owns (pip-installed) may still share its purl with an owned one.
    if (!dpkg_owns && f.first->locations.size() == 1) {
      EXPECT_FALSE(owned.contains(f.first->id)) << dir;
    }
  }
}

}  // namespace
}  // namespace sigil::sbom
