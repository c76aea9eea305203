// What a predicate claims about its source, read per buildType (sigil's or BuildKit's).
#pragma once

#include <string>

#include "common/error.hpp"
#include "provenance/detail/rules.hpp"

namespace sigil::provenance::detail {

/// The source a predicate records, with where it was read from (for messages).
struct SourceClaim {
  std::string uri;     ///< as recorded ("git+https://…@refs/tags/v1", "https://….git#v1")
  std::string repo;    ///< uri without its ref part; empty for a directory context
  std::string ref;     ///< "refs/tags/v1", a bare ref as recorded, or empty
  std::string commit;  ///< lower-case hex commit id, or empty
  std::string where;   ///< "externalParameters.source", "externalParameters.configSource", "buildkit vcs metadata"
  std::string context_digest;  ///< "sha256:…" when the source is a directory context (sigil)
};

/// sigil's buildType: externalParameters.source. Input error for a wrongly typed source.
[[nodiscard]] Result<SourceClaim> sigil_source(const Ordered& predicate);

/// BuildKit's buildTypes: externalParameters.configSource (uri, digest.sha1), else the vcs
/// metadata (runDetails.metadata["buildkit_metadata" or "https://mobyproject.org/buildkit@v1#metadata"].vcs).
[[nodiscard]] Result<SourceClaim> buildkit_source(const Ordered& predicate);

/// runDetails.metadata.invocationId (BuildKit's documentation spells it invocationID: both read).
[[nodiscard]] Result<std::string> invocation_id(const Ordered& predicate);

}  // namespace sigil::provenance::detail
