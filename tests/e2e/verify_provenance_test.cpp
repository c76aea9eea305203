// sigil verify-provenance on image layouts: provenance of sigil's buildType (made by
// provenance::make_predicate) and of BuildKit's, attested with `sigil attest --type
// slsaprovenance1`, passes the slsa-verifier checks and fails each with its reason: wrong source
// URI, tag, branch, builder id, wrong key; SLSA v0.2 and unsigned provenance never pass.
#include <gtest/gtest.h>

#include <fstream>

#include "common/json.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/layout_store.hpp"
#include "provenance/provenance.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

const std::string kPassword = "SIGIL_PASSWORD=provenance-test";
const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";
const std::string kWorkflowId = "https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1.2.0";

// What `sigil build` records for a tagged git checkout built in GitHub Actions.
std::string sigil_predicate() {
  provenance::BuildFacts facts;
  facts.source.git_uri = "https://github.com/org/app.git";
  facts.source.git_commit = kCommit;
  facts.source.git_ref = "refs/tags/v1.2.0";
  facts.dockerfile_path = "Dockerfile";
  facts.dockerfile_digest = oci::Digest::of("FROM scratch\n");
  facts.platforms = {"linux/amd64"};
  facts.sigil_version = "0.1.0";
  facts.builder.id = kWorkflowId;
  facts.builder.invocation_id = "https://github.com/org/app/actions/runs/42/attempts/1";
  facts.builder.system = "github-actions";
  facts.started_on = 1700000000;
  facts.finished_on = 1700000060;
  return provenance::serialize_predicate(provenance::make_predicate(facts));
}

// A BuildKit SLSA v1 predicate of a build from a git context (branch main).
std::string buildkit_predicate() {
  return std::string(R"({"buildDefinition":{"buildType":")") + std::string(provenance::kBuildKitBuildType) +
         R"(","externalParameters":{"configSource":{"uri":"https://github.com/org/app.git#refs/heads/main","digest":{"sha1":")" +
         kCommit +
         R"("},"path":"Dockerfile"},"frontend":"dockerfile.v0","request":{}},"internalParameters":{},"resolvedDependencies":[{"uri":"pkg:docker/alpine@3.19?platform=linux%2Famd64","digest":{"sha256":"1111111111111111111111111111111111111111111111111111111111111111"}}]},"runDetails":{"builder":{"id":"https://github.com/org/app/actions/runs/7"},"metadata":{"invocationId":"bk-1","startedOn":"2024-01-02T03:04:05Z","finishedOn":"2024-01-02T03:05:05Z"}}})";
}

class VerifyProvenanceE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string name : {"k", "other"}) {
      auto gen = run_sigil({"generate-key-pair", "--output-key-prefix", (dir_ / name).string()},
                           std::chrono::seconds(60), {kPassword});
      ASSERT_EQ(gen.exit_code, 0) << gen.describe();
    }
    auto store = oci::LayoutStore::open(dir_ / "layout", true);
    ASSERT_TRUE(store) << store.error().message;
    TestImageOptions options;
    options.tag = "v1";
    auto image = write_test_image(**store, options);
    ASSERT_TRUE(image) << image.error().message;
    image_ = "oci:" + (dir_ / "layout").string() + "@" + image->manifest.digest.str();
  }

  RunResult sigil(std::vector<std::string> args) {
    return run_sigil(args, std::chrono::seconds(120), {kPassword});
  }

  void attest(const std::string& predicate, const std::string& type = "slsaprovenance1") {
    fs::path file = dir_ / ("predicate-" + std::to_string(++files_) + ".json");
    std::ofstream(file, std::ios::binary) << predicate;
    auto r = sigil({"attest", image_, "--predicate", file.string(), "--type", type, "--key", key()});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }

  RunResult verify(std::vector<std::string> extra, const std::string& pub = "") {
    std::vector<std::string> args{"verify-provenance", image_, "--key", pub.empty() ? (dir_ / "k.pub").string() : pub};
    args.insert(args.end(), extra.begin(), extra.end());
    return sigil(args);
  }

  void expect_denied(const RunResult& r, const std::vector<std::string>& reasons) {
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    for (const auto& reason : reasons) {
      EXPECT_NE(r.err.find(reason), std::string::npos) << "expected \"" << reason << "\" in: " << r.err;
    }
    EXPECT_NE(r.err.find("no valid SLSA provenance"), std::string::npos) << r.err;
  }

  std::string key() const { return (dir_ / "k.key").string(); }

  TempDir dir_;
  std::string image_;
  int files_ = 0;
};

TEST_F(VerifyProvenanceE2e, SigilBuildTypePassesTheChecksAndFailsEachWithItsReason) {
  attest(sigil_predicate());
  auto ok = verify({"--source-uri", "github.com/org/app", "--source-tag", "v1.2.0", "--builder-id", kWorkflowId});
  ASSERT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_NE(ok.out.find("Verified SLSA provenance"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(kCommit), std::string::npos) << ok.out;
  EXPECT_NE(ok.err.find("PASSED"), std::string::npos) << ok.err;
  // Full URLs and .git suffixes name the same repository; no ref or builder constraint passes too.
  EXPECT_EQ(verify({"--source-uri", "https://github.com/org/app.git"}).exit_code, 0);

  auto j = verify({"--source-uri", "github.com/org/app", "--output", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.describe();
  auto doc = parse_json(j.out, "verify-provenance output");
  ASSERT_TRUE(doc) << j.out;
  EXPECT_EQ((*doc)["verified"], true);
  EXPECT_EQ((*doc)["provenance"][0]["sourceCommit"], kCommit);
  EXPECT_EQ((*doc)["provenance"][0]["buildType"], std::string(provenance::kSigilBuildType));
  EXPECT_EQ((*doc)["provenance"][0]["builderId"], kWorkflowId);

  expect_denied(verify({"--source-uri", "github.com/org/other"}), {"provenance check", "github.com/org/other"});
  expect_denied(verify({"--source-uri", "github.com/org/app", "--source-tag", "v9.9.9"}), {"v9.9.9"});
  expect_denied(verify({"--source-uri", "github.com/org/app", "--source-branch", "main"}), {"provenance check"});
  expect_denied(verify({"--source-uri", "github.com/org/app", "--builder-id", "https://example.com/other-builder"}),
                {"provenance check", "https://example.com/other-builder"});
  expect_denied(verify({"--source-uri", "github.com/org/app"}, (dir_ / "other.pub").string()),
                {"no trusted key verifies the signature"});
  auto failed_json = verify({"--source-uri", "github.com/org/other", "--output", "json"});
  EXPECT_EQ(failed_json.exit_code, 1);
  auto failed = parse_json(failed_json.out, "verify-provenance output");
  ASSERT_TRUE(failed) << failed_json.out;
  EXPECT_EQ((*failed)["verified"], false);
  EXPECT_FALSE((*failed)["provenance"][0]["reason"].get<std::string>().empty());
}

TEST_F(VerifyProvenanceE2e, BuildKitBuildTypePassesTheChecksAndFailsEachWithItsReason) {
  attest(buildkit_predicate());
  auto ok = verify({"--source-uri", "https://github.com/org/app", "--source-branch", "main"});
  ASSERT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_NE(ok.out.find(std::string(provenance::kBuildKitBuildType)), std::string::npos) << ok.out;
  expect_denied(verify({"--source-uri", "github.com/evil/app"}), {"provenance check", "github.com/evil/app"});
  expect_denied(verify({"--source-uri", "github.com/org/app", "--source-branch", "dev"}), {"dev"});
  expect_denied(verify({"--source-uri", "github.com/org/app", "--source-tag", "v1.0.0"}), {"v1.0.0"});
  expect_denied(verify({"--source-uri", "github.com/org/app", "--builder-id", "https://github.com/org/app/actions/runs/8"}),
                {"provenance check"});
  expect_denied(verify({"--source-uri", "github.com/org/app"}, (dir_ / "other.pub").string()),
                {"no trusted key verifies the signature"});
}

TEST_F(VerifyProvenanceE2e, SlsaV02IsRefusedByName) {
  attest(R"({"builder":{"id":"https://example.com/b"},"buildType":"https://example.com/t","invocation":{}})",
         "slsaprovenance");
  expect_denied(verify({"--source-uri", "github.com/org/app"}),
                {"SLSA provenance v0.2", "is not accepted", "1 provenance statement refused"});
}

TEST_F(VerifyProvenanceE2e, OtherAttestationsAreNotProvenance) {
  attest(R"({"bomFormat":"CycloneDX","specVersion":"1.6"})", "cyclonedx");
  expect_denied(verify({"--source-uri", "github.com/org/app"}), {"no signed SLSA provenance found"});
}

TEST_F(VerifyProvenanceE2e, UsageErrors) {
  EXPECT_EQ(verify({}).exit_code, 2);  // no --source-uri
  auto both = verify({"--source-uri", "github.com/org/app", "--source-tag", "v1", "--source-branch", "main"});
  EXPECT_EQ(both.exit_code, 2) << both.describe();
  EXPECT_EQ(both.stderr_lines(), 1u) << both.err;
  EXPECT_EQ(sigil({"verify-provenance", image_, "--source-uri", "x"}).exit_code, 2);  // no --key
  EXPECT_EQ(verify({"--source-uri", "github.com/org/app", "--output", "yaml"}).exit_code, 2);
}

}  // namespace
}  // namespace sigil::test
