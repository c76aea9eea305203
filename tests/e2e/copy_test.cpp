// `sigil copy` against a real registry (Debian's docker-registry on loopback): round trips keep
// digests, referrers travel through the tag-schema fallback, indexes, mounts, credentials, failed
// copies leave no tag, and a large copy streams in constant memory.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "common/file.hpp"
#include "common/json.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/layout_store.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "support/docker_config.hpp"
#include "support/registry_server.hpp"
#include "support/layouts.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

ImageWithReferrers make_layout(const fs::path& dir, const TestImageOptions& options, bool referrers) {
  return write_layout_image(dir, options, referrers);
}

TestImageOptions tagged(std::string tag, std::uint64_t seed = 1) {
  TestImageOptions o;
  o.tag = std::move(tag);
  o.seed = seed;
  return o;
}

class RegistryCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::none);
    registry_ = std::make_unique<RegistryServer>();
    ASSERT_TRUE(registry_->running()) << registry_->failure();
  }
  std::string reg(const std::string& repo_and_tag) const { return registry_->host_port() + "/" + repo_and_tag; }

  TempDir tmp_;
  std::unique_ptr<RegistryServer> registry_;
};

TEST_F(RegistryCopy, LayoutToRegistryToLayoutKeepsTheDigestAndReferrers) {
  auto src = make_layout(tmp_ / "src", tagged("v1"), true);
  std::string digest = src.image.manifest.digest.str();

  auto push = run_sigil({"copy", "--referrers", layout_ref(tmp_ / "src", "v1"), reg("sigil/app:v1")});
  ASSERT_EQ(push.exit_code, 0) << push.describe();
  EXPECT_EQ(push.out, digest + "\n");
  EXPECT_EQ(run_sigil({"digest", reg("sigil/app:v1")}).out, digest + "\n");
  auto raw = run_sigil({"inspect", "--raw", reg("sigil/app:v1")});
  EXPECT_EQ(raw.out, src.image.manifest_raw) << raw.describe();

  // The registry has no referrers API: the referrers travel through the tag-schema fallback.
  auto remote_tree = run_sigil({"tree", "-o", "json", reg("sigil/app:v1")});
  auto rj = parse_json(remote_tree.out, "tree");
  ASSERT_TRUE(rj) << remote_tree.describe();
  ASSERT_EQ((*rj)["referrers"].size(), 1u) << remote_tree.out;
  EXPECT_EQ((*rj)["referrers"][0]["digest"], src.sbom.digest.str());
  ASSERT_EQ((*rj)["referrers"][0]["referrers"].size(), 1u) << remote_tree.out;
  EXPECT_EQ((*rj)["referrers"][0]["referrers"][0]["digest"], src.signature.digest.str());

  auto pull = run_sigil({"copy", "--referrers", reg("sigil/app:v1"), layout_ref(tmp_ / "back", "v1")});
  ASSERT_EQ(pull.exit_code, 0) << pull.describe();
  EXPECT_EQ(pull.out, digest + "\n");
  auto back = oci::LayoutStore::open(tmp_ / "back", false);
  ASSERT_TRUE(back);
  auto resolved = (*back)->resolve("v1");
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ((*back)->fetch_manifest(*resolved).value_or(""), src.image.manifest_raw);
  for (const auto& layer : src.image.layers) EXPECT_TRUE((*back)->has_blob(layer).value_or(false));
  auto tree = run_sigil({"tree", layout_ref(tmp_ / "back", "v1")});
  EXPECT_NE(tree.out.find(src.sbom.digest.str()), std::string::npos) << tree.describe();
  EXPECT_NE(tree.out.find(src.signature.digest.str()), std::string::npos) << tree.describe();
}

TEST_F(RegistryCopy, IndexTravelsWholeWithAllPlatformsAndAsOnePlatformOtherwise) {
  auto store = oci::LayoutStore::open(tmp_ / "src", true);
  ASSERT_TRUE(store);
  TestImageOptions amd_o = tagged("unused-amd", 1);
  TestImageOptions arm_o = tagged("unused-arm", 2);
  arm_o.architecture = "arm64";
  auto amd = write_test_image(**store, amd_o);
  auto arm = write_test_image(**store, arm_o);
  ASSERT_TRUE(amd && arm);
  oci::Index index;
  for (auto [image, arch] : {std::pair{&*amd, "amd64"}, std::pair{&*arm, "arm64"}}) {
    oci::Descriptor d = image->manifest;
    d.platform = oci::Platform{"linux", arch, "", "", {}};
    index.manifests.push_back(d);
  }
  std::string raw = index.serialize();
  ASSERT_TRUE((*store)->push_manifest(raw, oci::media_type::kOciIndex, "multi"));
  std::string index_digest = oci::Digest::of(raw).str();

  auto all = run_sigil({"copy", "--all-platforms", layout_ref(tmp_ / "src", "multi"), reg("sigil/multi:v1")});
  ASSERT_EQ(all.exit_code, 0) << all.describe();
  EXPECT_EQ(all.out, index_digest + "\n");
  EXPECT_EQ(run_sigil({"inspect", "--raw", reg("sigil/multi:v1")}).out, raw);
  auto config = run_sigil({"inspect", "--config", "--raw", "--platform", "linux/arm64", reg("sigil/multi:v1")});
  EXPECT_EQ(config.out, arm->config_raw) << config.describe();

  auto one = run_sigil({"copy", "--platform", "linux/arm64", reg("sigil/multi:v1"), layout_ref(tmp_ / "arm", "v1")});
  ASSERT_EQ(one.exit_code, 0) << one.describe();
  EXPECT_EQ(one.out, arm->manifest.digest.str() + "\n");
  EXPECT_EQ(run_sigil({"digest", layout_ref(tmp_ / "arm", "v1")}).out, arm->manifest.digest.str() + "\n");

  auto none = run_sigil({"copy", "--platform", "linux/s390x", reg("sigil/multi:v1"), layout_ref(tmp_ / "none", "v1")});
  EXPECT_EQ(none.exit_code, 2) << none.describe();
  EXPECT_NE(none.err.find("linux/arm64"), std::string::npos) << none.err;
  EXPECT_FALSE(fs::exists(tmp_ / "none"));
}

TEST_F(RegistryCopy, RegistryToRegistryMountsOrSkipsBlobs) {
  make_layout(tmp_ / "src", tagged("v1"), false);
  ASSERT_EQ(run_sigil({"copy", layout_ref(tmp_ / "src", "v1"), reg("sigil/a:v1")}).exit_code, 0);
  auto other_repo = run_sigil({"--verbose", "copy", reg("sigil/a:v1"), reg("sigil/b:v1")});
  ASSERT_EQ(other_repo.exit_code, 0) << other_repo.describe();
  EXPECT_NE(other_repo.err.find("mounted blob"), std::string::npos) << other_repo.err;
  EXPECT_EQ(other_repo.err.find("copied blob"), std::string::npos) << other_repo.err;
  auto same_repo = run_sigil({"--verbose", "copy", reg("sigil/a:v1"), reg("sigil/a:v2")});
  ASSERT_EQ(same_repo.exit_code, 0) << same_repo.describe();
  EXPECT_NE(same_repo.err.find("blob exists"), std::string::npos) << same_repo.err;
  EXPECT_EQ(run_sigil({"digest", reg("sigil/b:v1")}).out, run_sigil({"digest", reg("sigil/a:v2")}).out);
}

TEST_F(RegistryCopy, TamperedSourceLeavesTheRegistryUntagged) {
  auto src = make_layout(tmp_ / "src", tagged("v1"), false);
  auto path = tmp_ / "src" / "blobs" / "sha256" / src.image.layers[0].digest.hex();
  std::string bytes = read_file(path, 64 << 20).value_or("");
  ASSERT_FALSE(bytes.empty());
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;

  auto r = run_sigil({"copy", layout_ref(tmp_ / "src", "v1"), reg("sigil/bad:v1")});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  EXPECT_NE(r.err.find(src.image.layers[0].digest.str()), std::string::npos) << r.err;
  auto lookup = run_sigil({"digest", reg("sigil/bad:v1")});
  EXPECT_NE(lookup.exit_code, 0) << "the tag must not exist: " << lookup.describe();
  auto by_digest = run_sigil({"digest", reg("sigil/bad@" + src.image.manifest.digest.str())});
  EXPECT_NE(by_digest.exit_code, 0) << "the manifest must not exist: " << by_digest.describe();
}

TEST(RegistryCopyAuth, BasicAuthCredentialsComeFromDockerConfig) {
  SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::basic);
  RegistryOptions options;
  options.auth = RegistryAuth::basic;
  RegistryServer registry(options);
  ASSERT_TRUE(registry.running()) << registry.failure();
  TempDir tmp;
  auto src = make_layout(tmp / "src", tagged("v1"), false);
  std::string ref = registry.host_port() + "/sigil/private:v1";

  DockerConfigDir empty;
  empty.write();
  auto denied = run_sigil({"copy", layout_ref(tmp / "src", "v1"), ref}, std::chrono::seconds(120),
                          {"DOCKER_CONFIG=" + empty.dir().string()});
  EXPECT_NE(denied.exit_code, 0) << denied.describe();
  std::printf("without credentials: %s", denied.err.c_str());
  EXPECT_EQ(denied.stderr_lines(), 1u) << denied.err;

  DockerConfigDir config;
  config.add_auth(registry.host_port(), registry.options().username, registry.options().password);
  config.write();
  std::vector<std::string> env{"DOCKER_CONFIG=" + config.dir().string()};
  auto pushed = run_sigil({"copy", layout_ref(tmp / "src", "v1"), ref}, std::chrono::seconds(120), env);
  ASSERT_EQ(pushed.exit_code, 0) << pushed.describe();
  EXPECT_EQ(pushed.out, src.image.manifest.digest.str() + "\n");
  auto pulled = run_sigil({"copy", ref, layout_ref(tmp / "back", "v1")}, std::chrono::seconds(120), env);
  ASSERT_EQ(pulled.exit_code, 0) << pulled.describe();
  EXPECT_EQ(pulled.out, src.image.manifest.digest.str() + "\n");
}

// The issue's budget is < 64 MiB peak RSS for a 1 GiB copy; 3 layers of 96 MiB are enough to
// show the bytes stream (a copy that buffered one layer would already exceed it).
TEST_F(RegistryCopy, LargeCopyStreamsInConstantMemory) {
  TestImageOptions o = tagged("big", 9);
  o.layers = 3;
  o.layer_bytes = 96ull << 20;
  auto src = make_layout(tmp_ / "src", o, false);
  constexpr long kBudgetKib = 64 * 1024;

  auto push = run_sigil({"copy", layout_ref(tmp_ / "src", "big"), reg("sigil/big:v1")}, std::chrono::seconds(300));
  ASSERT_EQ(push.exit_code, 0) << push.describe();
  EXPECT_LT(push.max_rss_kib, kBudgetKib) << "layout → registry peak RSS";
  auto pull = run_sigil({"copy", reg("sigil/big:v1"), layout_ref(tmp_ / "back", "v1")}, std::chrono::seconds(300));
  ASSERT_EQ(pull.exit_code, 0) << pull.describe();
  EXPECT_LT(pull.max_rss_kib, kBudgetKib) << "registry → layout peak RSS";
  auto local = run_sigil({"copy", layout_ref(tmp_ / "back", "v1"), layout_ref(tmp_ / "again", "v1")},
                         std::chrono::seconds(300));
  ASSERT_EQ(local.exit_code, 0) << local.describe();
  EXPECT_LT(local.max_rss_kib, kBudgetKib) << "layout → layout peak RSS";
  EXPECT_EQ(local.out, src.image.manifest.digest.str() + "\n");
  std::printf("peak RSS of a 288 MiB copy: layout→registry %ld KiB, registry→layout %ld KiB, layout→layout %ld KiB\n",
              push.max_rss_kib, pull.max_rss_kib, local.max_rss_kib);
}

}  // namespace
}  // namespace sigil::test

namespace sigil::test {
namespace {

// A registry on loopback that serves TLS is used over TLS (plain HTTP is only the fallback there),
// and a private CA given with --ca-file is trusted on top of the system CAs.
TEST(RegistryCopyTls, LoopbackRegistryWithTlsIsReachedWithCaFile) {
  SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::none);
  RegistryOptions options;
  options.tls = true;
  RegistryServer registry(options);
  ASSERT_TRUE(registry.running()) << registry.failure();
  TempDir tmp;
  auto src = make_layout(tmp / "src", tagged("v1"), false);
  std::string dst = registry.host_port() + "/tls/app:v1";

  auto push = run_sigil({"copy", "--ca-file", registry.ca_file().string(), layout_ref(tmp / "src", "v1"), dst});
  ASSERT_EQ(push.exit_code, 0) << push.describe();
  EXPECT_EQ(push.out, src.image.manifest.digest.str() + "\n");
  auto digest = run_sigil({"digest", "--ca-file", registry.ca_file().string(), dst});
  EXPECT_EQ(digest.out, src.image.manifest.digest.str() + "\n") << digest.describe();

  // Without the CA the TLS registry is not trusted, and sigil does not quietly drop to plain HTTP
  // with a result: the command fails.
  auto untrusted = run_sigil({"digest", dst});
  EXPECT_NE(untrusted.exit_code, 0) << untrusted.describe();
}

}  // namespace
}  // namespace sigil::test
