// check_predicate_v1 and check_provenance: the pass/fail matrix verify-provenance relies on, on
// sigil's buildType and on BuildKit's (fixtures shaped as BuildKit's provenance types emit
// them), and hostile input (wrong JSON types anywhere: an input error, never a throw).
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "provenance/provenance.hpp"

namespace sigil::provenance {
namespace {

using Ordered = nlohmann::ordered_json;

const std::string kCommit = "4b220de5058abfd01ff619c9d2ff6b09a049bea0";
const std::string kWorkflow = "https://github.com/acme/hello/.github/workflows/release.yml";

Ordered load(const std::string& name) {
  std::filesystem::path path = std::filesystem::path(SIGIL_SOURCE_DIR) / "tests/data/provenance" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto parsed = parse_predicate(buffer.str(), name);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? *parsed : Ordered::object();
}

Ordered sigil_predicate(const std::string& ref = "refs/tags/v1.0.0") {
  BuildFacts f;
  f.source.git_uri = "https://github.com/acme/hello.git";
  f.source.git_commit = kCommit;
  f.source.git_ref = ref;
  f.dockerfile_path = "Dockerfile";
  f.dockerfile_digest = oci::Digest::of("FROM alpine\n");
  f.builder.id = kWorkflow + "@" + ref;
  f.builder.invocation_id = "https://github.com/acme/hello/actions/runs/42/attempts/1";
  f.started_on = 1700000000;
  f.finished_on = 1700000060;
  return make_predicate(f);
}

Expectations expect(std::string uri) {
  Expectations e;
  e.source_uri = std::move(uri);
  return e;
}

void expect_denied(const Result<ProvenanceFacts>& r, std::string_view check) {
  ASSERT_FALSE(r) << "expected a denial by " << check;
  EXPECT_EQ(r.error().category, ErrorCategory::denied) << r.error().message;
  EXPECT_NE(r.error().message.find(std::string(check)), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("expected"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("found"), std::string::npos) << r.error().message;
}

void expect_input(const Result<ProvenanceFacts>& r, std::string_view mentions) {
  ASSERT_FALSE(r) << "expected an input error mentioning " << mentions;
  EXPECT_EQ(r.error().category, ErrorCategory::input) << r.error().message;
  EXPECT_NE(r.error().message.find(std::string(mentions)), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
}

// --- sigil's buildType ---------------------------------------------------------------------

TEST(CheckSigil, PassesWithEveryExpectationMet) {
  Expectations e = expect("github.com/acme/hello");
  e.source_tag = "v1.0.0";
  e.builder_id = kWorkflow + "@refs/tags/v1.0.0";
  auto r = check_provenance(sigil_predicate(), e);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->build_type, kSigilBuildType);
  EXPECT_EQ(r->source_uri, "git+https://github.com/acme/hello.git@refs/tags/v1.0.0");
  EXPECT_EQ(r->source_commit, kCommit);
  EXPECT_EQ(r->source_ref, "refs/tags/v1.0.0");
  EXPECT_EQ(r->builder_id, kWorkflow + "@refs/tags/v1.0.0");
  EXPECT_EQ(r->invocation_id, "https://github.com/acme/hello/actions/runs/42/attempts/1");
}

TEST(CheckSigil, SourceUriFormsAreNormalized) {
  for (const char* uri : {"github.com/acme/hello", "https://github.com/acme/hello", "https://github.com/acme/hello.git",
                          "git+https://github.com/acme/hello", "GitHub.com/acme/hello/", "git@github.com:acme/hello.git"}) {
    auto r = check_provenance(sigil_predicate(), expect(uri));
    EXPECT_TRUE(r) << uri << ": " << r.error().message;
  }
}

TEST(CheckSigil, WrongSourceUriIsDenied) {
  expect_denied(check_provenance(sigil_predicate(), expect("github.com/acme/hello-fork")), "source-uri");
  expect_denied(check_provenance(sigil_predicate(), expect("github.com/evil/hello")), "source-uri");
  expect_denied(check_provenance(sigil_predicate(), expect("gitlab.com/acme/hello")), "source-uri");
  // Repository paths compare exactly: a prefix is not the repository.
  expect_denied(check_provenance(sigil_predicate(), expect("github.com/acme")), "source-uri");
}

TEST(CheckSigil, WrongTagIsDenied) {
  Expectations e = expect("github.com/acme/hello");
  e.source_tag = "v1.0.1";
  auto r = check_provenance(sigil_predicate(), e);
  expect_denied(r, "source-tag");
  EXPECT_NE(r.error().message.find("refs/tags/v1.0.1"), std::string::npos);
  EXPECT_NE(r.error().message.find("refs/tags/v1.0.0"), std::string::npos);
  e.source_tag = "refs/tags/v1.0.0";
  EXPECT_TRUE(check_provenance(sigil_predicate(), e));
  // A branch of the same name is not the tag.
  e.source_tag = "main";
  expect_denied(check_provenance(sigil_predicate("refs/heads/main"), e), "source-tag");
}

TEST(CheckSigil, WrongBranchIsDenied) {
  Expectations e = expect("github.com/acme/hello");
  e.source_branch = "main";
  EXPECT_TRUE(check_provenance(sigil_predicate("refs/heads/main"), e));
  expect_denied(check_provenance(sigil_predicate("refs/heads/dev"), e), "source-branch");
  expect_denied(check_provenance(sigil_predicate("refs/tags/main"), e), "source-branch");
  expect_denied(check_provenance(sigil_predicate(""), e), "source-branch");
}

TEST(CheckSigil, BuilderIdMatchesAsSlsaVerifierDoes) {
  Expectations e = expect("github.com/acme/hello");
  for (const std::string& id : std::vector<std::string>{kWorkflow + "@refs/tags/v1.0.0", kWorkflow + "@v1.0.0", kWorkflow}) {
    e.builder_id = id;
    auto r = check_provenance(sigil_predicate(), e);
    EXPECT_TRUE(r) << id << ": " << r.error().message;
  }
  for (const std::string& id : std::vector<std::string>{kWorkflow + "@v1.0.1", kWorkflow + "@refs/heads/main",
                                                        "https://github.com/acme/hello/.github/workflows/other.yml",
                                                        kWorkflow + "@", std::string(kLocalBuilderId)}) {
    e.builder_id = id;
    expect_denied(check_provenance(sigil_predicate(), e), "builder-id");
  }
}

TEST(CheckSigil, DirectoryContextDoesNotMatchAGitSource) {
  BuildFacts f;
  f.source.context_digest = oci::Digest::of("ctx");
  auto r = check_provenance(make_predicate(f), expect("github.com/acme/hello"));
  expect_denied(r, "source-uri");
  EXPECT_NE(r.error().message.find("directory context sha256:"), std::string::npos) << r.error().message;
}

TEST(CheckSigil, SourceWithoutCommitIsDenied) {
  Ordered p = sigil_predicate();
  p["buildDefinition"]["externalParameters"]["source"].erase("digest");
  expect_denied(check_provenance(p, expect("github.com/acme/hello")), "source-commit");
}

TEST(CheckSigil, UppercaseHexDigestIsInputError) {
  Ordered p = sigil_predicate();
  std::string upper = kCommit;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  p["buildDefinition"]["externalParameters"]["source"]["digest"]["gitCommit"] = upper;
  expect_input(check_provenance(p, expect("github.com/acme/hello")), "gitCommit");
  Ordered q = sigil_predicate();
  std::string hex = q["buildDefinition"]["resolvedDependencies"][1]["digest"]["sha256"];
  hex[0] = 'A';
  q["buildDefinition"]["resolvedDependencies"][1]["digest"]["sha256"] = hex;
  expect_input(check_provenance(q, expect("github.com/acme/hello")), "resolvedDependencies[1].digest.sha256");
}

TEST(CheckSigil, MissingRequiredMembersAreInputErrors) {
  struct Case {
    std::vector<std::string> path;  // erase the last key of this path
    std::string mentions;
  };
  for (const Case& c : std::vector<Case>{{{"buildDefinition"}, "buildDefinition"},
                                         {{"buildDefinition", "buildType"}, "buildDefinition.buildType"},
                                         {{"buildDefinition", "externalParameters"}, "externalParameters"},
                                         {{"runDetails"}, "runDetails"},
                                         {{"runDetails", "builder"}, "runDetails.builder"},
                                         {{"runDetails", "builder", "id"}, "runDetails.builder.id"},
                                         {{"buildDefinition", "externalParameters", "source"}, "source"}}) {
    Ordered p = sigil_predicate();
    Ordered* parent = &p;
    for (std::size_t i = 0; i + 1 < c.path.size(); ++i) parent = &(*parent)[c.path[i]];
    parent->erase(c.path.back());
    expect_input(check_provenance(p, expect("github.com/acme/hello")), c.mentions);
  }
}

TEST(CheckSigil, DescriptorNeedsUriDigestOrContent) {
  Ordered p = sigil_predicate();
  p["buildDefinition"]["resolvedDependencies"].push_back(Ordered{{"name", "nothing"}});
  EXPECT_FALSE(check_predicate_v1(p));
  p["buildDefinition"]["resolvedDependencies"].back()["digest"] = Ordered::object();
  EXPECT_FALSE(check_predicate_v1(p));  // an empty digest set pins nothing
}

TEST(CheckSigil, BadTimestampsAreInputErrors) {
  for (const char* bad : {"2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00",
                          "1700000000", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00.Z", "2023-02-29T00:00:00Z"}) {
    Ordered p = sigil_predicate();
    p["runDetails"]["metadata"]["startedOn"] = bad;
    auto r = check_predicate_v1(p);
    EXPECT_FALSE(r) << bad;
  }
  for (const char* good : {"2024-02-29T23:59:59Z", "2024-05-02T10:11:12.123456789Z", "2024-05-02T12:11:12+02:00"}) {
    Ordered p = sigil_predicate();
    p["runDetails"]["metadata"]["finishedOn"] = good;
    EXPECT_TRUE(check_predicate_v1(p)) << good;
  }
}

TEST(CheckSigil, UnknownBuildTypeIsInputError) {
  Ordered p = sigil_predicate();
  p["buildDefinition"]["buildType"] = "https://example.com/unknown@v1";
  expect_input(check_provenance(p, expect("github.com/acme/hello")), "unknown buildType");
}

TEST(CheckSigil, EmptyExpectedSourceIsUsageError) {
  auto r = check_provenance(sigil_predicate(), Expectations{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::usage);
}

// --- BuildKit's buildTypes -----------------------------------------------------------------

TEST(CheckBuildKit, GitContextPasses) {
  Expectations e = expect("github.com/acme/hello");
  e.source_tag = "v1.0.0";
  e.builder_id = "https://github.com/acme/hello/actions/runs/7012345678/attempts/1";
  auto r = check_provenance(load("buildkit-v1-git.json"), e);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->build_type, kBuildKitBuildTypeV1);
  EXPECT_EQ(r->source_uri, "https://github.com/acme/hello.git#refs/tags/v1.0.0");
  EXPECT_EQ(r->source_commit, kCommit);
  EXPECT_EQ(r->source_ref, "refs/tags/v1.0.0");
  EXPECT_EQ(r->invocation_id, "rpv7a389uzil5lqmrgwhijwjz");
}

TEST(CheckBuildKit, GitContextFailures) {
  Ordered p = load("buildkit-v1-git.json");
  expect_denied(check_provenance(p, expect("github.com/acme/other")), "source-uri");
  Expectations tag = expect("https://github.com/acme/hello");
  tag.source_tag = "v2.0.0";
  expect_denied(check_provenance(p, tag), "source-tag");
  Expectations branch = expect("https://github.com/acme/hello");
  branch.source_branch = "main";
  expect_denied(check_provenance(p, branch), "source-branch");
  Expectations builder = expect("github.com/acme/hello");
  builder.builder_id = "https://github.com/acme/hello/actions/runs/1";
  expect_denied(check_provenance(p, builder), "builder-id");
}

TEST(CheckBuildKit, ConfigSourceRefForms) {
  Ordered p = load("buildkit-v1-git.json");
  auto with_uri = [&](const std::string& uri) {
    Ordered q = p;
    q["buildDefinition"]["externalParameters"]["configSource"]["uri"] = uri;
    return q;
  };
  Expectations branch = expect("github.com/acme/hello");
  branch.source_branch = "main";
  EXPECT_TRUE(check_provenance(with_uri("https://github.com/acme/hello.git#refs/heads/main:docker"), branch));
  EXPECT_TRUE(check_provenance(with_uri("https://github.com/acme/hello.git?branch=main&subdir=docker"), branch));
  // A bare "#main" does not say whether main is a branch or a tag: not enough for --source-branch.
  expect_denied(check_provenance(with_uri("https://github.com/acme/hello.git#main"), branch), "source-branch");
  Expectations tag = expect("github.com/acme/hello");
  tag.source_tag = "v1.0.0";
  EXPECT_TRUE(check_provenance(with_uri("https://github.com/acme/hello.git?tag=v1.0.0"), tag));
  EXPECT_TRUE(check_provenance(with_uri("git@github.com:acme/hello.git#refs/tags/v1.0.0"), tag));
}

TEST(CheckBuildKit, LocalContextUsesVcsMetadataOfTheOlderBuildType) {
  Expectations e = expect("gitlab.com/acme/hello");
  e.builder_id = "https://gitlab.com/acme/hello/-/runners/12270831";
  auto r = check_provenance(load("buildkit-v1-local.json"), e);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->build_type, kBuildKitBuildType);
  EXPECT_EQ(r->source_commit, "1f0c8e2d3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d");
  EXPECT_EQ(r->invocation_id, "k2m9v0q1x7c3b5n8z4l6j0h2g");
  // The vcs metadata carries no ref: a tag cannot be confirmed.
  e.source_tag = "v1.0.0";
  expect_denied(check_provenance(load("buildkit-v1-local.json"), e), "source-tag");
}

TEST(CheckBuildKit, LocalContextWithoutVcsHasNoSource) {
  Ordered p = load("buildkit-v1-local.json");
  p["runDetails"]["metadata"].erase("https://mobyproject.org/buildkit@v1#metadata");
  expect_denied(check_provenance(p, expect("gitlab.com/acme/hello")), "source-uri");
}

TEST(CheckBuildKit, UppercaseConfigSourceDigestIsInputError) {
  Ordered p = load("buildkit-v1-git.json");
  p["buildDefinition"]["externalParameters"]["configSource"]["digest"]["sha1"] =
      "4B220DE5058ABFD01FF619C9D2FF6B09A049BEA0";
  expect_input(check_provenance(p, expect("github.com/acme/hello")), "configSource.digest.sha1");
}

TEST(CheckBuildKit, FixturesRoundTripByteStable) {
  for (const char* name : {"buildkit-v1-git.json", "buildkit-v1-local.json"}) {
    Ordered p = load(name);
    std::string once = serialize_predicate(p);
    auto again = parse_predicate(once, name);
    ASSERT_TRUE(again);
    EXPECT_EQ(serialize_predicate(*again), once);
  }
}

// --- hostile input -------------------------------------------------------------------------

std::string escape_pointer(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

void visit_escaped(const Ordered& node, const std::string& pointer, std::vector<std::string>& out) {
  out.push_back(pointer);
  if (node.is_object()) {
    for (const auto& item : node.items()) visit_escaped(item.value(), pointer + "/" + escape_pointer(item.key()), out);
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) visit_escaped(node[i], pointer + "/" + std::to_string(i), out);
  }
}

TEST(CheckHostile, WrongTypesAnywhereNeverThrow) {
  const std::vector<Ordered> replacements{nullptr, 7, -1.5, true, "text", Ordered::array(), Ordered::object(),
                                          Ordered::array({1, "x"}), Ordered{{"k", Ordered::array()}}};
  std::size_t cases = 0;
  for (const Ordered& original : {sigil_predicate(), load("buildkit-v1-git.json"), load("buildkit-v1-local.json")}) {
    std::vector<std::string> pointers;
    visit_escaped(original, "", pointers);
    Expectations e = expect("github.com/acme/hello");
    e.source_tag = "v1.0.0";
    e.builder_id = "x";
    for (const auto& pointer : pointers) {
      for (const Ordered& replacement : replacements) {
        Ordered mutated = original;
        if (pointer.empty()) {
          mutated = replacement;
        } else {
          mutated[Ordered::json_pointer(pointer)] = replacement;
        }
        ++cases;
        EXPECT_NO_THROW({
          auto structural = check_predicate_v1(mutated);
          auto r = check_provenance(mutated, e);
          if (!r) {
            EXPECT_TRUE(r.error().category == ErrorCategory::input || r.error().category == ErrorCategory::denied)
                << pointer << ": " << r.error().message;
          }
          if (!structural) {
            EXPECT_EQ(structural.error().category, ErrorCategory::input);
          }
        }) << pointer;
      }
    }
  }
  EXPECT_GT(cases, 500u);
}

TEST(CheckHostile, WrongTypesInRequiredMembersAreInputErrors) {
  for (const char* pointer : {"", "/buildDefinition", "/buildDefinition/buildType", "/buildDefinition/externalParameters",
                              "/buildDefinition/internalParameters", "/buildDefinition/resolvedDependencies",
                              "/buildDefinition/resolvedDependencies/0", "/buildDefinition/resolvedDependencies/0/uri",
                              "/buildDefinition/resolvedDependencies/0/digest",
                              "/buildDefinition/externalParameters/source",
                              "/buildDefinition/externalParameters/source/uri",
                              "/buildDefinition/externalParameters/source/digest",
                              "/buildDefinition/externalParameters/source/digest/gitCommit", "/runDetails",
                              "/runDetails/builder", "/runDetails/builder/id", "/runDetails/metadata",
                              "/runDetails/metadata/invocationId", "/runDetails/metadata/startedOn"}) {
    for (const Ordered& replacement : {Ordered(7), Ordered::array({"x"})}) {
      Ordered mutated = sigil_predicate();
      if (std::string(pointer).empty()) {
        mutated = replacement;
      } else {
        mutated[Ordered::json_pointer(pointer)] = replacement;
      }
      auto r = check_provenance(mutated, expect("github.com/acme/hello"));
      ASSERT_FALSE(r) << pointer;
      EXPECT_EQ(r.error().category, ErrorCategory::input) << pointer << ": " << r.error().message;
    }
  }
}

TEST(CheckHostile, ParsePredicateRefusesBadDocuments) {
  for (const char* text : {"", "{", "[]", "\"x\"", "null", "{\"a\":}", "{\"a\":1}garbage"}) {
    auto r = parse_predicate(text, "predicate.json");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().category, ErrorCategory::input);
    EXPECT_EQ(r.error().message.rfind("predicate.json: ", 0), 0u) << r.error().message;
  }
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_FALSE(parse_predicate("{\"a\":" + deep + "}", "deep"));
  EXPECT_FALSE(parse_predicate(std::string(100, ' ') + "{}", "big", 64));
  EXPECT_TRUE(parse_predicate("{}", "small", 64));
}

}  // namespace
}  // namespace sigil::provenance
