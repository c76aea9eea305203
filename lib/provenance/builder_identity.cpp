#include "provenance/builder_identity.hpp"

#include <cstdlib>

namespace sigil::provenance {
namespace {

// A variable that is set but empty counts as unset: CI systems export empty values for
// optional features, and an id built from an empty part would name nothing.
std::string get(const EnvLookup& env, std::string_view name) {
  if (!env) return {};
  auto value = env(name);
  return value ? *value : std::string();
}

std::string trim_slash(std::string text) {
  while (!text.empty() && text.back() == '/') text.pop_back();
  return text;
}

// GitHub Actions: the id names the calling workflow at its ref, as slsa-github-generator's
// builders do (GITHUB_WORKFLOW_REF = "OWNER/REPO/.github/workflows/x.yml@refs/heads/main").
std::optional<BuilderIdentity> github(const EnvLookup& env) {
  if (get(env, "GITHUB_ACTIONS") != "true") return std::nullopt;
  std::string server = trim_slash(get(env, "GITHUB_SERVER_URL"));
  if (server.empty()) server = "https://github.com";
  std::string workflow_ref = get(env, "GITHUB_WORKFLOW_REF");
  std::string repository = get(env, "GITHUB_REPOSITORY");
  if (workflow_ref.empty() && repository.empty()) return std::nullopt;
  BuilderIdentity out{.id = {}, .invocation_id = {}, .system = "github-actions"};
  out.id = server + "/" + (workflow_ref.empty() ? repository : workflow_ref);
  std::string run_id = get(env, "GITHUB_RUN_ID");
  if (!repository.empty() && !run_id.empty()) {
    out.invocation_id = server + "/" + repository + "/actions/runs/" + run_id;
    std::string attempt = get(env, "GITHUB_RUN_ATTEMPT");
    if (!attempt.empty()) out.invocation_id += "/attempts/" + attempt;
  }
  return out;
}

// GitLab CI: the id names the runner within the project, as GitLab's own runner provenance does
// ("<project URL>/-/runners/<id>"); the invocation is the job's URL.
std::optional<BuilderIdentity> gitlab(const EnvLookup& env) {
  if (get(env, "GITLAB_CI") != "true") return std::nullopt;
  std::string project_url = trim_slash(get(env, "CI_PROJECT_URL"));
  if (project_url.empty()) {
    std::string server = trim_slash(get(env, "CI_SERVER_URL"));
    std::string path = get(env, "CI_PROJECT_PATH");
    if (server.empty() || path.empty()) return std::nullopt;
    project_url = server + "/" + path;
  }
  BuilderIdentity out{.id = project_url, .invocation_id = get(env, "CI_JOB_URL"), .system = "gitlab-ci"};
  if (std::string runner = get(env, "CI_RUNNER_ID"); !runner.empty()) out.id += "/-/runners/" + runner;
  return out;
}

// Buildkite: the id names the agent ("https://buildkite.com/organizations/ORG/agents/ID"), the
// invocation the job within the build's URL.
std::optional<BuilderIdentity> buildkite(const EnvLookup& env) {
  if (get(env, "BUILDKITE") != "true") return std::nullopt;
  std::string build_url = get(env, "BUILDKITE_BUILD_URL");
  std::string org = get(env, "BUILDKITE_ORGANIZATION_SLUG");
  std::string agent = get(env, "BUILDKITE_AGENT_ID");
  if (build_url.empty() && (org.empty() || agent.empty())) return std::nullopt;
  BuilderIdentity out{.id = {}, .invocation_id = build_url, .system = "buildkite"};
  if (!org.empty() && !agent.empty()) {
    out.id = "https://buildkite.com/organizations/" + org + "/agents/" + agent;
  } else {
    std::string pipeline = get(env, "BUILDKITE_PIPELINE_SLUG");
    out.id = (!org.empty() && !pipeline.empty()) ? "https://buildkite.com/" + org + "/" + pipeline
                                                 : "https://buildkite.com";
  }
  if (std::string job = get(env, "BUILDKITE_JOB_ID"); !job.empty() && !build_url.empty()) {
    out.invocation_id += "#" + job;
  }
  return out;
}

// Tekton sets no variable of its own in a step: the Task passes its context through env
// (TEKTON_TASKRUN_NAME: $(context.taskRun.name), TEKTON_TASKRUN_NAMESPACE, TEKTON_TASKRUN_UID),
// as deploy/ and docs/buildtype.md show.
std::optional<BuilderIdentity> tekton(const EnvLookup& env) {
  std::string name = get(env, "TEKTON_TASKRUN_NAME");
  if (name.empty()) return std::nullopt;
  std::string ns = get(env, "TEKTON_TASKRUN_NAMESPACE");
  std::string uid = get(env, "TEKTON_TASKRUN_UID");
  std::string invocation = "taskrun/" + (ns.empty() ? std::string() : ns + "/") + name;
  if (!uid.empty()) invocation += "/" + uid;
  return BuilderIdentity{.id = std::string(kTektonBuilderId), .invocation_id = invocation, .system = "tekton"};
}

// Jenkins: the id names the job on its controller (JOB_URL, else JENKINS_URL); the invocation
// is the build's URL.
std::optional<BuilderIdentity> jenkins(const EnvLookup& env) {
  std::string jenkins_url = get(env, "JENKINS_URL");
  if (jenkins_url.empty()) return std::nullopt;
  std::string job_url = get(env, "JOB_URL");
  return BuilderIdentity{.id = job_url.empty() ? jenkins_url : job_url,
                         .invocation_id = get(env, "BUILD_URL"),
                         .system = "jenkins"};
}

}  // namespace

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

BuilderIdentity detect_builder(const EnvLookup& env, const std::optional<std::string>& override_id) {
  // Most specific first: a GitLab or Buildkite job may run on a host that also exports
  // JENKINS_URL or TEKTON_* from an outer system, but never GITHUB_ACTIONS=true by accident.
  BuilderIdentity out{.id = std::string(kLocalBuilderId), .invocation_id = {}, .system = "local"};
  for (auto* detect : {github, gitlab, buildkite, tekton, jenkins}) {
    if (auto found = detect(env)) {
      out = std::move(*found);
      break;
    }
  }
  if (override_id && !override_id->empty()) out.id = *override_id;
  return out;
}

}  // namespace sigil::provenance
