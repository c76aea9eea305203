// apk cataloger: syft's installed-db fixtures (base, corrupt) and dependency edges.
#include <gtest/gtest.h>

#include <fstream>

#include "common/file.hpp"
#include "sbom/catalog.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/dir_tree.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/fixtures.hpp"

namespace sigil::sbom {
namespace {

namespace fs = std::filesystem;

Inventory run(const fs::path& root) {
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(make_apk_cataloger());
  auto tree = DirTree::open(root);
  EXPECT_TRUE(tree);
  return catalog(**tree, Subject{Subject::Kind::directory, root.string(), "", ""}, catalogers);
}

void alpine_root(const fs::path& root, const std::string& db) {
  fs::create_directories(root / "lib/apk/db");
  fs::create_directories(root / "etc");
  std::ofstream(root / "etc/os-release") << "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.16.0\n";
  std::ofstream(root / "lib/apk/db/installed") << db;
}

TEST(Apk, SyftBaseFixture) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  test::TempDir root;
  auto db = read_file(test::syft_fixtures() / "alpine/base", 1 << 20);
  ASSERT_TRUE(db);
  alpine_root(root.path(), *db);
  auto inv = run(root.path());
  ASSERT_EQ(inv.packages.size(), 1u);
  const auto& p = inv.packages[0];
  EXPECT_EQ(p.name, "alpine-baselayout");
  EXPECT_EQ(p.version, "3.2.0-r6");
  EXPECT_EQ(p.purl, "pkg:apk/alpine/alpine-baselayout@3.2.0-r6?arch=x86_64&distro=alpine-3.16.0");
  ASSERT_EQ(p.licenses.size(), 1u);
  EXPECT_EQ(p.licenses[0].value, "GPL-2.0-only");
  EXPECT_FALSE(p.files.empty());
  EXPECT_EQ(p.files.front().front(), '/');
}

TEST(Apk, CorruptDbWarns) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  // A garbage first record, then a valid one: the garbage is a warning, the package is kept.
  auto inv = run(test::syft_fixtures() / "alpine/corrupt");
  ASSERT_EQ(inv.packages.size(), 1u);
  EXPECT_EQ(inv.packages[0].name, "alpine-baselayout-data");
  ASSERT_EQ(inv.warnings.size(), 1u);
  EXPECT_NE(inv.warnings[0].message.find("line 1"), std::string::npos) << inv.warnings[0].message;
}

TEST(Apk, DependsThroughProvides) {
  test::TempDir root;
  alpine_root(root.path(),
              "P:musl\nV:1.2.3-r0\nA:x86_64\nL:MIT\np:so:libc.musl-x86_64.so.1=1\n\n"
              "P:busybox\nV:1.35.0-r17\nA:x86_64\nL:GPL-2.0-only\no:busybox\nD:so:libc.musl-x86_64.so.1 !conflict\n\n"
              "P:libcrypto3\nV:3.0.8-r0\nA:x86_64\nL:Apache-2.0\no:openssl\nD:musl>=1.2\n");
  auto inv = run(root.path());
  ASSERT_EQ(inv.packages.size(), 3u);
  EXPECT_EQ(inv.relationships.size(), 2u);
  for (const auto& p : inv.packages) {
    if (p.name == "libcrypto3") {
      EXPECT_EQ(p.purl, "pkg:apk/alpine/libcrypto3@3.0.8-r0?arch=x86_64&distro=alpine-3.16.0&upstream=openssl");
    }
  }
}

}  // namespace
}  // namespace sigil::sbom
