// sigil attest / verify-attestation / verify-provenance against a real registry (Debian's
// docker-registry, distribution 2.8, no referrers API): the attestation is found through the
// referrers tag schema, announced with its predicate type as cosign v3 writes it.
#include <gtest/gtest.h>

#include <fstream>

#include "e2e/run_sigil.hpp"
#include "oci/manifest.hpp"
#include "oci/registry_store.hpp"
#include "provenance/provenance.hpp"
#include "support/registry_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

TEST(AttestRegistryE2e, AttestAndVerifyThroughTheFallbackTagSchema) {
  SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::none);
  RegistryServer registry;
  ASSERT_TRUE(registry.running()) << registry.failure();
  TempDir dir;
  std::vector<std::string> env{"SIGIL_PASSWORD=registry-test", "DOCKER_CONFIG=" + dir.path().string()};
  auto sigil = [&](const std::vector<std::string>& args) { return run_sigil(args, std::chrono::seconds(120), env); };
  ASSERT_EQ(sigil({"generate-key-pair", "--output-key-prefix", (dir / "k").string()}).exit_code, 0);

  auto ref = oci::Reference::parse(registry.host_port() + "/app/img");
  ASSERT_TRUE(ref);
  oci::RegistryOptions options;
  options.docker_config_dir = dir.path();
  auto store = oci::RegistryStore::open(*ref, options);
  ASSERT_TRUE(store) << store.error().message;
  TestImageOptions image_options;
  image_options.tag = "v1";
  auto image = write_test_image(**store, image_options);
  ASSERT_TRUE(image) << image.error().message;
  std::string by_digest = registry.host_port() + "/app/img@" + image->manifest.digest.str();

  provenance::BuildFacts facts;
  facts.source.git_uri = "https://github.com/org/app.git";
  facts.source.git_commit = "0123456789abcdef0123456789abcdef01234567";
  facts.source.git_ref = "refs/heads/main";
  facts.dockerfile_path = "Dockerfile";
  facts.dockerfile_digest = oci::Digest::of("FROM scratch\n");
  facts.builder.id = std::string(provenance::kLocalBuilderId);
  fs::path file = dir / "provenance.json";
  std::ofstream(file, std::ios::binary) << provenance::serialize_predicate(provenance::make_predicate(facts));

  auto a = sigil({"attest", registry.host_port() + "/app/img:v1", "--predicate", file.string(), "--type",
                  "slsaprovenance1", "--key", (dir / "k.key").string()});
  ASSERT_EQ(a.exit_code, 0) << a.describe();

  // What other tools read: the index tagged sha256-<hex>, its entry typed and announcing the predicate.
  auto index_desc = (*store)->resolve("sha256-" + image->manifest.digest.hex());
  ASSERT_TRUE(index_desc) << index_desc.error().message;
  auto index = oci::Index::parse((*store)->fetch_manifest(*index_desc).value());
  ASSERT_TRUE(index);
  ASSERT_EQ(index->manifests.size(), 1u);
  EXPECT_EQ(index->manifests[0].artifact_type, "application/vnd.dev.sigstore.bundle.v0.3+json");
  EXPECT_EQ(index->manifests[0].annotations.at("dev.sigstore.bundle.predicateType"), "https://slsa.dev/provenance/v1");

  std::string pub = (dir / "k.pub").string();
  auto v = sigil({"verify-attestation", by_digest, "--key", pub, "--type", "slsaprovenance1"});
  ASSERT_EQ(v.exit_code, 0) << v.describe();
  EXPECT_NE(v.out.find("1 attestation"), std::string::npos) << v.out;
  auto p = sigil({"verify-provenance", by_digest, "--key", pub, "--source-uri", "github.com/org/app",
                  "--source-branch", "main", "--builder-id", std::string(provenance::kLocalBuilderId)});
  ASSERT_EQ(p.exit_code, 0) << p.describe();
  auto wrong = sigil({"verify-provenance", by_digest, "--key", pub, "--source-uri", "github.com/org/other"});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.describe();

  // A registry that stops answering leaves the answer unknown: exit 3, not "denied".
  registry.stop();
  auto down = sigil({"verify-attestation", by_digest, "--key", pub});
  EXPECT_EQ(down.exit_code, 3) << down.describe();
}

}  // namespace
}  // namespace sigil::test
