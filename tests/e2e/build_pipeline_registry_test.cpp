// The whole pipeline against a real registry (Debian's docker-registry, no referrers API): one
// `sigil build --push --sbom --provenance --sign-key` and every check a release engineer runs
// afterwards passes; each fails on a wrong key, a wrong source or builder id, a provenance
// statement moved onto another image, and a tampered statement.
#include <gtest/gtest.h>

#include <cstdlib>

#include "e2e/build_support.hpp"
#include "oci/artifact.hpp"
#include "oci/registry_store.hpp"
#include "sign/bundle.hpp"
#include "sign/cosign_image.hpp"
#include "support/registry_server.hpp"

namespace sigil::test {
namespace {

TEST(BuildPipelineRegistry, BuildPushAttestSignThenVerifyAndRefuse) {
  SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::none);
  RegistryServer registry;
  ASSERT_TRUE(registry.running()) << registry.failure();
  TempDir dir;
  std::vector<std::string> env{"SIGIL_PASSWORD=pipeline-registry", "DOCKER_CONFIG=" + dir.path().string(),
                               "SOURCE_DATE_EPOCH=", "GITHUB_ACTIONS=", "GITLAB_CI=", "BUILDKITE=", "JENKINS_URL="};
  auto sigil = [&](const std::vector<std::string>& args) { return run_sigil(args, std::chrono::seconds(300), env); };
  ASSERT_EQ(sigil({"generate-key-pair", "--output-key-prefix", (dir / "k").string()}).exit_code, 0);
  ASSERT_EQ(sigil({"generate-key-pair", "--output-key-prefix", (dir / "other").string()}).exit_code, 0);

  fs::path context = dir / "ctx";
  write_sample_context(context, "FROM scratch\nCOPY hello.txt /\nCOPY app /app\n");
  ASSERT_EQ(std::system(("cd '" + context.string() +
                         "' && git init -q -b main && git -c user.email=t@example.com -c user.name=t add -A && "
                         "git -c user.email=t@example.com -c user.name=t commit -q -m init && "
                         "git remote add origin https://github.com/example/app.git")
                            .c_str()),
            0);
  std::string repo = registry.host_port() + "/team/app";
  auto built = sigil({"build", "--cache-dir", (dir / "cache").string(), "--progress", "plain", "--push", "-t",
                      repo + ":v1", "--sbom", "cyclonedx", "--provenance", "min", "--sign-key",
                      (dir / "k.key").string(), "--builder-id", "https://ci.example.com/builders/release",
                      context.string()});
  ASSERT_EQ(built.exit_code, 0) << built.describe();
  std::string digest = built.out.substr(0, built.out.find('\n'));
  std::string image = repo + "@" + digest;
  std::string pub = (dir / "k.pub").string();

  EXPECT_EQ(sigil({"verify", image, "--key", pub}).exit_code, 0);
  EXPECT_EQ(sigil({"verify-attestation", image, "--key", pub, "--type", "cyclonedx"}).exit_code, 0);
  auto good = sigil({"verify-provenance", image, "--key", pub, "--source-uri", "github.com/example/app",
                     "--source-branch", "main", "--builder-id", "https://ci.example.com/builders/release"});
  EXPECT_EQ(good.exit_code, 0) << good.describe();
  auto tree = sigil({"tree", image});
  EXPECT_NE(tree.out.find("https://slsa.dev/provenance/v1"), std::string::npos) << tree.out;
  EXPECT_NE(tree.out.find("https://cyclonedx.org/bom"), std::string::npos) << tree.out;

  // Refusals, each with its reason.
  auto wrong_key = sigil({"verify-provenance", image, "--key", (dir / "other.pub").string(), "--source-uri",
                          "github.com/example/app"});
  EXPECT_EQ(wrong_key.exit_code, 1) << wrong_key.describe();
  auto wrong_source = sigil({"verify-provenance", image, "--key", pub, "--source-uri", "github.com/example/other"});
  EXPECT_EQ(wrong_source.exit_code, 1);
  EXPECT_NE(wrong_source.err.find("source"), std::string::npos) << wrong_source.err;
  auto wrong_branch = sigil({"verify-provenance", image, "--key", pub, "--source-uri", "github.com/example/app",
                             "--source-branch", "release"});
  EXPECT_EQ(wrong_branch.exit_code, 1);
  auto wrong_builder = sigil({"verify-provenance", image, "--key", pub, "--source-uri", "github.com/example/app",
                              "--builder-id", "https://sigil.dev/builders/local"});
  EXPECT_EQ(wrong_builder.exit_code, 1);
  EXPECT_NE(wrong_builder.err.find("builder"), std::string::npos) << wrong_builder.err;

  // The provenance bundle of this image, copied onto another image, does not vouch for it.
  auto ref = oci::Reference::parse(repo);
  ASSERT_TRUE(ref);
  oci::RegistryOptions options;
  options.docker_config_dir = dir.path();
  auto store = oci::RegistryStore::open(*ref, options);
  ASSERT_TRUE(store) << store.error().message;
  auto subject = oci::Digest::parse(digest);
  ASSERT_TRUE(subject);
  auto referrers = (*store)->referrers(*subject, "");
  ASSERT_TRUE(referrers);
  std::optional<sign::Bundle> provenance_bundle;
  for (const auto& r : *referrers) {
    if (r.annotations.count("dev.sigstore.bundle.predicateType") == 0 ||
        r.annotations.at("dev.sigstore.bundle.predicateType") != "https://slsa.dev/provenance/v1") {
      continue;
    }
    auto m = oci::Manifest::parse((*store)->fetch_manifest(r).value());
    ASSERT_TRUE(m);
    auto bytes = (*store)->fetch_blob_bytes(m->layers.at(0), 1 << 20);
    ASSERT_TRUE(bytes);
    provenance_bundle = sign::parse_bundle(*bytes).value();
  }
  ASSERT_TRUE(provenance_bundle);
  write_sample_context(dir / "ctx2", "FROM scratch\nCOPY hello.txt /other.txt\n");
  auto other = sigil({"build", "--cache-dir", (dir / "cache").string(), "--progress", "quiet", "--push", "-t",
                      repo + ":v2", "--provenance", "none", (dir / "ctx2").string()});
  ASSERT_EQ(other.exit_code, 0) << other.describe();
  std::string other_digest = other.out.substr(0, other.out.find('\n'));
  auto other_desc = (*store)->resolve("v2");
  ASSERT_TRUE(other_desc);
  ASSERT_TRUE(sign::attach_bundle(**store, *other_desc, *provenance_bundle, "https://slsa.dev/provenance/v1",
                                  oci::creation_time()));
  auto moved = sigil({"verify-provenance", repo + "@" + other_digest, "--key", pub, "--source-uri",
                      "github.com/example/app"});
  EXPECT_EQ(moved.exit_code, 1) << moved.describe();
  EXPECT_NE(moved.err.find("subject"), std::string::npos) << moved.err;

  // The same bundle with one byte of its statement changed fails its signature.
  auto tampered = *provenance_bundle;
  auto& envelope = std::get<sign::Envelope>(tampered.content);
  auto pos = envelope.payload.find("github.com/example/app");
  ASSERT_NE(pos, std::string::npos);
  envelope.payload[pos] = 'G';
  ASSERT_TRUE(sign::attach_bundle(**store, *other_desc, tampered, "https://slsa.dev/provenance/v1", oci::creation_time()));
  auto bad = sigil({"verify-attestation", repo + "@" + other_digest, "--key", pub});
  EXPECT_EQ(bad.exit_code, 1) << bad.describe();
}

}  // namespace
}  // namespace sigil::test
