// skopeo, an independent implementation, reads what sigil pushed to a real registry, and sigil
// reads what skopeo pushed: manifests byte for byte, digests equal, both ways, for images,
// indexes and Docker schema 2.
#include <gtest/gtest.h>

#include "e2e/run_sigil.hpp"
#include "oci/digest.hpp"
#include "oci/layout_store.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "support/registry_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

class SkopeoInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!on_path("skopeo")) {
      if (RegistryServer::skips_forbidden()) FAIL() << "skopeo missing (scripts/bootstrap --test installs it)";
      GTEST_SKIP() << "skopeo not installed (apt-get install skopeo)";
    }
    SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::none);
    registry_ = std::make_unique<RegistryServer>();
    ASSERT_TRUE(registry_->running()) << registry_->failure();
  }

  std::string reg(const std::string& repo_and_tag) const { return registry_->host_port() + "/" + repo_and_tag; }

  RunResult skopeo(std::vector<std::string> args) {
    args.insert(args.begin(), "skopeo");
    // No signature policy, no TLS on loopback, and no user config influencing the result.
    args.insert(args.begin() + 2, "--insecure-policy");
    return run_program(args, std::chrono::seconds(180), {"REGISTRY_AUTH_FILE=" + (tmp_ / "auth.json").string()});
  }
  std::string skopeo_raw(const std::string& ref) {
    auto r = run_program({"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return r.out;
  }

  TestImage image_in_layout(const fs::path& dir, const std::string& tag, std::uint64_t seed = 1,
                            const std::string& arch = "amd64") {
    auto store = oci::LayoutStore::open(dir, true);
    EXPECT_TRUE(store) << store.error().message;
    TestImageOptions o;
    o.tag = tag;
    o.seed = seed;
    o.architecture = arch;
    auto image = write_test_image(**store, o);
    EXPECT_TRUE(image) << image.error().message;
    return image.value_or(TestImage{});
  }

  // An index of an amd64 and an arm64 image, tagged `tag`; returns its raw bytes.
  std::string index_in_layout(const fs::path& dir, const std::string& tag) {
    auto amd = image_in_layout(dir, "amd", 1, "amd64");
    auto arm = image_in_layout(dir, "arm", 2, "arm64");
    oci::Index index;
    for (auto [image, arch] : {std::pair{&amd, "amd64"}, std::pair{&arm, "arm64"}}) {
      oci::Descriptor d = image->manifest;
      d.platform = oci::Platform{"linux", arch, "", "", {}};
      index.manifests.push_back(d);
    }
    std::string raw = index.serialize();
    auto store = oci::LayoutStore::open(dir, false);
    EXPECT_TRUE(store && (*store)->push_manifest(raw, oci::media_type::kOciIndex, tag));
    return raw;
  }

  TempDir tmp_;
  std::unique_ptr<RegistryServer> registry_;
};

TEST_F(SkopeoInterop, SkopeoReadsWhatSigilPushed) {
  auto image = image_in_layout(tmp_ / "src", "v1");
  auto push = run_sigil({"copy", layout_ref(tmp_ / "src", "v1"), reg("sigil/pushed:v1")});
  ASSERT_EQ(push.exit_code, 0) << push.describe();
  EXPECT_EQ(skopeo_raw(reg("sigil/pushed:v1")), image.manifest_raw);

  auto pulled = skopeo({"copy", "--src-tls-verify=false", "docker://" + reg("sigil/pushed:v1"),
                        layout_ref(tmp_ / "by-skopeo", "v1")});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.describe();
  EXPECT_EQ(run_sigil({"digest", layout_ref(tmp_ / "by-skopeo", "v1")}).out, image.manifest.digest.str() + "\n");
}

TEST_F(SkopeoInterop, SigilReadsWhatSkopeoPushed) {
  image_in_layout(tmp_ / "src", "v1");
  auto push = skopeo({"copy", "--dest-tls-verify=false", layout_ref(tmp_ / "src", "v1"), "docker://" + reg("sigil/skopeo:v1")});
  ASSERT_EQ(push.exit_code, 0) << push.describe();
  std::string raw = skopeo_raw(reg("sigil/skopeo:v1"));
  std::string digest = oci::Digest::of(raw).str();

  EXPECT_EQ(run_sigil({"digest", reg("sigil/skopeo:v1")}).out, digest + "\n");
  auto pull = run_sigil({"copy", reg("sigil/skopeo:v1"), layout_ref(tmp_ / "back", "v1")});
  ASSERT_EQ(pull.exit_code, 0) << pull.describe();
  EXPECT_EQ(pull.out, digest + "\n");
  EXPECT_EQ(run_sigil({"inspect", "--raw", layout_ref(tmp_ / "back", "v1")}).out, raw);
}

TEST_F(SkopeoInterop, DockerSchema2FromSkopeoKeepsItsBytes) {
  image_in_layout(tmp_ / "src", "v1");
  auto push = skopeo({"copy", "--format", "v2s2", "--dest-tls-verify=false", layout_ref(tmp_ / "src", "v1"),
                      "docker://" + reg("sigil/docker:v1")});
  ASSERT_EQ(push.exit_code, 0) << push.describe();
  std::string raw = skopeo_raw(reg("sigil/docker:v1"));
  ASSERT_NE(raw.find(oci::media_type::kDockerManifest), std::string::npos) << raw;

  auto pull = run_sigil({"copy", reg("sigil/docker:v1"), layout_ref(tmp_ / "back", "v1")});
  ASSERT_EQ(pull.exit_code, 0) << pull.describe();
  EXPECT_EQ(pull.out, oci::Digest::of(raw).str() + "\n");
  EXPECT_EQ(run_sigil({"inspect", "--raw", layout_ref(tmp_ / "back", "v1")}).out, raw);
  // And back into the registry under another name: still the same bytes for skopeo.
  auto again = run_sigil({"copy", layout_ref(tmp_ / "back", "v1"), reg("sigil/docker-again:v1")});
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_EQ(skopeo_raw(reg("sigil/docker-again:v1")), raw);
}

TEST_F(SkopeoInterop, IndexesTravelWholeBothWays) {
  std::string raw = index_in_layout(tmp_ / "src", "multi");
  std::string digest = oci::Digest::of(raw).str();
  auto push = run_sigil({"copy", "--all-platforms", layout_ref(tmp_ / "src", "multi"), reg("sigil/multi:v1")});
  ASSERT_EQ(push.exit_code, 0) << push.describe();
  EXPECT_EQ(skopeo_raw(reg("sigil/multi:v1")), raw);
  auto skopeo_pull = skopeo({"copy", "--all", "--src-tls-verify=false", "docker://" + reg("sigil/multi:v1"),
                             layout_ref(tmp_ / "by-skopeo", "v1")});
  ASSERT_EQ(skopeo_pull.exit_code, 0) << skopeo_pull.describe();
  EXPECT_EQ(run_sigil({"digest", layout_ref(tmp_ / "by-skopeo", "v1")}).out, digest + "\n");

  auto skopeo_push = skopeo({"copy", "--all", "--dest-tls-verify=false", layout_ref(tmp_ / "src", "multi"),
                             "docker://" + reg("sigil/multi-skopeo:v1")});
  ASSERT_EQ(skopeo_push.exit_code, 0) << skopeo_push.describe();
  std::string skopeo_raw_index = skopeo_raw(reg("sigil/multi-skopeo:v1"));
  auto pull = run_sigil({"copy", "--all-platforms", reg("sigil/multi-skopeo:v1"), layout_ref(tmp_ / "back", "v1")});
  ASSERT_EQ(pull.exit_code, 0) << pull.describe();
  EXPECT_EQ(pull.out, oci::Digest::of(skopeo_raw_index).str() + "\n");
}

}  // namespace
}  // namespace sigil::test
