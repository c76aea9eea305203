// Who ran the build: the builder identity sigil derives from the CI system's environment.
// Each system's variables and the ids they give are specified in docs/buildtype.md.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sigil::provenance {

/// The builder.id of a build with no CI system detected and no --builder-id.
inline constexpr std::string_view kLocalBuilderId = "https://sigil.dev/builders/local";
/// The builder.id of a Tekton TaskRun: Tekton has no standard variable naming its cluster, so
/// users who need a distinguishable id pass --builder-id (docs/buildtype.md).
inline constexpr std::string_view kTektonBuilderId = "https://sigil.dev/builders/tekton";

/// CI identity of the machine running the build (see detect_builder).
struct BuilderIdentity {
  std::string id;             ///< builder.id
  std::string invocation_id;  ///< the run's URL (or id) where the CI has one, else empty
  std::string system;         ///< "github-actions", "gitlab-ci", "tekton", "buildkite", "jenkins", "local"
};

/// Reads an environment variable; empty optional when unset. Tests pass a map.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

/// An EnvLookup over this process's environment (getenv).
[[nodiscard]] EnvLookup process_env();

/// The builder identity from the CI system's environment: GitHub Actions, GitLab CI, Tekton,
/// Buildkite, Jenkins (documented per system in docs/buildtype.md), else kLocalBuilderId.
/// A system counts as detected only when the variables its id is made of are set (non-empty).
/// `override_id` (--builder-id) replaces the id and keeps the invocation id; an empty override
/// is ignored.
[[nodiscard]] BuilderIdentity detect_builder(const EnvLookup& env, const std::optional<std::string>& override_id);

}  // namespace sigil::provenance
