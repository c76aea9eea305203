// rpm cataloger: syft's BerkeleyDB fixture (the packages syft's parse_rpm_db_test expects), an
// rpmdb.sqlite made by Debian's rpm (rpm -qa is the oracle) in a directory and in an image,
// syft's glob-paths layout (every database location matched; placeholders warned about).
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "common/file.hpp"
#include "oci/layout_store.hpp"
#include "sbom/catalog.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/dir_tree.hpp"
#include "sbom/filetree/image_tree.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/fixtures.hpp"
#include "unit/sbom/rpm_fixture.hpp"
#include "unit/sbom/sbom_image.hpp"

namespace sigil::sbom {
namespace {

namespace fs = std::filesystem;

std::vector<std::unique_ptr<Cataloger>> rpm_only() {
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(make_rpm_cataloger());
  return catalogers;
}

Inventory run(const fs::path& root) {
  auto tree = DirTree::open(root);
  EXPECT_TRUE(tree);
  return catalog(**tree, Subject{Subject::Kind::directory, root.string(), "", ""}, rpm_only());
}

std::string warnings_text(const Inventory& inv) {
  std::string out;
  for (const auto& w : inv.warnings) out += w.path + ": " + w.message + "\n";
  return out;
}

const Package* find(const Inventory& inv, const std::string& name) {
  for (const auto& p : inv.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// "name\tepochnum:version-release\tarch", as the rpm -qa oracle prints it.
std::set<std::string> nevra_lines(const Inventory& inv) {
  std::set<std::string> out;
  for (const auto& p : inv.packages) {
    std::string evr = p.version.find(':') == std::string::npos ? "0:" + p.version : p.version;
    out.insert(p.name + "\t" + evr + "\t" + p.metadata.at("architecture"));
  }
  return out;
}

TEST(Rpm, SyftBerkeleyDbFixture) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  test::TempDir root;
  fs::create_directories(root.path() / "var/lib/rpm");
  fs::copy_file(test::syft_fixtures() / "redhat/Packages", root.path() / "var/lib/rpm/Packages");
  auto inv = run(root.path());
  EXPECT_TRUE(inv.warnings.empty()) << warnings_text(inv);
  ASSERT_EQ(inv.packages.size(), 1u);
  const auto& p = inv.packages[0];
  // syft's TestParseRpmDB: dive 0.9.2-1, x86_64, MIT, no epoch, no vendor, 12406784 bytes.
  EXPECT_EQ(p.name, "dive");
  EXPECT_EQ(p.version, "0.9.2-1");
  EXPECT_EQ(p.type, "rpm");
  EXPECT_EQ(p.found_by, "rpm-db-cataloger");
  EXPECT_EQ(p.purl, "pkg:rpm/dive@0.9.2-1?arch=x86_64&upstream=dive-0.9.2-1.src.rpm");
  ASSERT_EQ(p.licenses.size(), 1u);
  EXPECT_EQ(p.licenses[0], (License{License::Kind::spdx_id, "MIT"}));
  EXPECT_EQ(p.metadata.at("architecture"), "x86_64");
  EXPECT_EQ(p.metadata.at("release"), "1");
  EXPECT_EQ(p.metadata.at("sourceRpm"), "dive-0.9.2-1.src.rpm");
  EXPECT_EQ(p.metadata.at("size"), "12406784");
  EXPECT_FALSE(p.metadata.contains("epoch"));
  EXPECT_TRUE(p.supplier.empty());
  EXPECT_EQ(p.files, (std::vector<std::string>{"/usr/local/bin/dive"}));
  ASSERT_EQ(p.locations.size(), 1u);
  EXPECT_EQ(p.locations[0].path, "/var/lib/rpm/Packages");
}

TEST(Rpm, SyftGlobPathsEveryLocationMatched) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  // Five-byte placeholders at every path syft's glob names: each is found and warned about.
  auto inv = run(test::syft_fixtures() / "redhat/glob-paths");
  EXPECT_TRUE(inv.packages.empty());
  std::map<std::string, std::string> by_path;
  for (const auto& w : inv.warnings) by_path[w.path] = w.message;
  for (const char* dir : {"/var/lib/rpm/", "/usr/share/rpm/", "/usr/lib/sysimage/rpm/"}) {
    for (const char* name : {"Packages", "Packages.db", "rpmdb.sqlite"}) {
      EXPECT_TRUE(by_path.contains(std::string(dir) + name)) << dir << name << "\n" << warnings_text(inv);
    }
    EXPECT_NE(by_path[std::string(dir) + "Packages.db"].find("NDB"), std::string::npos);
  }
}

TEST(Rpm, SqliteMatchesRpmQa) {
  SIGIL_REQUIRE_RPM_TOOLS();
  test::TempDir work;
  test::TempDir root;
  // Fedora's layout: the database in /usr/lib/sysimage/rpm, /var/lib/rpm a link to it (the
  // link is not followed by the walk, so each package is found once).
  fs::path db = root.path() / "usr/lib/sysimage/rpm";
  ASSERT_EQ(test::make_rpmdb(work.path(), db), "");
  fs::create_directories(root.path() / "var/lib");
  fs::create_symlink("../../usr/lib/sysimage/rpm", root.path() / "var/lib/rpm");
  fs::create_directories(root.path() / "etc");
  std::ofstream(root.path() / "etc/os-release") << "NAME=Fedora\nID=fedora\nVERSION_ID=40\n";
  auto expected = test::rpm_qa(db);
  ASSERT_EQ(expected.size(), 3u);

  auto inv = run(root.path());
  EXPECT_TRUE(inv.warnings.empty()) << warnings_text(inv);
  EXPECT_EQ(nevra_lines(inv), expected);  // gpg-pubkey skipped, as syft does
  EXPECT_EQ(find(inv, "gpg-pubkey"), nullptr);

  const Package* alpha = find(inv, "sigil-alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(alpha->version, "2:1.2.3-4.fc40");  // syft's toELVersion
  EXPECT_EQ(alpha->purl,
            "pkg:rpm/fedora/sigil-alpha@1.2.3-4.fc40?arch=noarch&distro=fedora-40&epoch=2"
            "&upstream=sigil-alpha-1.2.3-4.fc40.src.rpm");
  // Fedora's legacy short names become SPDX.
  ASSERT_EQ(alpha->licenses.size(), 1u);
  EXPECT_EQ(alpha->licenses[0], (License{License::Kind::expression, "GPL-2.0-or-later AND Apache-2.0"}));
  EXPECT_EQ(alpha->supplier, "Sigil Test Vendor");
  EXPECT_EQ(alpha->description, "alpha test package");
  EXPECT_EQ(alpha->metadata.at("epoch"), "2");
  EXPECT_EQ(alpha->files, (std::vector<std::string>{"/usr/bin/alpha", "/usr/share/alpha/data.txt"}));
  EXPECT_EQ(alpha->locations.at(0).path, "/usr/lib/sysimage/rpm/rpmdb.sqlite");

  const Package* gamma = find(inv, "sigil-gamma");
  ASSERT_NE(gamma, nullptr);
  EXPECT_EQ(gamma->version, "3.0~rc1-7.el9");
  EXPECT_EQ(gamma->purl, "pkg:rpm/fedora/sigil-gamma@3.0~rc1-7.el9?arch=noarch&distro=fedora-40"
                         "&upstream=sigil-gamma-3.0~rc1-7.el9.src.rpm");
  ASSERT_EQ(gamma->licenses.size(), 1u);
  EXPECT_EQ(gamma->licenses[0].kind, License::Kind::expression);
  EXPECT_TRUE(gamma->files.empty());

  // Requires → depends-on: beta needs alpha (by Provides and by file; the rich dependency is
  // ignored), gamma needs beta (by name). Nothing else.
  const Package* beta = find(inv, "sigil-beta");
  ASSERT_NE(beta, nullptr);
  std::set<std::pair<std::string, std::string>> edges;
  for (const auto& r : inv.relationships) {
    ASSERT_EQ(r.type, Relationship::Type::depends_on);
    edges.emplace(r.from, r.to);
  }
  EXPECT_EQ(edges, (std::set<std::pair<std::string, std::string>>{{beta->id, alpha->id}, {gamma->id, beta->id}}));
}

TEST(Rpm, SqliteInAnImageIsReadFromTheLayers) {
  SIGIL_REQUIRE_RPM_TOOLS();
  test::TempDir work;
  test::TempDir dir;
  ASSERT_EQ(test::make_rpmdb(work.path(), work.path() / "db"), "");
  auto db = read_file(work.path() / "db/rpmdb.sqlite", 64 << 20);
  ASSERT_TRUE(db);
  auto store = oci::LayoutStore::open(dir.path(), true).value();
  auto desc = test::write_sbom_image(
      *store, {{test::file("etc/os-release", "ID=rhel\nVERSION_ID=9.4\n"), test::file("var/lib/rpm/rpmdb.sqlite", *db)},
               {test::file("usr/bin/unrelated", "x")}},
      "v1");
  ASSERT_TRUE(desc) << desc.error().message;
  auto catalogers = rpm_only();
  auto tree = ImageTree::build(*store, *desc, oci::Platform{"linux", "amd64", "", "", {}},
                               [&](const std::string& p) { return wanted_by(catalogers, p); },
                               [](const std::string&, const std::string&) {});
  ASSERT_TRUE(tree) << tree.error().message;
  auto inv = catalog(**tree, Subject{Subject::Kind::image, "test", desc->digest.str(), "linux/amd64"}, catalogers);
  EXPECT_TRUE(inv.warnings.empty()) << warnings_text(inv);
  EXPECT_EQ(nevra_lines(inv), test::rpm_qa(work.path() / "db"));
  const Package* alpha = find(inv, "sigil-alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(alpha->locations.at(0).layer, (*tree)->info().layers[0].digest.str());
  // RHEL: namespace "redhat" (syft's), distro qualifier from os-release, qualifiers sorted.
  EXPECT_EQ(alpha->purl, "pkg:rpm/redhat/sigil-alpha@1.2.3-4.fc40?arch=noarch&distro=rhel-9.4&epoch=2"
                         "&upstream=sigil-alpha-1.2.3-4.fc40.src.rpm");
}

}  // namespace
}  // namespace sigil::sbom
