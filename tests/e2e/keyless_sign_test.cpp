// --keyless for sigil sign, attest, sbom --attest and build (--keyless or --sign-keyless), against the local
// Sigstore of @sigstore/mock (tests/support/sigstore_mock.hpp): what sigil signs keyless verifies
// with the signer's identity and the mock's trusted root, and not with another identity; each
// bundle has its own Rekor entry; --key and --keyless exclude each other; a dead Rekor is exit 3
// with one line and leaves the layout as it was.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <set>

#include "common/file.hpp"
#include "common/json.hpp"
#include "e2e/build_support.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/layout_store.hpp"
#include "oci/registry_store.hpp"
#include "sign/bundle.hpp"
#include "sign/cosign_image.hpp"
#include "support/registry_server.hpp"
#include "support/sigstore_mock.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {

const std::string kIssuer = "https://oidc.sigil.test";
const std::string kIdentity = "https://github.com/sigil-test/repo/.github/workflows/ci.yml@refs/heads/main";

// Every file under `dir` with its bytes: what "nothing written" compares.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    auto bytes = read_file(entry.path(), 64 << 20);
    out[fs::relative(entry.path(), dir).string()] = bytes ? *bytes : std::string("(unreadable)");
  }
  return out;
}

class KeylessSignE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    SIGIL_SKIP_WITHOUT_SIGSTORE_MOCK();
    sigstore_ = std::make_unique<SigstoreMock>();
    ASSERT_TRUE(sigstore_->running()) << sigstore_->failure();
    layout_ = dir_.path() / "layout";
    auto store = oci::LayoutStore::open(layout_, true);
    ASSERT_TRUE(store) << store.error().message;
    TestImageOptions options;
    options.tag = "v1";
    auto image = write_test_image(**store, options);
    ASSERT_TRUE(image) << image.error().message;
    image_ = image->manifest;
    ref_ = "oci:" + layout_.string() + "@" + image_.digest.str();
  }

  // --keyless with a fresh token and the mock's services (Fulcio, Rekor, TSA) from its signing config.
  std::vector<std::string> keyless(const std::string& flag = "--keyless") const {
    return {flag, "--identity-token", mint_identity_token(), "--signing-config", sigstore_->signing_config().string()};
  }

  RunResult run(std::vector<std::string> args, const std::vector<std::string>& extra) const {
    args.insert(args.end(), extra.begin(), extra.end());
    return run_sigil(args, std::chrono::seconds(120), env_);
  }

  // verify / verify-attestation / verify-provenance with the mock's root and an identity.
  RunResult verify(const std::string& command, const std::string& ref, const std::string& identity = kIdentity,
                   std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{command,  ref, "--trusted-root", sigstore_->trusted_root().string(),
                                  "--certificate-identity", identity, "--certificate-oidc-issuer", kIssuer};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_sigil(args, std::chrono::seconds(120), env_);
  }

  // The Rekor log indexes of the bundles attached to `subject` in the layout.
  std::vector<std::string> log_indexes(const oci::Digest& subject) const {
    std::vector<std::string> out;
    auto store = oci::LayoutStore::open(layout_, false);
    EXPECT_TRUE(store);
    if (!store) return out;
    auto referrers = (*store)->referrers(subject, "");
    EXPECT_TRUE(referrers);
    if (!referrers) return out;
    for (const auto& r : *referrers) {
      auto read = sign::read_referrer_bundle(**store, r);
      if (!read || !read->bundle) continue;
      EXPECT_EQ(read->bundle->tlog_entries.size(), 1u);
      for (const auto& entry : read->bundle->tlog_entries) out.push_back(entry.value("logIndex", std::string()));
    }
    return out;
  }

  static void expect_usage(const RunResult& r, const std::string& needle) {
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }

  TempDir dir_;
  std::unique_ptr<SigstoreMock> sigstore_;
  fs::path layout_;
  oci::Descriptor image_;
  std::string ref_;
  std::vector<std::string> env_;
};

TEST_F(KeylessSignE2e, SignedImageVerifiesWithTheIdentityAndNotAnother) {
  // Two references to sign: one certificate, two bundles, each with its own Rekor entry.
  auto signed_run = run({"sign", ref_, "oci:" + layout_.string() + ":v1"}, keyless());
  ASSERT_EQ(signed_run.exit_code, 0) << signed_run.describe();
  EXPECT_EQ(std::count(signed_run.out.begin(), signed_run.out.end(), '\n'), 2) << signed_run.out;
  auto indexes = log_indexes(image_.digest);
  ASSERT_EQ(indexes.size(), 2u);
  EXPECT_NE(indexes[0], indexes[1]) << "each bundle is logged on its own";

  auto ok = verify("verify", ref_);
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_NE(ok.out.find(kIdentity), std::string::npos) << ok.out;
  auto other = verify("verify", ref_, "https://github.com/other/repo/.github/workflows/ci.yml@refs/heads/main");
  EXPECT_EQ(other.exit_code, 1) << other.describe();
  // A key verifies nothing here: the signatures are keyless.
  auto keys = run_sigil({"generate-key-pair", "--output-key-prefix", (dir_.path() / "k").string()},
                        std::chrono::seconds(60), {"SIGIL_PASSWORD=x"});
  ASSERT_EQ(keys.exit_code, 0) << keys.describe();
  auto by_key = run_sigil({"verify", ref_, "--key", (dir_.path() / "k.pub").string()});
  EXPECT_NE(by_key.exit_code, 0) << by_key.describe();
}

TEST_F(KeylessSignE2e, AttestationVerifies) {
  const fs::path predicate = dir_.path() / "predicate.txt";
  ASSERT_TRUE(write_file_atomic(predicate, "tested by CI\n"));
  auto attested = run({"attest", ref_, "--predicate", predicate.string()}, keyless());
  ASSERT_EQ(attested.exit_code, 0) << attested.describe();
  EXPECT_EQ(log_indexes(image_.digest).size(), 1u);
  auto ok = verify("verify-attestation", ref_, kIdentity, {"--type", "custom"});
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  auto other = verify("verify-attestation", ref_, "someone@example.com");
  EXPECT_EQ(other.exit_code, 1) << other.describe();
}

TEST_F(KeylessSignE2e, SbomAttestationVerifies) {
  auto sbom = run({"sbom", ref_, "-o", "cyclonedx-json=" + (dir_.path() / "sbom.json").string(), "--attest"},
                  keyless());
  ASSERT_EQ(sbom.exit_code, 0) << sbom.describe();
  EXPECT_TRUE(fs::exists(dir_.path() / "sbom.json"));
  auto ok = verify("verify-attestation", ref_, kIdentity, {"--type", "cyclonedx"});
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  auto other = verify("verify-attestation", ref_, "https://github.com/other/repo");
  EXPECT_EQ(other.exit_code, 1) << other.describe();
}

TEST_F(KeylessSignE2e, BuildSignsImageAndProvenance) {
  const fs::path context = dir_.path() / "context";
  write_sample_context(context, "FROM scratch\nCOPY hello.txt /hello.txt\nCOPY app /app\n");
  ASSERT_EQ(std::system(("cd '" + context.string() +
                         "' && git init -q -b main && git config user.email t@example.com && git config user.name t && "
                         "git remote add origin https://github.com/example/app.git && git add -A && "
                         "git commit -q -m init")
                            .c_str()),
            0);
  const fs::path out = dir_.path() / "built";
  auto built = run({"build", "--cache-dir", (dir_.path() / "cache").string(), "--progress", "plain", "-t",
                    "oci:" + out.string() + ":v1", "--sbom", "cyclonedx", context.string()},
                   keyless("--keyless"));  // the issue's spelling; --sign-keyless is the same flag
  ASSERT_EQ(built.exit_code, 0) << built.describe();
  const std::string ref = "oci:" + out.string() + ":v1";
  auto ok = verify("verify", ref);
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  auto provenance = verify("verify-provenance", ref, kIdentity, {"--source-uri", "github.com/example/app"});
  EXPECT_EQ(provenance.exit_code, 0) << provenance.describe();
  auto sbom = verify("verify-attestation", ref, kIdentity, {"--type", "cyclonedx"});
  EXPECT_EQ(sbom.exit_code, 0) << sbom.describe();
  auto other = verify("verify", ref, "https://github.com/other/repo");
  EXPECT_EQ(other.exit_code, 1) << other.describe();
}

TEST_F(KeylessSignE2e, KeyAndKeylessExcludeEachOther) {
  const fs::path predicate = dir_.path() / "predicate.txt";
  ASSERT_TRUE(write_file_atomic(predicate, "x\n"));
  const auto before = snapshot(layout_);
  expect_usage(run({"sign", ref_, "--key", "cosign.key"}, keyless()), "--key and --keyless exclude each other");
  expect_usage(run({"attest", ref_, "--predicate", predicate.string(), "--key", "cosign.key"}, keyless()),
               "--key and --keyless exclude each other");
  expect_usage(run({"sbom", ref_, "--attest", "--key", "cosign.key"}, keyless()), "--key and --keyless exclude each other");
  expect_usage(run({"build", "-t", "oci:" + (dir_.path() / "b").string() + ":v1", "--sign-key", "cosign.key",
                    dir_.path().string()},
                   keyless("--sign-keyless")),
               "--sign-key and --sign-keyless exclude each other");
  expect_usage(run({"build", "-t", "oci:" + (dir_.path() / "b").string() + ":v1", "--sign-key", "cosign.key",
                    dir_.path().string()},
                   keyless("--keyless")),
               "--sign-key and --keyless exclude each other");
  // Keyless options without --keyless, and the legacy tag (key signatures only).
  expect_usage(run({"sign", ref_, "--key", "cosign.key", "--identity-token", "t"}, {}), "need --keyless");
  expect_usage(run({"sign", ref_, "--legacy-tag"}, keyless()), "--legacy-tag");
  EXPECT_EQ(snapshot(layout_), before);
  EXPECT_FALSE(fs::exists(dir_.path() / "b"));
  // Help shows the keyless options of each signing command.
  for (const std::string command : {"sign", "attest", "sbom", "build"}) {
    auto help = run_sigil({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << help.describe();
    EXPECT_NE(help.out.find("--identity-token"), std::string::npos) << command << ": " << help.out;
  }
}

TEST_F(KeylessSignE2e, DeadRekorIsExitThreeAndWritesNothing) {
  // A second instance, stopped: its Rekor URL answers nothing. Fulcio still certifies.
  std::string dead_rekor;
  {
    SigstoreMock dead;
    ASSERT_TRUE(dead.running()) << dead.failure();
    dead_rekor = dead.base_url();
    dead.stop();
  }
  const fs::path predicate = dir_.path() / "predicate.txt";
  ASSERT_TRUE(write_file_atomic(predicate, "x\n"));
  const auto before = snapshot(layout_);
  const std::vector<std::vector<std::string>> commands = {
      {"sign", ref_, "oci:" + layout_.string() + ":v1"},
      {"attest", ref_, "--predicate", predicate.string()},
      {"sbom", ref_, "--attach", "--attest", "-o", "cyclonedx-json=" + (dir_.path() / "sbom.json").string()},
  };
  for (const auto& command : commands) {
    SCOPED_TRACE(command[0]);
    auto extra = keyless();
    extra.insert(extra.end(), {"--rekor-url", dead_rekor});
    auto r = run(command, extra);
    EXPECT_EQ(r.exit_code, 3) << r.describe();
    // One error line (sign of a tag reference also warns that tags move).
    EXPECT_EQ(r.stderr_lines() - (r.err.find("uses a tag") != std::string::npos ? 1u : 0u), 1u) << r.err;
    EXPECT_EQ(r.err.find("Pushing"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(dead_rekor), std::string::npos) << r.err;
    EXPECT_EQ(snapshot(layout_), before);
  }
  EXPECT_FALSE(fs::exists(dir_.path() / "sbom.json")) << "nothing written when the attestation cannot be logged";
  // A dead Fulcio too (the whole mock stopped): nothing signed, nothing written.
  sigstore_->stop();
  auto r = run({"sign", ref_}, keyless());
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  EXPECT_EQ(snapshot(layout_), before);
}

// The same on a real registry (distribution 2.8: referrers through the fallback tag schema).
TEST_F(KeylessSignE2e, SignsOnARegistry) {
  SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::none);
  RegistryServer registry;
  ASSERT_TRUE(registry.running()) << registry.failure();
  auto parsed = oci::Reference::parse(registry.host_port() + "/app/img");
  ASSERT_TRUE(parsed) << parsed.error().message;
  oci::RegistryOptions options;
  options.docker_config_dir = dir_.path();
  auto store = oci::RegistryStore::open(*parsed, options);
  ASSERT_TRUE(store) << store.error().message;
  TestImageOptions image_options;
  image_options.tag = "v1";
  auto image = write_test_image(**store, image_options);
  ASSERT_TRUE(image) << image.error().message;
  env_ = {"DOCKER_CONFIG=" + dir_.path().string()};
  const std::string ref = registry.host_port() + "/app/img@" + image->manifest.digest.str();
  auto signed_run = run({"sign", ref}, keyless());
  ASSERT_EQ(signed_run.exit_code, 0) << signed_run.describe();
  auto ok = verify("verify", ref);
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  auto other = verify("verify", ref, "https://github.com/other/repo");
  EXPECT_EQ(other.exit_code, 1) << other.describe();
}

}  // namespace
}  // namespace sigil::test
