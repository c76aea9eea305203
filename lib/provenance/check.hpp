// Checks on SLSA v1 provenance predicates: structure (check_predicate_v1) and what
// verify-provenance compares, as slsa-verifier does for container images (check_provenance).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/json.hpp"
#include "provenance/predicate.hpp"

namespace sigil::provenance {

/// Largest predicate document parse_predicate accepts by default (attest's --predicate file).
inline constexpr std::size_t kMaxPredicateBytes = 16 * 1024 * 1024;

/// Parses a predicate document keeping its member order, never throwing: input error naming
/// `what` for invalid JSON, nesting deeper than limits::kMaxJsonDepth, a size above `max_bytes`,
/// or a document that is not a JSON object.
[[nodiscard]] Result<nlohmann::ordered_json> parse_predicate(std::string_view text, std::string_view what,
                                                             std::size_t max_bytes = kMaxPredicateBytes);

/// Provenance structural checks beyond in-toto's: SLSA v1 required members (buildDefinition
/// with buildType and externalParameters; runDetails.builder.id), ResourceDescriptor rules
/// (at least one of uri/digest/content; lower-case hex digests), RFC 3339 timestamps.
/// Input error naming the member ("runDetails.builder.id: missing").
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
/// Builder id: an expected "NAME@VERSION" must equal builder.id (or builder.id ends in
/// "@refs/tags/VERSION"); an expected id without "@" matches builder.id's part before "@"
/// (slsa-verifier's loose match), so a GitHub workflow id matches every ref of that workflow.
/// BuildKit: the source is externalParameters.configSource (uri "URL#REF[:SUBDIR]" or
/// "URL?tag=…", digest.sha1), or, for a local context, BuildKit's vcs metadata (source,
/// revision), which BuildKit records unverified.
[[nodiscard]] Result<ProvenanceFacts> check_provenance(const nlohmann::ordered_json& predicate,
                                                       const Expectations& expected);

}  // namespace sigil::provenance
