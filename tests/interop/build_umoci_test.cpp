// umoci unpacks what `sigil build` writes and reproduces the context: bytes, modes, symlinks,
// and the owners --chown gave.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "e2e/build_support.hpp"
#include "support/registry_server.hpp"

namespace sigil::test {
namespace {

TEST(BuildUmoci, UnpackReproducesTheContextTree) {
  if (!on_path("umoci")) {
    if (RegistryServer::skips_forbidden()) FAIL() << "umoci missing (scripts/bootstrap --test installs it)";
    GTEST_SKIP() << "umoci not installed";
  }
  TempDir tmp;
  write_sample_context(tmp / "ctx",
                       "FROM scratch\nCOPY app /app\nCOPY --chown=1234:5678 hello.txt /owned/hello.txt\n");
  auto r = build(tmp / "cache", {"-t", layout_ref(tmp / "out", "v1"), (tmp / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto u = run_program({"umoci", "unpack", "--rootless", "--image", (tmp / "out").string() + ":v1", (tmp / "bundle").string()},
                       std::chrono::seconds(180));
  ASSERT_EQ(u.exit_code, 0) << u.describe();
  fs::path rootfs = tmp / "bundle" / "rootfs";
  for (const char* file : {"app/main.sh", "app/data/table.csv"}) {
    EXPECT_EQ(read_file(rootfs / file, 1 << 20).value_or("?"), read_file(tmp / "ctx" / file, 1 << 20).value_or("!")) << file;
    struct stat a {};
    struct stat b {};
    ASSERT_EQ(::stat((rootfs / file).c_str(), &a), 0);
    ASSERT_EQ(::stat((tmp / "ctx" / file).c_str(), &b), 0);
    EXPECT_EQ(a.st_mode & 07777, b.st_mode & 07777) << file;
  }
  EXPECT_TRUE(fs::is_symlink(rootfs / "app" / "run"));
  EXPECT_EQ(fs::read_symlink(rootfs / "app" / "run"), "main.sh");
  EXPECT_EQ(read_file(rootfs / "owned" / "hello.txt", 1 << 20).value_or(""), "hello, world\n");
  // Rootless unpacking cannot chown; umoci records the owners in its mtree manifest as the
  // user.rootlesscontainers xattr: protobuf {uid: 1234, gid: 5678} = 08 d2 09 10 ae 2c, base64 "CNIJEK4s".
  bool found_owner = false;
  for (const auto& e : fs::directory_iterator(tmp / "bundle")) {
    if (e.path().extension() != ".mtree") continue;
    auto mtree = read_file(e.path(), 1 << 24).value_or("");
    auto pos = mtree.find("hello.txt");
    ASSERT_NE(pos, std::string::npos);
    auto line = mtree.substr(pos, mtree.find('\n', pos) - pos);
    EXPECT_NE(line.find("xattr.user.rootlesscontainers=CNIJEK4s"), std::string::npos) << line;
    found_owner = true;
  }
  EXPECT_TRUE(found_owner);
}

}  // namespace
}  // namespace sigil::test
