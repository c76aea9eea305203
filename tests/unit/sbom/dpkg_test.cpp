// dpkg cataloger on syft's fixtures (the packages syft's dpkg tests expect) and on bad input.
#include <gtest/gtest.h>

#include <fstream>

#include "sbom/catalog.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/dir_tree.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/fixtures.hpp"

namespace sigil::sbom {
namespace {

namespace fs = std::filesystem;

Inventory run_dpkg(const fs::path& root) {
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(make_dpkg_cataloger());
  auto tree = DirTree::open(root);
  EXPECT_TRUE(tree);
  return catalog(**tree, Subject{Subject::Kind::directory, root.string(), "", ""}, catalogers);
}

const Package* find(const Inventory& inv, const std::string& name) {
  for (const auto& p : inv.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(Dpkg, StatusWithMd5sumsAndCopyright) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  auto inv = run_dpkg(test::syft_fixtures() / "debian" / "image-dpkg");
  ASSERT_EQ(inv.packages.size(), 1u);
  const auto& p = inv.packages[0];
  EXPECT_EQ(p.name, "libpam-runtime");
  EXPECT_EQ(p.version, "1.1.8-3.6");
  EXPECT_EQ(p.purl, "pkg:deb/debian/libpam-runtime@1.1.8-3.6?arch=all&distro=debian-12&upstream=pam");
  EXPECT_EQ(p.supplier, "Steve Langasek <vorlon@debian.org>");
  EXPECT_EQ(p.metadata.at("installedSize"), "1016");
  // syft's expectation for this copyright file: GPL-1, GPL-2, LGPL-2.1.
  ASSERT_EQ(p.licenses.size(), 3u);
  EXPECT_EQ(p.licenses[0].value, "GPL-1.0-only");
  EXPECT_EQ(p.licenses[1].value, "GPL-2.0-only");
  EXPECT_EQ(p.licenses[2].value, "LGPL-2.1-only");
  EXPECT_FALSE(p.files.empty());
  EXPECT_EQ(p.locations.front().path, "/var/lib/dpkg/status");
  ASSERT_TRUE(inv.distro);
  EXPECT_EQ(inv.distro->id, "debian");
  // The leading "Package:" paragraph with no name is reported, not fatal.
  ASSERT_EQ(inv.warnings.size(), 1u);
  EXPECT_NE(inv.warnings[0].message.find("no valid Package"), std::string::npos);
}

TEST(Dpkg, DistrolessStatusD) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  test::TempDir root;
  fs::create_directories(root / "var/lib/dpkg/status.d");
  fs::create_directories(root / "etc");
  std::ofstream(root / "etc/os-release") << "ID=debian\nVERSION_ID=\"10\"\n";
  auto src = test::syft_fixtures() / "debian" / "var/lib/dpkg/status.d";
  for (const char* f : {"single", "multiple", "deinstall", "corrupt"}) fs::copy_file(src / f, root / "var/lib/dpkg/status.d" / f);
  auto inv = run_dpkg(root.path());
  std::vector<std::string> names;
  for (const auto& p : inv.packages) names.push_back(p.name + "@" + p.version);
  EXPECT_EQ(names, (std::vector<std::string>{"apt@1.8.2", "linux-image-6.14.0-1012-aws@6.14.0-1012.12~24.04.1",
                                             "tzdata@2020a-0+deb10u1", "util-linux@2.33.1-0.1"}));
  const Package* apt = find(inv, "apt");
  ASSERT_NE(apt, nullptr);
  EXPECT_EQ(apt->purl, "pkg:deb/debian/apt@1.8.2?arch=amd64&distro=debian-10&upstream=apt-dev");
  // corrupt: one warning; multiple: the nameless and the version-less entries.
  int corrupt = 0;
  for (const auto& w : inv.warnings) corrupt += w.path.ends_with("/corrupt");
  EXPECT_EQ(corrupt, 1);
  EXPECT_EQ(inv.warnings.size(), 3u);
}

TEST(Dpkg, DependsBecomeEdges) {
  test::TempDir root;
  fs::create_directories(root / "var/lib/dpkg/info");
  fs::create_directories(root / "etc");
  std::ofstream(root / "etc/os-release") << "ID=debian\nVERSION_ID=12\n";
  std::ofstream(root / "var/lib/dpkg/status")
      << "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n"
         "Depends: b (>= 1), c | d, mawk | awk\nPre-Depends: libc6:any\n\n"
         "Package: b\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n\n"
         "Package: d\nStatus: install ok installed\nVersion: 3\nArchitecture: all\nProvides: awk\n\n"
         "Package: gone\nStatus: deinstall ok config-files\nVersion: 4\nArchitecture: all\n\n"
         "Package: libc6\nStatus: install ok installed\nVersion: 2.36\nArchitecture: amd64\n";
  std::ofstream(root / "var/lib/dpkg/info/a:amd64.list") << "/.\n/usr\n/usr/bin/a\n";
  auto inv = run_dpkg(root.path());
  ASSERT_EQ(inv.packages.size(), 4u);
  const Package* a = find(inv, "a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->files, (std::vector<std::string>{"/usr", "/usr/bin/a"}));
  std::vector<std::string> deps;
  for (const auto& r : inv.relationships) {
    if (r.from != a->id) continue;
    for (const auto& p : inv.packages) {
      if (p.id == r.to) deps.push_back(p.name);
    }
  }
  std::sort(deps.begin(), deps.end());
  EXPECT_EQ(deps, (std::vector<std::string>{"b", "d", "libc6"}));
}

TEST(Dpkg, GarbageStatusIsAWarning) {
  test::TempDir root;
  fs::create_directories(root / "var/lib/dpkg");
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) % 256);
  std::ofstream(root / "var/lib/dpkg/status", std::ios::binary) << garbage;
  auto inv = run_dpkg(root.path());
  EXPECT_TRUE(inv.packages.empty());
  EXPECT_FALSE(inv.warnings.empty());
}

}  // namespace
}  // namespace sigil::sbom
