// detect_builder: each CI system's variables give the documented builder.id and invocation id
// (docs/buildtype.md); --builder-id overrides the id only; no CI gives the local id.
#include <gtest/gtest.h>

#include <map>

#include "provenance/builder_identity.hpp"

namespace sigil::provenance {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const std::map<std::string, std::string> kGitHub = {
    {"GITHUB_ACTIONS", "true"},
    {"GITHUB_SERVER_URL", "https://github.com"},
    {"GITHUB_REPOSITORY", "acme/hello"},
    {"GITHUB_WORKFLOW_REF", "acme/hello/.github/workflows/release.yml@refs/heads/main"},
    {"GITHUB_RUN_ID", "7012345678"},
    {"GITHUB_RUN_ATTEMPT", "2"},
};

TEST(BuilderIdentity, GitHubActionsNamesTheWorkflowAtItsRef) {
  BuilderIdentity b = detect_builder(env_of(kGitHub), std::nullopt);
  EXPECT_EQ(b.system, "github-actions");
  EXPECT_EQ(b.id, "https://github.com/acme/hello/.github/workflows/release.yml@refs/heads/main");
  EXPECT_EQ(b.invocation_id, "https://github.com/acme/hello/actions/runs/7012345678/attempts/2");
}

TEST(BuilderIdentity, GitHubEnterpriseServerUrlIsUsed) {
  auto vars = kGitHub;
  vars["GITHUB_SERVER_URL"] = "https://ghe.example.com/";
  vars.erase("GITHUB_RUN_ATTEMPT");
  BuilderIdentity b = detect_builder(env_of(vars), std::nullopt);
  EXPECT_EQ(b.id, "https://ghe.example.com/acme/hello/.github/workflows/release.yml@refs/heads/main");
  EXPECT_EQ(b.invocation_id, "https://ghe.example.com/acme/hello/actions/runs/7012345678");
}

TEST(BuilderIdentity, GitLabNamesTheRunnerOfTheProject) {
  BuilderIdentity b = detect_builder(env_of({{"GITLAB_CI", "true"},
                                             {"CI_SERVER_URL", "https://gitlab.com"},
                                             {"CI_PROJECT_PATH", "acme/hello"},
                                             {"CI_JOB_URL", "https://gitlab.com/acme/hello/-/jobs/4089072540"},
                                             {"CI_RUNNER_ID", "12270831"}}),
                                     std::nullopt);
  EXPECT_EQ(b.system, "gitlab-ci");
  EXPECT_EQ(b.id, "https://gitlab.com/acme/hello/-/runners/12270831");
  EXPECT_EQ(b.invocation_id, "https://gitlab.com/acme/hello/-/jobs/4089072540");
}

TEST(BuilderIdentity, GitLabPrefersProjectUrl) {
  BuilderIdentity b = detect_builder(env_of({{"GITLAB_CI", "true"},
                                             {"CI_PROJECT_URL", "https://gitlab.example.com/group/sub/app"},
                                             {"CI_SERVER_URL", "https://wrong.example.com"},
                                             {"CI_PROJECT_PATH", "wrong"}}),
                                     std::nullopt);
  EXPECT_EQ(b.id, "https://gitlab.example.com/group/sub/app");
  EXPECT_EQ(b.invocation_id, "");
}

TEST(BuilderIdentity, BuildkiteNamesTheAgent) {
  BuilderIdentity b = detect_builder(env_of({{"BUILDKITE", "true"},
                                             {"BUILDKITE_ORGANIZATION_SLUG", "acme"},
                                             {"BUILDKITE_PIPELINE_SLUG", "hello"},
                                             {"BUILDKITE_AGENT_ID", "0189a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b"},
                                             {"BUILDKITE_BUILD_URL", "https://buildkite.com/acme/hello/builds/17"},
                                             {"BUILDKITE_JOB_ID", "0189a1b2-0000-4e5f-8a9b-0c1d2e3f4a5b"}}),
                                     std::nullopt);
  EXPECT_EQ(b.system, "buildkite");
  EXPECT_EQ(b.id, "https://buildkite.com/organizations/acme/agents/0189a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b");
  EXPECT_EQ(b.invocation_id, "https://buildkite.com/acme/hello/builds/17#0189a1b2-0000-4e5f-8a9b-0c1d2e3f4a5b");
}

TEST(BuilderIdentity, TektonUsesTheTaskRunContextPassedAsEnv) {
  BuilderIdentity b = detect_builder(env_of({{"TEKTON_TASKRUN_NAME", "build-hello-x7k2p"},
                                             {"TEKTON_TASKRUN_NAMESPACE", "ci"},
                                             {"TEKTON_TASKRUN_UID", "6c9c1c2e-1111-2222-3333-444455556666"}}),
                                     std::nullopt);
  EXPECT_EQ(b.system, "tekton");
  EXPECT_EQ(b.id, kTektonBuilderId);
  EXPECT_EQ(b.invocation_id, "taskrun/ci/build-hello-x7k2p/6c9c1c2e-1111-2222-3333-444455556666");
}

TEST(BuilderIdentity, JenkinsNamesTheJobAndTheBuild) {
  BuilderIdentity b = detect_builder(env_of({{"JENKINS_URL", "https://ci.example.com/"},
                                             {"JOB_URL", "https://ci.example.com/job/hello/"},
                                             {"BUILD_URL", "https://ci.example.com/job/hello/42/"}}),
                                     std::nullopt);
  EXPECT_EQ(b.system, "jenkins");
  EXPECT_EQ(b.id, "https://ci.example.com/job/hello/");
  EXPECT_EQ(b.invocation_id, "https://ci.example.com/job/hello/42/");
  b = detect_builder(env_of({{"JENKINS_URL", "https://ci.example.com/"}}), std::nullopt);
  EXPECT_EQ(b.id, "https://ci.example.com/");
}

TEST(BuilderIdentity, NoCiIsLocal) {
  BuilderIdentity b = detect_builder(env_of({{"HOME", "/root"}, {"CI", "true"}}), std::nullopt);
  EXPECT_EQ(b.system, "local");
  EXPECT_EQ(b.id, kLocalBuilderId);
  EXPECT_EQ(b.invocation_id, "");
}

TEST(BuilderIdentity, FlagsWithoutTheirIdentityVariablesAreNotDetected) {
  // GITHUB_ACTIONS alone (a local act run without context) or an empty GITLAB_CI are not a CI.
  EXPECT_EQ(detect_builder(env_of({{"GITHUB_ACTIONS", "true"}}), std::nullopt).system, "local");
  EXPECT_EQ(detect_builder(env_of({{"GITHUB_ACTIONS", "false"}, {"GITHUB_REPOSITORY", "a/b"}}), std::nullopt).system,
            "local");
  EXPECT_EQ(detect_builder(env_of({{"GITLAB_CI", ""}, {"CI_PROJECT_URL", "https://gitlab.com/a/b"}}), std::nullopt)
                .system,
            "local");
  EXPECT_EQ(detect_builder(env_of({{"BUILDKITE", "true"}}), std::nullopt).system, "local");
  EXPECT_EQ(detect_builder(env_of({{"JENKINS_URL", ""}}), std::nullopt).system, "local");
}

TEST(BuilderIdentity, GitHubWinsOverAnOuterJenkins) {
  auto vars = kGitHub;
  vars["JENKINS_URL"] = "https://ci.example.com/";
  EXPECT_EQ(detect_builder(env_of(vars), std::nullopt).system, "github-actions");
}

TEST(BuilderIdentity, OverrideReplacesTheIdAndKeepsTheInvocation) {
  BuilderIdentity b = detect_builder(env_of(kGitHub), std::string("https://builders.acme.dev/release@v2"));
  EXPECT_EQ(b.id, "https://builders.acme.dev/release@v2");
  EXPECT_EQ(b.invocation_id, "https://github.com/acme/hello/actions/runs/7012345678/attempts/2");
  EXPECT_EQ(b.system, "github-actions");
  BuilderIdentity local = detect_builder(env_of({}), std::string("https://builders.acme.dev/laptop"));
  EXPECT_EQ(local.id, "https://builders.acme.dev/laptop");
  EXPECT_EQ(detect_builder(env_of({}), std::string()).id, kLocalBuilderId);
}

TEST(BuilderIdentity, ProcessEnvReadsTheEnvironment) {
  ::setenv("SIGIL_TEST_PROVENANCE_VAR", "value", 1);
  EnvLookup env = process_env();
  EXPECT_EQ(env("SIGIL_TEST_PROVENANCE_VAR"), std::optional<std::string>("value"));
  ::unsetenv("SIGIL_TEST_PROVENANCE_VAR");
  EXPECT_EQ(env("SIGIL_TEST_PROVENANCE_VAR"), std::nullopt);
}

TEST(BuilderIdentity, NullLookupIsLocal) { EXPECT_EQ(detect_builder(EnvLookup(), std::nullopt).system, "local"); }

}  // namespace
}  // namespace sigil::provenance
