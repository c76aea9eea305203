// sigil sign / verify against a real registry (Debian's docker-registry, distribution 2.8, which
// has no referrers API): signatures found through the referrers tag schema, --legacy-tag,
// --target-repository and COSIGN_REPOSITORY, a copy to another repository still verifying, and
// network failure giving exit 3.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "e2e/run_sigil.hpp"
#include "oci/manifest.hpp"
#include "oci/registry_store.hpp"
#include "sign/cosign_image.hpp"
#include "support/registry_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

const std::vector<std::string> kEnv = {"SIGIL_PASSWORD=registry-test"};

class SignRegistryE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::none);
    registry_ = std::make_unique<RegistryServer>();
    ASSERT_TRUE(registry_->running()) << registry_->failure();
    auto gen = run_sigil({"generate-key-pair", "--output-key-prefix", (dir_ / "k").string()},
                         std::chrono::seconds(60), kEnv);
    ASSERT_EQ(gen.exit_code, 0) << gen.describe();
    key_ = (dir_ / "k.key").string();
    pub_ = (dir_ / "k.pub").string();
    store_ = open("app/img");
    ASSERT_TRUE(store_);
    TestImageOptions options;
    options.tag = "v1";
    auto image = write_test_image(*store_, options);
    ASSERT_TRUE(image) << image.error().message;
    image_ = image->manifest;
    ref_ = registry_->host_port() + "/app/img:v1";
    by_digest_ = registry_->host_port() + "/app/img@" + image_.digest.str();
  }

  std::unique_ptr<oci::RegistryStore> open(const std::string& repo) {
    auto ref = oci::Reference::parse(registry_->host_port() + "/" + repo);
    EXPECT_TRUE(ref) << ref.error().message;
    oci::RegistryOptions options;
    options.docker_config_dir = dir_.path();
    auto s = oci::RegistryStore::open(*ref, options);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }

  RunResult sigil(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    std::vector<std::string> all = kEnv;
    all.push_back("DOCKER_CONFIG=" + dir_.path().string());
    all.insert(all.end(), env.begin(), env.end());
    return run_sigil(args, std::chrono::seconds(120), all);
  }

  TempDir dir_;
  std::unique_ptr<RegistryServer> registry_;
  std::string key_, pub_;
  std::unique_ptr<oci::RegistryStore> store_;
  oci::Descriptor image_;
  std::string ref_, by_digest_;
};

TEST_F(SignRegistryE2e, SignAndVerifyThroughTheFallbackTagSchema) {
  auto s = sigil({"sign", ref_, "--key", key_, "-a", "env=prod"});
  ASSERT_EQ(s.exit_code, 0) << s.describe();
  EXPECT_NE(s.err.find("uses a tag, not a digest"), std::string::npos) << s.err;

  // What other tools read: the index tagged sha256-<hex>, its entry typed and annotated.
  auto index_desc = store_->resolve("sha256-" + image_.digest.hex());
  ASSERT_TRUE(index_desc) << index_desc.error().message;
  auto raw = store_->fetch_manifest(*index_desc);
  ASSERT_TRUE(raw);
  auto index = oci::Index::parse(*raw);
  ASSERT_TRUE(index) << index.error().message;
  ASSERT_EQ(index->manifests.size(), 1u);
  EXPECT_EQ(index->manifests[0].artifact_type, sign::kBundleMediaTypeV03);
  EXPECT_EQ(index->manifests[0].annotations.at("dev.sigstore.bundle.predicateType"),
            sign::kCosignSignPredicateType);
  EXPECT_EQ(index->manifests[0].annotations.at("dev.sigstore.bundle.content"), "dsse-envelope");

  auto v = sigil({"verify", by_digest_, "--key", pub_, "-a", "env=prod"});
  ASSERT_EQ(v.exit_code, 0) << v.describe();
  EXPECT_NE(v.out.find("sigstore-bundle"), std::string::npos) << v.out;
  auto wrong = sigil({"verify", by_digest_, "--key", pub_, "-a", "env=dev"});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.describe();
}

TEST_F(SignRegistryE2e, EveryKeyTypeRoundTripsThroughTheRegistry) {
  for (std::string algorithm : {"ecdsa-p384", "ed25519", "rsa-3072"}) {
    SCOPED_TRACE(algorithm);
    std::string prefix = (dir_ / algorithm).string();
    ASSERT_EQ(sigil({"generate-key-pair", "--output-key-prefix", prefix, "--algorithm", algorithm}).exit_code, 0);
    auto s = sigil({"sign", by_digest_, "--key", prefix + ".key", "-a", "alg=" + algorithm});
    ASSERT_EQ(s.exit_code, 0) << s.describe();
    auto v = sigil({"verify", by_digest_, "--key", prefix + ".pub", "-a", "alg=" + algorithm});
    EXPECT_EQ(v.exit_code, 0) << v.describe();
    // The other keys' signatures sit beside it in the same fallback index and must not count.
    auto other = sigil({"verify", by_digest_, "--key", pub_, "-a", "alg=" + algorithm});
    EXPECT_EQ(other.exit_code, 1) << other.describe();
  }
}

TEST_F(SignRegistryE2e, LegacyTagOnARegistry) {
  ASSERT_EQ(sigil({"sign", by_digest_, "--key", key_, "--legacy-tag"}).exit_code, 0);
  auto tags = store_->tags();
  ASSERT_TRUE(tags) << tags.error().message;
  std::string tag = sign::legacy_signature_tag(image_.digest);
  EXPECT_NE(std::find(tags->begin(), tags->end(), tag), tags->end());
  auto v = sigil({"verify", by_digest_, "--key", pub_});
  ASSERT_EQ(v.exit_code, 0) << v.describe();
  EXPECT_NE(v.out.find("simple-signing"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("docker-reference " + registry_->host_port() + "/app/img"), std::string::npos)
      << v.out;
}

TEST_F(SignRegistryE2e, TargetRepositoryAndCosignRepository) {
  std::string sigs = registry_->host_port() + "/app/signatures";
  ASSERT_EQ(sigil({"sign", by_digest_, "--key", key_, "--target-repository", sigs}).exit_code, 0);
  auto here = store_->referrers(image_.digest);
  ASSERT_TRUE(here);
  EXPECT_TRUE(here->empty()) << "nothing is written to the image's repository";

  auto missing = sigil({"verify", by_digest_, "--key", pub_});
  EXPECT_EQ(missing.exit_code, 1) << missing.describe();
  EXPECT_NE(missing.err.find("no signatures found"), std::string::npos) << missing.err;
  auto flag = sigil({"verify", by_digest_, "--key", pub_, "--target-repository", sigs});
  EXPECT_EQ(flag.exit_code, 0) << flag.describe();
  auto env = sigil({"verify", by_digest_, "--key", pub_}, {"COSIGN_REPOSITORY=" + sigs});
  EXPECT_EQ(env.exit_code, 0) << env.describe();

  // COSIGN_REPOSITORY for signing too.
  std::string other = registry_->host_port() + "/app/other-signatures";
  ASSERT_EQ(sigil({"sign", by_digest_, "--key", key_}, {"COSIGN_REPOSITORY=" + other}).exit_code, 0);
  EXPECT_EQ(sigil({"verify", by_digest_, "--key", pub_, "--target-repository", other}).exit_code, 0);
}

TEST_F(SignRegistryE2e, SignatureSurvivesACopyToAnotherRepository) {
  ASSERT_EQ(sigil({"sign", by_digest_, "--key", key_, "--legacy-tag"}).exit_code, 0);
  std::string copy = registry_->host_port() + "/mirror/img:v1";
  auto c = sigil({"copy", "--referrers", by_digest_, copy});
  ASSERT_EQ(c.exit_code, 0) << c.describe();
  // The legacy tag is a tag, not a referrer: copy it as cosign users do (cosign copy), by tag.
  std::string tag = sign::legacy_signature_tag(image_.digest);
  ASSERT_EQ(sigil({"copy", registry_->host_port() + "/app/img:" + tag,
                   registry_->host_port() + "/mirror/img:" + tag})
                .exit_code,
            0);
  auto v = sigil({"verify", registry_->host_port() + "/mirror/img@" + image_.digest.str(), "--key", pub_});
  ASSERT_EQ(v.exit_code, 0) << v.describe();
  // The legacy payload still names the original repository: reported, not enforced.
  EXPECT_NE(v.out.find("docker-reference " + registry_->host_port() + "/app/img"), std::string::npos)
      << v.out;
  EXPECT_NE(v.out.find("sigstore-bundle"), std::string::npos) << v.out;
}

TEST_F(SignRegistryE2e, NetworkFailureIsExitThree) {
  ASSERT_EQ(sigil({"sign", by_digest_, "--key", key_}).exit_code, 0);
  registry_->stop();
  auto v = sigil({"verify", by_digest_, "--key", pub_});
  EXPECT_EQ(v.exit_code, 3) << v.describe();
  EXPECT_EQ(v.stderr_lines(), 1u) << v.err;
  auto s = sigil({"sign", by_digest_, "--key", key_});
  EXPECT_EQ(s.exit_code, 3) << s.describe();
}

}  // namespace
}  // namespace sigil::test
