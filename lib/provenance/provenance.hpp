// SLSA provenance v1 (https://slsa.dev/spec/v1.0/provenance) for sigil builds: the predicate
// only. The in-toto statement around it (subjects, predicateType) is assembled by the caller
// with sign::Statement, so this library stays beside lib/sign rather than on top of it.
// sigil's buildType is specified in docs/buildtype.md; keep the two in step.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"
#include "oci/digest.hpp"

namespace sigil::provenance {

inline constexpr std::string_view kPredicateTypeV1 = "https://slsa.dev/provenance/v1";
inline constexpr std::string_view kPredicateTypeV02 = "https://slsa.dev/provenance/v0.2";
/// sigil's buildType (docs/buildtype.md).
inline constexpr std::string_view kSigilBuildType = "https://sigil.dev/buildtypes/dockerfile/v1";
/// BuildKit's buildType, which verify-provenance also understands.
inline constexpr std::string_view kBuildKitBuildType = "https://mobyproject.org/buildkit@v1";
/// The builder.id of a build with no CI system detected and no --builder-id.
inline constexpr std::string_view kLocalBuilderId = "https://sigil.dev/builders/local";

/// `--provenance min|max` as BuildKit defines them: min records the inputs anyone may see;
/// max adds build-arg values, secret ids (never values), per-stage digests and the layer map.
enum class Mode { min, max };

/// SLSA v1 ResourceDescriptor (the members sigil writes; empty ones are omitted).
struct ResourceDescriptor {
  std::string uri;
  std::map<std::string, std::string> digest;  ///< algorithm → lower-case hex
  std::string name;
  std::string media_type;
  nlohmann::ordered_json annotations;         ///< null when absent
};

/// The context as a source: a git checkout (uri + commit) or a directory (its content digest).
struct Source {
  std::string git_uri;     ///< remote URL without credentials, or empty
  std::string git_commit;  ///< full commit id, or empty when the context is not a checkout
  std::string git_ref;     ///< "refs/heads/main" / "refs/tags/v1" when known, else empty
  std::optional<oci::Digest> context_digest;  ///< set when there is no git commit
};

/// One Dockerfile stage (max mode).
struct StageRecord {
  std::string name;         ///< "build", or the index as text for unnamed stages
  oci::Digest digest;       ///< sha256 of the stage's lines in the Dockerfile
};

/// Which instruction made a layer of the subject image (max mode). Base-image layers name the
/// FROM line.
struct LayerRecord {
  oci::Digest digest;       ///< the layer's compressed digest
  std::string stage;
  std::string instruction;  ///< "COPY --from=build /out /app"
  int line = 0;             ///< 1-based Dockerfile line
};

/// CI identity of the machine running the build (see detect_builder).
struct BuilderIdentity {
  std::string id;             ///< builder.id
  std::string invocation_id;  ///< the run's URL (or id) where the CI has one, else empty
  std::string system;         ///< "github-actions", "gitlab-ci", "tekton", "buildkite", "jenkins", "local"
};

/// Everything one provenance predicate records. One per subject: a platform manifest, or the
/// index of a multi-platform build (whose dependencies are the union over platforms).
struct BuildFacts {
  Mode mode = Mode::min;
  // externalParameters
  Source source;
  std::string dockerfile_path;  ///< relative to the context when inside it
  oci::Digest dockerfile_digest;
  std::string target;
  std::vector<std::string> platforms;  ///< "linux/amd64"
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> build_args;  ///< recorded in max mode only
  std::vector<std::string> secret_ids;            ///< recorded in max mode only
  // internalParameters
  std::string sigil_version;
  bool no_cache = false;
  std::vector<std::string> cache_from;
  std::vector<std::string> cache_to;
  // resolvedDependencies: base images, ADD URLs (sha256), the git commit, the Dockerfile.
  std::vector<ResourceDescriptor> dependencies;
  // runDetails
  BuilderIdentity builder;
  std::int64_t started_on = 0;   ///< seconds since 1970
  std::int64_t finished_on = 0;
  std::vector<ResourceDescriptor> byproducts;  ///< SBOM documents (digest + media type)
  // max mode
  std::vector<StageRecord> stages;
  std::vector<LayerRecord> layers;
};

/// The predicate JSON for `facts`: buildDefinition {buildType = kSigilBuildType,
/// externalParameters, internalParameters, resolvedDependencies} and runDetails {builder,
/// metadata {invocationId, startedOn, finishedOn}, byproducts}. Member order is fixed and maps
/// are sorted, so equal facts serialize to equal bytes.
[[nodiscard]] nlohmann::ordered_json make_predicate(const BuildFacts& facts);

/// Reads an environment variable; empty optional when unset. Tests pass a map.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

/// The builder identity from the CI system's environment: GitHub Actions, GitLab CI, Tekton,
/// Buildkite, Jenkins (documented per system in docs/buildtype.md), else kLocalBuilderId.
/// `override_id` (--builder-id) replaces the id and keeps the invocation id.
[[nodiscard]] BuilderIdentity detect_builder(const EnvLookup& env, const std::optional<std::string>& override_id);

/// Provenance structural checks beyond in-toto's: SLSA v1 required members (buildDefinition
/// with buildType and externalParameters; runDetails.builder.id), ResourceDescriptor rules
/// (at least one of uri/digest/content; lower-case hex digests), RFC 3339 timestamps.
[[nodiscard]] Result<void> check_predicate_v1(const nlohmann::ordered_json& predicate);

/// What verify-provenance checks, as slsa-verifier does for container images.
struct Expectations {
  std::string source_uri;                   ///< required: "github.com/org/repo" or a full URL
  std::optional<std::string> source_tag;    ///< the ref must be refs/tags/<tag>
  std::optional<std::string> source_branch; ///< the ref must be refs/heads/<branch>
  std::optional<std::string> builder_id;    ///< exact builder.id (slsa-verifier accepts "ID@vX")
};

/// What a checked predicate says (for text/JSON output).
struct ProvenanceFacts {
  std::string build_type;
  std::string builder_id;
  std::string source_uri;
  std::string source_commit;
  std::string source_ref;
  std::string invocation_id;
};

/// Checks a v1 predicate of sigil's or BuildKit's buildType against `expected`: source URI
/// (normalized: scheme, ".git" suffix and "git+" prefix ignored), tag or branch, builder id.
/// Denied error naming the check and both values on mismatch; input error for an unknown
/// buildType or a predicate check_predicate_v1 refuses.
[[nodiscard]] Result<ProvenanceFacts> check_provenance(const nlohmann::ordered_json& predicate,
                                                       const Expectations& expected);

}  // namespace sigil::provenance
