// SLSA provenance v1 predicate (https://slsa.dev/spec/v1.0/provenance) for sigil builds, in
// sigil's buildType (docs/buildtype.md; keep the two in step).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.hpp"
#include "oci/digest.hpp"
#include "provenance/builder_identity.hpp"

namespace sigil::provenance {

inline constexpr std::string_view kPredicateTypeV1 = "https://slsa.dev/provenance/v1";
inline constexpr std::string_view kPredicateTypeV02 = "https://slsa.dev/provenance/v0.2";
/// sigil's buildType (docs/buildtype.md).
inline constexpr std::string_view kSigilBuildType = "https://sigil.dev/buildtypes/dockerfile/v1";
/// BuildKit's buildType, which verify-provenance also understands (the v1 predicates of BuildKit
/// releases that kept the v0.2 buildType).
inline constexpr std::string_view kBuildKitBuildType = "https://mobyproject.org/buildkit@v1";
/// The buildType of current BuildKit releases' SLSA v1 predicates (same fields).
inline constexpr std::string_view kBuildKitBuildTypeV1 =
    "https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md";

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
  // make_predicate adds the context (git commit or context digest) and the Dockerfile itself
  // when no entry with the same uri/name and digest is already here.
  std::vector<ResourceDescriptor> dependencies;
  // runDetails
  BuilderIdentity builder;
  std::int64_t started_on = 0;   ///< seconds since 1970; 0 = not recorded
  std::int64_t finished_on = 0;  ///< seconds since 1970; 0 = not recorded
  std::vector<ResourceDescriptor> byproducts;  ///< SBOM documents (digest + media type)
  // max mode
  std::vector<StageRecord> stages;
  std::vector<LayerRecord> layers;
};

/// The predicate JSON for `facts`: buildDefinition {buildType = kSigilBuildType,
/// externalParameters, internalParameters, resolvedDependencies} and runDetails {builder,
/// metadata {invocationId, startedOn, finishedOn}, byproducts}. Member order is fixed and maps
/// are sorted, so equal facts serialize to equal bytes (docs/buildtype.md shows the shape).
[[nodiscard]] nlohmann::ordered_json make_predicate(const BuildFacts& facts);

/// The git source URI sigil records: "git+<url>@<ref>" (slsa-github-generator's form); scp-like
/// "git@host:path" becomes "git+ssh://host/path"; "@<ref>" only when the ref is known; empty
/// when the checkout has no remote (the commit alone identifies it).
[[nodiscard]] std::string git_source_uri(const Source& source);

/// Compact JSON of a predicate, member order kept (the bytes make_predicate's output signs as).
/// Never throws: invalid UTF-8 is replaced.
[[nodiscard]] std::string serialize_predicate(const nlohmann::ordered_json& predicate);

}  // namespace sigil::provenance
