// FileTree: directories never read outside their root; images apply layers and whiteouts.
#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>

#include "oci/layout_store.hpp"
#include "sbom/filetree/dir_tree.hpp"
#include "sbom/filetree/image_tree.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/sbom_image.hpp"

namespace sigil::sbom {
namespace {

namespace fs = std::filesystem;
using test::file;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(NormalizeTreePath, CollapsesAndClamps) {
  EXPECT_EQ(normalize_tree_path("a/./b//c/"), "/a/b/c");
  EXPECT_EQ(normalize_tree_path("../../etc"), "/etc");
  EXPECT_EQ(normalize_tree_path(""), "/");
}

TEST(DirTree, SymlinksResolveInsideTheRoot) {
  test::TempDir outside;
  write(outside / "secret", "outside");
  test::TempDir root;
  write(root / "etc/real", "inside");
  write(root / "secret", "root-secret");
  fs::create_symlink("real", root / "etc/rel");
  fs::create_symlink("/etc/real", root / "etc/abs");
  fs::create_symlink("../../../../secret", root / "etc/up");          // clamps at the root
  fs::create_symlink((outside / "secret").string(), root / "etc/out");  // absolute: inside the root
  fs::create_symlink("loop2", root / "loop1");
  fs::create_symlink("loop1", root / "loop2");
  fs::create_symlink(outside.path().string(), root / "outdir");
  auto tree = DirTree::open(root.path());
  ASSERT_TRUE(tree) << tree.error().message;
  EXPECT_EQ((*tree)->read("/etc/rel", 100).value(), "inside");
  EXPECT_EQ((*tree)->read("/etc/abs", 100).value(), "inside");
  EXPECT_EQ((*tree)->read("/etc/up", 100).value(), "root-secret");
  auto out = (*tree)->read("/etc/out", 100);
  EXPECT_FALSE(out);  // resolves to <root>/<outside path>, which does not exist
  auto loop = (*tree)->read("/loop1", 100);
  ASSERT_FALSE(loop);
  EXPECT_NE(loop.error().message.find("symbolic links"), std::string::npos);
  // A directory symlink is never followed by the kernel: lstat through it finds nothing.
  EXPECT_FALSE((*tree)->lstat("/outdir/secret"));
  EXPECT_FALSE((*tree)->read("/outdir/secret", 100));
  EXPECT_FALSE((*tree)->read("/etc/real", 3));  // larger than the limit
}

TEST(DirTree, WalkSkipsNothingButDoesNotFollowLinks) {
  test::TempDir root;
  write(root / "a/b.txt", "x");
  fs::create_symlink("/", root / "rootlink");
  auto tree = DirTree::open(root.path());
  ASSERT_TRUE(tree);
  std::vector<std::string> seen;
  (*tree)->walk([&](const std::string& p, const Entry&) { seen.push_back(p); }, [](const std::string&, const std::string&) {});
  EXPECT_EQ(seen, (std::vector<std::string>{"/a/b.txt", "/rootlink"}));
}

TEST(DirTree, UnreadableFileIsAnError) {
  test::TempDir root;
  write(root / "f", "x");
  ::chmod((root / "f").c_str(), 0);
  ::chmod(root.path().c_str(), 0755);
  // Root reads any file: the check runs in a child that gives up root (as nobody) first.
  auto check = [&]() -> int {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return 3;
    auto tree = DirTree::open(root.path());
    if (!tree) return 4;
    return (*tree)->read("/f", 100) ? 1 : 0;
  };
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) ::_exit(check());
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the unreadable file was read; 3: could not drop root; 4: tree did not open";
}

class ImageTreeTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::unique_ptr<oci::LayoutStore> store = oci::LayoutStore::open(dir.path(), true).value();
};

TEST_F(ImageTreeTest, LayersAndWhiteouts) {
  std::vector<std::vector<test::LayerEntry>> layers = {
      {test::dir("etc/"), file("etc/a", "a1"), file("etc/b", "b1"), test::dir("opt/"), file("opt/x/1", "x1"),
       file("usr/lib/keep", "k"), test::symlink("lib", "usr/lib")},
      {file("etc/a", "a2"), file("etc/.wh.b", ""), file("opt/.wh..wh..opq", ""), file("opt/x/2", "x2"),
       test::hardlink("etc/hard", "etc/a")},
  };
  auto desc = test::write_sbom_image(*store, layers, "v1");
  ASSERT_TRUE(desc) << desc.error().message;
  std::vector<std::string> problems;
  auto tree = ImageTree::build(*store, *desc, oci::Platform{"linux", "amd64", "", "", {}},
                               [](const std::string& p) { return p == "/etc/a"; },
                               [&](const std::string& p, const std::string& m) { problems.push_back(p + ": " + m); });
  ASSERT_TRUE(tree) << tree.error().message;
  auto& t = **tree;
  EXPECT_EQ(t.read("/etc/a", 100).value(), "a2");        // cached (wanted)
  EXPECT_FALSE(t.lstat("/etc/b"));                        // whited out
  EXPECT_FALSE(t.lstat("/opt/x/1"));                      // opaque directory
  EXPECT_EQ(t.read("/opt/x/2", 100).value(), "x2");      // same layer as the opaque marker; second pass
  EXPECT_EQ(t.read("/lib/keep", 100).value(), "k");      // through a symlink, second pass
  EXPECT_EQ(t.read("/etc/hard", 100).value(), "a2");     // hard link
  EXPECT_EQ(t.lstat("/etc/a")->layer, t.info().layers[1].digest.str());
  EXPECT_EQ(t.lstat("/usr/lib/keep")->layer, t.info().layers[0].digest.str());
  EXPECT_EQ(t.list_dir("/etc"), (std::vector<std::string>{"a", "hard"}));
  EXPECT_TRUE(problems.empty());
}

TEST_F(ImageTreeTest, CorruptLayerIsAnError) {
  std::string junk = "this is not a tar archive at all, just text that goes on and on" + std::string(600, 'x');
  auto layer = oci::Descriptor::of(junk, oci::media_type::kOciLayerTar);
  ASSERT_TRUE(store->push_blob_bytes(layer, junk));
  oci::Manifest m;
  m.media_type = std::string(oci::media_type::kOciManifest);
  std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  m.config = oci::Descriptor::of(config, oci::media_type::kOciConfig);
  ASSERT_TRUE(store->push_blob_bytes(m.config, config));
  m.layers.push_back(layer);
  auto desc = store->push_manifest(m.serialize(), oci::media_type::kOciManifest, "bad");
  ASSERT_TRUE(desc);
  auto tree = ImageTree::build(*store, *desc, oci::Platform{"linux", "amd64", "", "", {}},
                               [](const std::string&) { return false; }, [](const std::string&, const std::string&) {});
  ASSERT_FALSE(tree);
  EXPECT_NE(tree.error().message.find(layer.digest.str()), std::string::npos) << tree.error().message;
}

TEST_F(ImageTreeTest, EntriesClimbingOutAreSkipped) {
  auto desc = test::write_sbom_image(*store, {{file("../../etc/passwd", "x"), file("ok", "y")}}, "v1", false);
  ASSERT_TRUE(desc) << desc.error().message;
  std::vector<std::string> problems;
  auto tree = ImageTree::build(*store, *desc, oci::Platform{"linux", "amd64", "", "", {}},
                               [](const std::string&) { return true; },
                               [&](const std::string& p, const std::string& m) { problems.push_back(p + ": " + m); });
  ASSERT_TRUE(tree) << tree.error().message;
  EXPECT_FALSE((*tree)->lstat("/etc/passwd"));
  EXPECT_EQ((*tree)->read("/ok", 10).value(), "y");
  EXPECT_EQ(problems.size(), 1u);
}

}  // namespace
}  // namespace sigil::sbom
