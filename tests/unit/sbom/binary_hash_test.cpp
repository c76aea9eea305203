// A Go binary is a file of its own: its main module's package carries the SHA-1 and SHA-256 of
// the whole binary, as sha1sum/sha256sum print them, whether the binary is read from a
// directory (hashed from disk) or from an image (hashed while its layer streams by, where only
// an ELF excerpt is kept). ELF files without the exec bit (shared objects) are looked at too.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "oci/layout_store.hpp"
#include "sbom/catalog.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/dir_tree.hpp"
#include "sbom/filetree/image_tree.hpp"
#include "sbom/image_catalog.hpp"
#include "support/go_build.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/sbom_image.hpp"

namespace sigil::sbom {
namespace {

namespace fs = std::filesystem;

using test::run_shell;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The first field of `sha256sum FILE` (or sha1sum): the oracle.
std::string sum(const std::string& tool, const fs::path& file) {
  std::string out = run_shell(tool + " '" + file.string() + "'");
  return out.substr(0, out.find(' '));
}

// A Go program with one dependency (a local replace), built here into `out`.
std::string build_go_binary(const fs::path& work, const fs::path& out) {
  test::write_go_app_with_local_replace(work, "example.com/hashed", "v1.0.0", "hash me");
  fs::create_directories(out.parent_path());
  return test::go_build(work / "app", work, out);
}

const Package* find(const Inventory& inv, const std::string& name) {
  for (const auto& p : inv.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Inventory run_dir(const fs::path& root) {
  auto catalogers = all_catalogers();
  auto tree = DirTree::open(root);
  EXPECT_TRUE(tree);
  return catalog(**tree, Subject{Subject::Kind::directory, root.string(), "", ""}, catalogers);
}

class GoBinaryHash : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::go_available()) return;
    bin_ = work_ / "out/hashed";
    std::string log = build_go_binary(work_.path(), bin_);
    ASSERT_TRUE(fs::exists(bin_)) << log;
    fs::permissions(bin_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
    expected_ = {{"SHA-1", sum("sha1sum", bin_)}, {"SHA-256", sum("sha256sum", bin_)}};
    ASSERT_EQ(expected_[1].second.size(), 64u);
  }

  // The main module has the binary's digests; its dependencies and stdlib have none.
  void expect_hashed(const Inventory& inv) const {
    const Package* main = find(inv, "example.com/hashed");
    ASSERT_NE(main, nullptr);
    EXPECT_EQ(main->hashes, expected_);
    for (const auto& p : inv.packages) {
      if (&p != main && p.type == "go-module") {
        EXPECT_TRUE(p.hashes.empty()) << p.name;
      }
    }
    EXPECT_NE(find(inv, "../mylib"), nullptr);
  }

  test::TempDir work_;
  fs::path bin_;
  FileHashes expected_;
};

TEST_F(GoBinaryHash, DirectorySource) {
  SIGIL_REQUIRE_GO();
  test::TempDir root;
  fs::create_directories(root / "usr/local/bin");
  fs::copy_file(bin_, root / "usr/local/bin/hashed");
  auto inv = run_dir(root.path());
  expect_hashed(inv);
  EXPECT_TRUE(inv.warnings.empty());
}

TEST_F(GoBinaryHash, ImageSourceHashedWhileStreaming) {
  SIGIL_REQUIRE_GO();
  test::TempDir dir;
  auto store = oci::LayoutStore::open(dir.path(), true).value();
  std::string whole = slurp(bin_);
  auto desc = test::write_sbom_image(
      *store, {{test::file("etc/os-release", "ID=debian\nVERSION_ID=12\n"), test::executable("usr/local/bin/hashed", whole)}},
      "v1");
  ASSERT_TRUE(desc) << desc.error().message;
  auto cataloged = catalog_image(*store, *desc, oci::Platform{"linux", "amd64", "", "", {}}, "test:v1");
  ASSERT_TRUE(cataloged) << cataloged.error().message;
  expect_hashed(cataloged->inventory);

  // The tree keeps an excerpt only, yet hashes the whole file: the digests were taken as the
  // layer streamed by, not from what is kept.
  auto catalogers = all_catalogers();
  auto tree = ImageTree::build(
      *store, *desc, oci::Platform{"linux", "amd64", "", "", {}},
      [&](const std::string& p) { return wanted_by(catalogers, p); }, [](const std::string&, const std::string&) {},
      [&](const std::string& p, const Entry& e) { return elf_excerpt_for(catalogers, p, e); });
  ASSERT_TRUE(tree) << tree.error().message;
  auto kept = (*tree)->read("/usr/local/bin/hashed", whole.size());
  ASSERT_TRUE(kept);
  EXPECT_LT(kept->size(), whole.size() / 4);
  auto hashes = (*tree)->hash("/usr/local/bin/hashed", whole.size());
  ASSERT_TRUE(hashes) << hashes.error().message;
  EXPECT_EQ(*hashes, expected_);
  const Package* main = find(cataloged->inventory, "example.com/hashed");
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->locations.at(0).layer, (*tree)->info().layers.at(0).digest.str());
  // A file kept whole (os-release) hashes to its own content's digests.
  std::ofstream(work_ / "os-release") << "ID=debian\nVERSION_ID=12\n";
  auto os = (*tree)->hash("/etc/os-release", 1024);
  ASSERT_TRUE(os);
  EXPECT_EQ(*os, (FileHashes{{"SHA-1", sum("sha1sum", work_ / "os-release")}, {"SHA-256", sum("sha256sum", work_ / "os-release")}}));
}

// syft looks at any ELF file, not only executables: a Go binary installed as a shared object
// without the exec bit is cataloged, from a directory and from an image; a non-ELF file without
// the exec bit is not even read.
TEST_F(GoBinaryHash, ElfWithoutExecBitIsCataloged) {
  SIGIL_REQUIRE_GO();
  test::TempDir root;
  fs::create_directories(root / "usr/lib");
  fs::copy_file(bin_, root / "usr/lib/libhashed.so");
  fs::permissions(root / "usr/lib/libhashed.so", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  auto inv = run_dir(root.path());
  expect_hashed(inv);
  const Package* main = find(inv, "example.com/hashed");
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->locations.at(0).path, "/usr/lib/libhashed.so");

  auto tree = DirTree::open(root.path());
  ASSERT_TRUE(tree);
  auto entry = (*tree)->lstat("/usr/lib/libhashed.so");
  ASSERT_TRUE(entry);
  EXPECT_TRUE(entry->elf);
  EXPECT_EQ(entry->mode & 0111, 0u);

  test::TempDir dir;
  auto store = oci::LayoutStore::open(dir.path(), true).value();
  std::string whole = slurp(bin_);
  // make_tar writes files 0644: the image tree must recognise the ELF by its first bytes.
  auto desc = test::write_sbom_image(
      *store, {{test::file("usr/lib/libhashed.so", whole), test::file("usr/lib/notes.txt", std::string(4096, 'x'))}}, "v1");
  ASSERT_TRUE(desc) << desc.error().message;
  auto cataloged = catalog_image(*store, *desc, oci::Platform{"linux", "amd64", "", "", {}}, "test:v1");
  ASSERT_TRUE(cataloged) << cataloged.error().message;
  expect_hashed(cataloged->inventory);
  EXPECT_TRUE(cataloged->inventory.warnings.empty());

  auto catalogers = all_catalogers();
  auto image = ImageTree::build(*store, *desc, oci::Platform{"linux", "amd64", "", "", {}},
                                [](const std::string&) { return false; }, [](const std::string&, const std::string&) {});
  ASSERT_TRUE(image) << image.error().message;
  auto so = (*image)->lstat("/usr/lib/libhashed.so");
  ASSERT_TRUE(so);
  EXPECT_TRUE(so->elf);
  auto txt = (*image)->lstat("/usr/lib/notes.txt");
  ASSERT_TRUE(txt);
  EXPECT_FALSE(txt->elf);
  EXPECT_FALSE(elf_excerpt_for(catalogers, "/usr/lib/notes.txt", *txt));
  EXPECT_TRUE(elf_excerpt_for(catalogers, "/usr/lib/libhashed.so", *so));
}

}  // namespace
}  // namespace sigil::sbom
