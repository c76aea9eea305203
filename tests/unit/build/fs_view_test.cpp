#include "build/exec/fs_view.hpp"

#include <gtest/gtest.h>

#include "build/layer/layer_writer.hpp"
#include "common/file.hpp"
#include "support/temp_dir.hpp"

namespace sigil::build {
namespace {

LayerEntry file(std::string path, std::string data, std::uint32_t uid = 0) {
  LayerEntry e;
  e.path = std::move(path);
  e.size = data.size();
  e.uid = uid;
  e.content = std::move(data);
  return e;
}

LayerEntry dir(std::string path) {
  LayerEntry e;
  e.path = std::move(path);
  e.type = EntryType::directory;
  e.mode = 0755;
  return e;
}

LayerEntry link(std::string path, std::string target) {
  LayerEntry e;
  e.path = std::move(path);
  e.type = EntryType::symlink;
  e.mode = 0777;
  e.link_target = std::move(target);
  return e;
}

class FsViewTest : public ::testing::Test {
 protected:
  std::filesystem::path blob(std::vector<LayerEntry> entries, Compression c = Compression::gzip) {
    std::filesystem::create_directories(tmp_ / "blobs");
    LayerOptions o;
    o.compression = c;
    auto r = write_layer(std::move(entries), tmp_ / "blobs", o);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? r->path : std::filesystem::path();
  }
  test::TempDir tmp_;
};

TEST_F(FsViewTest, WhiteoutsHideLowerLayers) {
  auto lower = blob({dir("etc"), file("etc/passwd", "root:x:0:0::/:/bin/sh\n"), file("etc/old", "x"), dir("var"),
                     dir("var/cache"), file("var/cache/a", "a"), file("var/cache/b", "b")});
  auto upper = blob({dir("etc"), file("etc/.wh.old", ""), dir("var"), dir("var/cache"), file("var/cache/.wh..wh..opq", ""),
                     file("var/cache/c", "c")}, Compression::zstd);
  std::filesystem::create_directories(tmp_ / "scratch");
  FsView view(tmp_ / "scratch");
  view.add_blob(lower);
  view.add_blob(upper);
  EXPECT_TRUE(view.lookup("/etc/passwd").value());
  EXPECT_FALSE(view.lookup("/etc/old").value());
  EXPECT_FALSE(view.lookup("/var/cache/a").value());
  EXPECT_TRUE(view.lookup("/var/cache/c").value());
  EXPECT_EQ(view.children("/var/cache").value(), std::vector<std::string>{"c"});
  EXPECT_EQ(view.read_file("/etc/passwd", 1024).value().value_or(""), "root:x:0:0::/:/bin/sh\n");
}

TEST_F(FsViewTest, EntriesOnTopAndSymlinksResolveInside) {
  auto base = blob({dir("usr"), dir("usr/lib"), file("usr/lib/os-release", "ID=test\n"), dir("etc"),
                    link("etc/os-release", "../usr/lib/os-release"), link("lib", "/usr/lib"),
                    link("escape", "../../../../usr/lib")});
  std::filesystem::create_directories(tmp_ / "scratch");
  FsView view(tmp_ / "scratch");
  view.add_blob(base);
  view.add_entries({file("app/x", "mine", 7)});
  EXPECT_EQ(view.read_file("/etc/os-release", 1024).value().value_or(""), "ID=test\n");
  auto via_link = view.lookup_follow("/lib/os-release").value();
  ASSERT_TRUE(via_link);
  EXPECT_EQ(via_link->path, "usr/lib/os-release");
  EXPECT_TRUE(view.lookup_follow("/escape/os-release").value()) << "'..' above the root stays at the root";
  auto mine = view.lookup("/app/x").value();
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->uid, 7u);
  auto sub = view.subtree("/usr").value();
  ASSERT_EQ(sub.size(), 2u);
  EXPECT_TRUE(view.materialize(sub, "/usr"));
  EXPECT_TRUE(std::holds_alternative<FileContent>(sub[1].content));
  EXPECT_EQ(read_file(std::get<FileContent>(sub[1].content).path, 100).value(), "ID=test\n");
}

}  // namespace
}  // namespace sigil::build
