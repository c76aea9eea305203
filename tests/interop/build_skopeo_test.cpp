// skopeo pushes what `sigil build` wrote to a real registry, unchanged; `sigil build --push`
// pushes there directly; and the registry cache round trip makes a fresh cache hit everything.
#include <gtest/gtest.h>

#include "e2e/build_support.hpp"
#include "support/registry_server.hpp"

namespace sigil::test {
namespace {

class BuildRegistry : public ::testing::Test {
 protected:
  void SetUp() override {
    SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::none);
    registry_ = std::make_unique<RegistryServer>();
    ASSERT_TRUE(registry_->running()) << registry_->failure();
  }
  TempDir tmp_;
  std::unique_ptr<RegistryServer> registry_;
};

TEST_F(BuildRegistry, SkopeoCopiesOurLayoutToTheRegistry) {
  if (!on_path("skopeo")) {
    if (RegistryServer::skips_forbidden()) FAIL() << "skopeo missing";
    GTEST_SKIP() << "skopeo not installed";
  }
  write_sample_context(tmp_ / "ctx", "FROM scratch\nCOPY . /src\n");
  auto r = build(tmp_ / "cache", {"-t", layout_ref(tmp_ / "out", "v1"), (tmp_ / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  std::string ref = registry_->host_port() + "/sigil/built:v1";
  auto copy = run_program({"skopeo", "copy", "--dest-tls-verify=false", "oci:" + (tmp_ / "out").string() + ":v1",
                           "docker://" + ref},
                          std::chrono::seconds(180));
  ASSERT_EQ(copy.exit_code, 0) << copy.describe();
  auto digest = run_sigil({"digest", ref});
  EXPECT_EQ(digest.out, r.out) << digest.describe();
}

TEST_F(BuildRegistry, PushAndRegistryCacheRoundTrip) {
  write_sample_context(tmp_ / "ctx", "FROM scratch\nCOPY hello.txt /\nCOPY app /app\n");
  std::string image = registry_->host_port() + "/sigil/pushed:v1";
  std::string cache_ref = registry_->host_port() + "/sigil/cache:main";
  auto r = build(tmp_ / "cache1", {"--push", "-t", image, "--cache-to", cache_ref, (tmp_ / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(run_sigil({"digest", image}).out, r.out);
  // A fresh runner with only the registry cache builds the same image without compressing.
  auto again = run_sigil({"build", "--cache-dir", (tmp_ / "cache2").string(), "--progress", "json", "--cache-from",
                          cache_ref, (tmp_ / "ctx").string()},
                         std::chrono::seconds(120), {"SOURCE_DATE_EPOCH="});
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_EQ(again.out, r.out);
  EXPECT_EQ(again.err.find("\"cached\":false"), std::string::npos) << again.err;
  // A registry tag without --push is refused before anything runs.
  auto refused = build(tmp_ / "cache1", {"-t", image, (tmp_ / "ctx").string()});
  EXPECT_EQ(refused.exit_code, 2);
}

TEST_F(BuildRegistry, FromARegistryBaseAndCopyFromAnImage) {
  // A base image made by sigil itself, pushed to the loopback registry.
  put(tmp_ / "base" / "Dockerfile", "FROM scratch\nCOPY passwd /etc/passwd\nCOPY group /etc/group\nENV BASE=1\n");
  put(tmp_ / "base" / "passwd", "root:x:0:0::/root:/bin/sh\nweb:x:33:33::/var/www:/bin/sh\n");
  put(tmp_ / "base" / "group", "root:x:0:\nwww:x:33:\n");
  std::string base = registry_->host_port() + "/sigil/base:1";
  auto b = build(tmp_ / "cache", {"--push", "-t", base, (tmp_ / "base").string()});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  put(tmp_ / "ctx" / "Dockerfile", "FROM " + base + "\nCOPY --chown=web:www hello.txt /srv/\nCOPY --from=" + base +
                                       " /etc/group /copied-group\n");
  put(tmp_ / "ctx" / "hello.txt", "hi\n");
  auto r = build(tmp_ / "cache", {"-t", layout_ref(tmp_ / "out"), (tmp_ / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto image = read_built(tmp_ / "out", "latest");
  EXPECT_EQ(image.manifest.layers.size(), 4u);
  bool inherited = false;
  for (const auto& e : image.config["config"]["Env"]) inherited = inherited || e == "BASE=1";
  EXPECT_TRUE(inherited);
  auto listing = run_program({"tar", "--numeric-owner", "-tvzf", image.store->blob_path(image.manifest.layers[2].digest).string()});
  EXPECT_NE(listing.out.find("33/33"), std::string::npos) << listing.out;
}

}  // namespace
}  // namespace sigil::test
