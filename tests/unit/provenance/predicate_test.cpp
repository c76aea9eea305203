// make_predicate: the exact SLSA v1 shape of sigil's buildType (golden bytes for a min and a max
// build), min/max differences, omitted empty members, and byte-stable round trips.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "provenance/provenance.hpp"

namespace sigil::provenance {
namespace {

using Ordered = nlohmann::ordered_json;

const std::string kCommit = "4b220de5058abfd01ff619c9d2ff6b09a049bea0";

oci::Digest digest_of(std::string_view text) { return oci::Digest::of(text); }

// A realistic build: a git checkout of a two-stage Dockerfile on GitHub Actions.
BuildFacts sample(Mode mode) {
  BuildFacts f;
  f.mode = mode;
  f.source.git_uri = "https://github.com/acme/hello";
  f.source.git_commit = kCommit;
  f.source.git_ref = "refs/tags/v1.0.0";
  f.dockerfile_path = "Dockerfile";
  f.dockerfile_digest = digest_of("FROM alpine\n");
  f.target = "release";
  f.platforms = {"linux/amd64", "linux/arm64"};
  f.labels = {{"org.opencontainers.image.source", "https://github.com/acme/hello"}, {"maintainer", "ops"}};
  f.build_args = {{"VERSION", "1.0.0"}, {"GOFLAGS", "-trimpath"}};
  f.secret_ids = {"npmrc", "aws", "npmrc"};
  f.sigil_version = "0.1.0";
  f.cache_from = {"type=registry,ref=ghcr.io/acme/hello:cache"};
  f.cache_to = {"type=registry,ref=ghcr.io/acme/hello:cache,mode=max"};
  ResourceDescriptor base;
  base.uri = "pkg:docker/alpine@3.20?platform=linux%2Famd64";
  base.digest["sha256"] = digest_of("alpine").hex();
  ResourceDescriptor add;
  add.uri = "https://example.com/tool.tar.gz";
  add.digest["sha256"] = digest_of("tool").hex();
  f.dependencies = {base, add};
  f.builder.id = "https://github.com/acme/hello/.github/workflows/release.yml@refs/tags/v1.0.0";
  f.builder.invocation_id = "https://github.com/acme/hello/actions/runs/42/attempts/1";
  f.builder.system = "github-actions";
  f.started_on = 1700000000;
  f.finished_on = 1700000090;
  ResourceDescriptor sbom;
  sbom.name = "sbom.cdx.json";
  sbom.digest["sha256"] = digest_of("sbom").hex();
  sbom.media_type = "application/vnd.cyclonedx+json";
  f.byproducts = {sbom};
  f.stages = {{"build", digest_of("FROM golang AS build\nRUN go build\n")}, {"1", digest_of("FROM alpine\n")}};
  f.layers = {{digest_of("layer0"), "1", "FROM alpine", 5}, {digest_of("layer1"), "1", "COPY --from=build /out /app", 6}};
  return f;
}

std::string read_golden(const std::string& name) {
  std::filesystem::path path = std::filesystem::path(SIGIL_SOURCE_DIR) / "tests/data/provenance" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing golden " << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

TEST(Predicate, MinBuildMatchesGoldenBytes) {
  EXPECT_EQ(serialize_predicate(make_predicate(sample(Mode::min))), read_golden("sigil-min.json"));
}

TEST(Predicate, MaxBuildMatchesGoldenBytes) {
  EXPECT_EQ(serialize_predicate(make_predicate(sample(Mode::max))), read_golden("sigil-max.json"));
}

TEST(Predicate, GoldensPassStructuralChecks) {
  for (const char* name : {"sigil-min.json", "sigil-max.json"}) {
    auto parsed = parse_predicate(read_golden(name), name);
    ASSERT_TRUE(parsed) << parsed.error().message;
    auto checked = check_predicate_v1(*parsed);
    EXPECT_TRUE(checked) << name << ": " << checked.error().message;
  }
}

TEST(Predicate, RoundTripIsByteStable) {
  for (Mode mode : {Mode::min, Mode::max}) {
    std::string first = serialize_predicate(make_predicate(sample(mode)));
    auto parsed = parse_predicate(first, "predicate");
    ASSERT_TRUE(parsed) << parsed.error().message;
    std::string second = serialize_predicate(*parsed);
    EXPECT_EQ(first, second);
    EXPECT_EQ(*parsed, make_predicate(sample(mode)));
  }
}

TEST(Predicate, MemberOrderIsFixed) {
  Ordered p = make_predicate(sample(Mode::max));
  std::vector<std::string> top, definition, run;
  for (const auto& item : p.items()) top.push_back(item.key());
  for (const auto& item : p["buildDefinition"].items()) definition.push_back(item.key());
  for (const auto& item : p["runDetails"].items()) run.push_back(item.key());
  EXPECT_EQ(top, (std::vector<std::string>{"buildDefinition", "runDetails"}));
  EXPECT_EQ(definition, (std::vector<std::string>{"buildType", "externalParameters", "internalParameters",
                                                  "resolvedDependencies"}));
  EXPECT_EQ(run, (std::vector<std::string>{"builder", "metadata", "byproducts"}));
  EXPECT_EQ(p["buildDefinition"]["buildType"], std::string(kSigilBuildType));
}

TEST(Predicate, MinModeLeavesOutBuildArgsSecretsStagesAndLayers) {
  Ordered p = make_predicate(sample(Mode::min));
  const Ordered& external = p["buildDefinition"]["externalParameters"];
  const Ordered& internal = p["buildDefinition"]["internalParameters"];
  EXPECT_FALSE(external.contains("buildArgs"));
  EXPECT_FALSE(external.contains("secrets"));
  EXPECT_FALSE(internal.contains("stages"));
  EXPECT_FALSE(internal.contains("layers"));
  // What min still records: the inputs anyone may see.
  EXPECT_EQ(external["target"], "release");
  EXPECT_EQ(external["platforms"].size(), 2u);
  EXPECT_TRUE(external.contains("labels"));
  EXPECT_EQ(internal["sigilVersion"], "0.1.0");
}

TEST(Predicate, MaxModeRecordsArgsSortedSecretIdsOnceStagesAndLayers) {
  Ordered p = make_predicate(sample(Mode::max));
  const Ordered& external = p["buildDefinition"]["externalParameters"];
  EXPECT_EQ(external["buildArgs"].dump(), R"({"GOFLAGS":"-trimpath","VERSION":"1.0.0"})");
  EXPECT_EQ(external["secrets"].dump(), R"(["aws","npmrc"])");
  const Ordered& internal = p["buildDefinition"]["internalParameters"];
  EXPECT_EQ(internal["stages"].size(), 2u);
  EXPECT_EQ(internal["layers"][1]["instruction"], "COPY --from=build /out /app");
  EXPECT_EQ(internal["layers"][1]["line"], 6);
}

TEST(Predicate, GitSourceRecordsUriRefAndCommit) {
  Ordered p = make_predicate(sample(Mode::min));
  const Ordered& source = p["buildDefinition"]["externalParameters"]["source"];
  EXPECT_EQ(source["uri"], "git+https://github.com/acme/hello@refs/tags/v1.0.0");
  EXPECT_EQ(source["digest"]["gitCommit"], kCommit);
  // The resolved dependencies start with the source and the Dockerfile, then the build's own.
  const Ordered& deps = p["buildDefinition"]["resolvedDependencies"];
  ASSERT_EQ(deps.size(), 4u);
  EXPECT_EQ(deps[0], source);
  EXPECT_EQ(deps[1]["name"], "Dockerfile");
  EXPECT_EQ(deps[2]["uri"], "pkg:docker/alpine@3.20?platform=linux%2Famd64");
}

TEST(Predicate, CheckoutWithoutRemoteRecordsTheCommitAlone) {
  BuildFacts facts = sample(Mode::min);
  facts.source.git_uri.clear();
  Ordered p = make_predicate(facts);
  const Ordered& source = p["buildDefinition"]["externalParameters"]["source"];
  EXPECT_FALSE(source.contains("uri")) << source.dump();
  EXPECT_EQ(source["digest"]["gitCommit"], kCommit);
  EXPECT_TRUE(check_predicate_v1(p)) << "a descriptor with a digest and no uri is valid";
}

TEST(Predicate, DirectoryContextRecordsItsDigest) {
  BuildFacts f;
  f.source.context_digest = digest_of("context");
  f.dockerfile_path = "Dockerfile";
  f.dockerfile_digest = digest_of("FROM scratch\n");
  Ordered p = make_predicate(f);
  const Ordered& source = p["buildDefinition"]["externalParameters"]["source"];
  EXPECT_FALSE(source.contains("uri"));
  EXPECT_EQ(source["name"], "context");
  EXPECT_EQ(source["digest"]["sha256"], digest_of("context").hex());
  EXPECT_TRUE(check_predicate_v1(p));
}

TEST(Predicate, EmptyMembersAreOmitted) {
  BuildFacts f;  // nothing known but the defaults
  Ordered p = make_predicate(f);
  EXPECT_EQ(serialize_predicate(p),
            R"({"buildDefinition":{"buildType":"https://sigil.dev/buildtypes/dockerfile/v1","externalParameters":{},)"
            R"("internalParameters":{"cache":{"noCache":false}}},"runDetails":{"builder":{"id":"https://sigil.dev/builders/local"}}})");
}

TEST(Predicate, DependenciesAlreadyListedAreNotRepeated) {
  BuildFacts f = sample(Mode::min);
  ResourceDescriptor source;
  source.uri = "git+https://github.com/acme/hello@refs/tags/v1.0.0";
  source.digest["gitCommit"] = kCommit;
  f.dependencies.insert(f.dependencies.begin(), source);
  Ordered p = make_predicate(f);
  EXPECT_EQ(p["buildDefinition"]["resolvedDependencies"].size(), 4u);
}

TEST(Predicate, TimesAreRfc3339Utc) {
  Ordered p = make_predicate(sample(Mode::min));
  EXPECT_EQ(p["runDetails"]["metadata"]["startedOn"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(p["runDetails"]["metadata"]["finishedOn"], "2023-11-14T22:14:50Z");
}

TEST(Predicate, CredentialsInTheRemoteNeverReachTheSourceUri) {
  Source s;
  s.git_uri = "https://x-access-token:ghs_secret@github.com/acme/hello.git";
  s.git_ref = "refs/heads/main";
  EXPECT_EQ(git_source_uri(s), "git+https://github.com/acme/hello.git@refs/heads/main");
  s.git_uri = "https://ghp_token@github.com/acme/hello";
  EXPECT_EQ(git_source_uri(s), "git+https://github.com/acme/hello@refs/heads/main");
  s.git_uri = "git@github.com:acme/hello.git";
  EXPECT_EQ(git_source_uri(s), "git+ssh://github.com/acme/hello.git@refs/heads/main");
}

TEST(Predicate, EqualFactsGiveEqualBytes) {
  EXPECT_EQ(serialize_predicate(make_predicate(sample(Mode::max))), serialize_predicate(make_predicate(sample(Mode::max))));
  BuildFacts other = sample(Mode::max);
  other.build_args["VERSION"] = "1.0.1";
  EXPECT_NE(serialize_predicate(make_predicate(sample(Mode::max))), serialize_predicate(make_predicate(other)));
}

}  // namespace
}  // namespace sigil::provenance
