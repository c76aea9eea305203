// `sigil build --sbom --provenance --sign-key`: one command leaves an image with its SBOMs, its
// SLSA provenance and its signature attached, and the provenance says what went in (git commit,
// Dockerfile digest, base image digest, build args; secret ids but never their values).
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "common/base64.hpp"
#include "e2e/build_support.hpp"
#include "oci/layout_store.hpp"
#include "oci/reference.hpp"
#include "provenance/provenance.hpp"
#include "sign/bundle.hpp"
#include "sign/statement.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {

const std::string kPassword = "SIGIL_PASSWORD=pipeline-test";

int sh(const std::string& command) { return std::system(command.c_str()); }

// What an image's referrers say: statements by predicateType, signed or not, plus signatures.
struct Attached {
  std::map<std::string, sign::Statement> statements;  // predicateType → statement
  std::set<std::string> signed_types;                 // predicate types found in bundles
  int image_signatures = 0;                           // cosign sign/v1 bundles
  std::set<std::string> artifact_types;
};

Attached read_attached(const fs::path& layout, const oci::Digest& subject) {
  Attached out;
  auto store = oci::LayoutStore::open(layout, false);
  EXPECT_TRUE(store);
  if (!store) return out;
  auto referrers = (*store)->referrers(subject, "");
  EXPECT_TRUE(referrers);
  if (!referrers) return out;
  for (const auto& r : *referrers) {
    out.artifact_types.insert(r.artifact_type);
    auto raw = (*store)->fetch_manifest(r);
    EXPECT_TRUE(raw);
    auto m = oci::Manifest::parse(*raw);
    EXPECT_TRUE(m);
    if (!m || m->layers.empty()) continue;
    auto blob = (*store)->fetch_blob_bytes(m->layers[0], 64 << 20);
    EXPECT_TRUE(blob);
    if (!blob) continue;
    if (m->layers[0].media_type == "application/vnd.in-toto+json") {
      auto st = sign::parse_statement(*blob);
      EXPECT_TRUE(st) << (st ? "" : st.error().message);
      if (st) out.statements[st->predicate_type] = *st;
    } else if (m->layers[0].media_type.starts_with("application/vnd.dev.sigstore.bundle")) {
      auto bundle = sign::parse_bundle(*blob);
      EXPECT_TRUE(bundle);
      if (!bundle || !std::holds_alternative<sign::Envelope>(bundle->content)) continue;
      auto st = sign::parse_statement(std::get<sign::Envelope>(bundle->content).payload);
      EXPECT_TRUE(st);
      if (!st) continue;
      if (st->predicate_type == "https://sigstore.dev/cosign/sign/v1") {
        ++out.image_signatures;
      } else {
        out.signed_types.insert(st->predicate_type);
        out.statements[st->predicate_type] = *st;
      }
    }
  }
  return out;
}

class BuildPipeline : public ::testing::Test {
 protected:
  TempDir tmp;
  fs::path context = tmp / "ctx";
  fs::path base = tmp / "base";
  oci::Digest base_digest;

  void SetUp() override {
    auto store = oci::LayoutStore::open(base, true);
    ASSERT_TRUE(store);
    TestImageOptions opts;
    opts.layers = 1;
    opts.tag = "1";
    auto image = write_test_image(**store, opts);
    ASSERT_TRUE(image);
    base_digest = image->manifest.digest;
    write_sample_context(context, "FROM oci:" + base.string() +
                                      ":1 AS build\nARG FLAVOR=plain\nCOPY hello.txt /hello.txt\n\n"
                                      "FROM scratch\nCOPY --from=build /hello.txt /hello.txt\nCOPY app /app\n");
  }

  void make_keys() {
    auto r = run_sigil({"generate-key-pair", "--output-key-prefix", (tmp / "cosign").string()}, std::chrono::seconds(60),
                       {kPassword});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }

  [[nodiscard]] RunResult pipeline_build(std::vector<std::string> args) {
    std::vector<std::string> all{"build", "--cache-dir", (tmp / "cache").string(), "--progress", "plain"};
    all.insert(all.end(), args.begin(), args.end());
    return run_sigil(all, std::chrono::seconds(300),
                     {kPassword, "SOURCE_DATE_EPOCH=", "GITHUB_ACTIONS=", "GITLAB_CI=", "BUILDKITE=", "JENKINS_URL=",
                      "PIPELINE_SECRET=hunter2-value"});
  }
};

TEST_F(BuildPipeline, GitCheckoutBuildIsSignedWithSbomsAndMaxProvenance) {
  make_keys();
  ASSERT_EQ(sh("cd '" + context.string() +
               "' && git init -q -b main && git config user.email t@example.com && git config user.name t && "
               "git remote add origin https://github.com/example/app.git && git add -A && "
               "git commit -q -m init"),
            0);
  std::string commit;
  {
    auto r = run_program({"git", "-C", context.string(), "rev-parse", "HEAD"}, std::chrono::seconds(30));
    ASSERT_EQ(r.exit_code, 0);
    commit = r.out.substr(0, 40);
  }
  fs::path out = tmp / "out";
  auto r = pipeline_build({"-t", "oci:" + out.string() + ":v1", "--sbom", "both", "--provenance", "max", "--sign-key",
                           (tmp / "cosign.key").string(), "--build-arg", "FLAVOR=spicy", "--secret",
                           "id=token,env=PIPELINE_SECRET", context.string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto digest = oci::Digest::parse(r.out.substr(0, r.out.find('\n')));
  ASSERT_TRUE(digest) << r.out;

  auto attached = read_attached(out, *digest);
  EXPECT_EQ(attached.image_signatures, 1);
  EXPECT_EQ(attached.signed_types,
            (std::set<std::string>{"https://cyclonedx.org/bom", "https://spdx.dev/Document", "https://slsa.dev/provenance/v1"}));
  ASSERT_TRUE(attached.statements.contains("https://slsa.dev/provenance/v1"));
  const auto& statement = attached.statements["https://slsa.dev/provenance/v1"];
  ASSERT_EQ(statement.subjects.size(), 1u);
  EXPECT_EQ(statement.subjects[0].digest.at("sha256"), digest->hex());
  auto structure = provenance::check_predicate_v1(statement.predicate);
  EXPECT_TRUE(structure) << structure.error().message;
  std::string predicate = statement.predicate.dump();
  EXPECT_NE(predicate.find(commit), std::string::npos) << predicate;
  std::string dockerfile_bytes;
  {
    auto text = read_file(context / "Dockerfile", 1 << 20);
    ASSERT_TRUE(text);
    dockerfile_bytes = *text;
  }
  EXPECT_NE(predicate.find(oci::Digest::of(dockerfile_bytes).hex()), std::string::npos) << "Dockerfile digest";
  EXPECT_NE(predicate.find(base_digest.hex()), std::string::npos) << "base image digest";
  EXPECT_NE(predicate.find("spicy"), std::string::npos) << "max mode records build-arg values";
  EXPECT_NE(predicate.find("\"token\""), std::string::npos) << "max mode records secret ids";
  EXPECT_EQ(predicate.find("hunter2-value"), std::string::npos) << "never a secret value";
  EXPECT_NE(predicate.find("COPY app /app"), std::string::npos) << "max mode maps layers to instructions";
  // The SBOM byproducts are the documents attached beside it.
  EXPECT_NE(predicate.find("sbom.cdx.json"), std::string::npos);

  auto verified = run_sigil({"verify", "oci:" + out.string() + ":v1", "--key", (tmp / "cosign.pub").string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.describe();
  auto tree = run_sigil({"tree", "oci:" + out.string() + ":v1"});
  EXPECT_EQ(tree.exit_code, 0) << tree.describe();
  EXPECT_NE(tree.out.find("https://slsa.dev/provenance/v1"), std::string::npos) << tree.out;
}

TEST_F(BuildPipeline, PlainDirectoryGetsUnsignedMinProvenanceWithTheContextDigest) {
  fs::path out = tmp / "out";
  auto r = pipeline_build({"-t", "oci:" + out.string() + ":v1", "--build-arg", "FLAVOR=spicy", context.string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto digest = oci::Digest::parse(r.out.substr(0, r.out.find('\n')));
  ASSERT_TRUE(digest);
  auto attached = read_attached(out, *digest);
  EXPECT_EQ(attached.image_signatures, 0);
  EXPECT_TRUE(attached.signed_types.empty());
  ASSERT_TRUE(attached.statements.contains("https://slsa.dev/provenance/v1")) << "provenance min is the default";
  std::string predicate = attached.statements["https://slsa.dev/provenance/v1"].predicate.dump();
  EXPECT_EQ(predicate.find("spicy"), std::string::npos) << "min mode leaves build-arg values out";
  EXPECT_NE(predicate.find("\"https://sigil.dev/builders/local\""), std::string::npos) << predicate;
  // Unsigned statements are reported, never verified.
  make_keys();
  auto check = run_sigil({"verify-provenance", "oci:" + out.string() + "@" + digest->str(), "--key",
                          (tmp / "cosign.pub").string(), "--source-uri", "github.com/example/app"});
  EXPECT_EQ(check.exit_code, 1) << check.describe();
  EXPECT_NE(check.err.find("unsigned in-toto statement https://slsa.dev/provenance/v1"), std::string::npos) << check.err;

  // The context digest ignores file times but sees content.
  auto again = pipeline_build({"-t", "oci:" + (tmp / "out2").string() + ":v1", context.string()});
  ASSERT_EQ(again.exit_code, 0);
  auto second = read_attached(tmp / "out2", *digest);
  auto context_of = [](const sign::Statement& s) {
    return s.predicate["buildDefinition"]["externalParameters"]["source"].dump();
  };
  EXPECT_EQ(context_of(second.statements["https://slsa.dev/provenance/v1"]),
            context_of(attached.statements["https://slsa.dev/provenance/v1"]));

  auto none = pipeline_build({"-t", "oci:" + (tmp / "out3").string() + ":v1", "--provenance", "none", context.string()});
  ASSERT_EQ(none.exit_code, 0);
  EXPECT_TRUE(read_attached(tmp / "out3", *digest).statements.empty());
}

TEST_F(BuildPipeline, MultiPlatformBuildAttestsEachManifestAndTheIndex) {
  write_sample_context(tmp / "multi", "FROM scratch\nCOPY hello.txt /\n");
  fs::path out = tmp / "out";
  auto r = pipeline_build({"-t", "oci:" + out.string() + ":v1", "--platform", "linux/amd64,linux/arm64", "--sbom",
                           "spdx", (tmp / "multi").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto index_digest = oci::Digest::parse(r.out.substr(0, r.out.find('\n')));
  ASSERT_TRUE(index_digest);
  auto index_attached = read_attached(out, *index_digest);
  ASSERT_TRUE(index_attached.statements.contains("https://slsa.dev/provenance/v1")) << "the index has its own";
  const auto& index_statement = index_attached.statements["https://slsa.dev/provenance/v1"];
  EXPECT_EQ(index_statement.subjects.at(0).digest.at("sha256"), index_digest->hex());
  std::string index_predicate = index_statement.predicate.dump();
  EXPECT_NE(index_predicate.find("linux/arm64/sbom.spdx.json"), std::string::npos) << index_predicate;

  auto store = oci::LayoutStore::open(out, false);
  ASSERT_TRUE(store);
  auto index = oci::Index::parse((*store)->fetch_manifest((*store)->resolve("v1").value()).value());
  ASSERT_TRUE(index);
  ASSERT_EQ(index->manifests.size(), 2u);
  for (const auto& m : index->manifests) {
    auto attached = read_attached(out, m.digest);
    ASSERT_TRUE(attached.statements.contains("https://slsa.dev/provenance/v1")) << m.digest.str();
    EXPECT_EQ(attached.statements["https://slsa.dev/provenance/v1"].subjects.at(0).digest.at("sha256"), m.digest.hex());
    EXPECT_TRUE(attached.artifact_types.contains("application/spdx+json")) << "an SBOM per platform image";
  }
}

TEST_F(BuildPipeline, BadPipelineFlagsFailBeforeBuildingAndWriteNothing) {
  make_keys();
  fs::path out = tmp / "out";
  std::vector<std::vector<std::string>> cases = {
      {"-t", "oci:" + out.string() + ":v1", "--sbom", "syft", context.string()},
      {"-t", "oci:" + out.string() + ":v1", "--provenance", "full", context.string()},
      {"--sbom", "cyclonedx", context.string()},
      {"-t", "oci:" + out.string() + ":v1", "--sign-key", (tmp / "missing.key").string(), context.string()},
  };
  for (const auto& args : cases) {
    auto r = pipeline_build(args);
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(out)) << args[args.size() - 2];
  }
  // A wrong password fails the same way.
  auto r = run_sigil({"build", "--cache-dir", (tmp / "cache").string(), "-t", "oci:" + out.string() + ":v1",
                      "--sign-key", (tmp / "cosign.key").string(), context.string()},
                     std::chrono::seconds(120), {"SIGIL_PASSWORD=wrong"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace sigil::test
