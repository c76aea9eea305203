// Structural rules of SLSA v1 / in-toto ResourceDescriptors, DigestSets and timestamps, and
// typed member access that never throws on hostile JSON.
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/json.hpp"

namespace sigil::provenance::detail {

using Ordered = nlohmann::ordered_json;

/// Input error "provenance predicate: <path>: <problem>".
[[nodiscard]] std::unexpected<Error> bad(std::string_view path, std::string_view problem);

/// The member `key` of `object`, or nullptr when `object` is not an object, lacks it, or it is null.
[[nodiscard]] const Ordered* member(const Ordered& object, std::string_view key);

/// A string member: "" when absent or null; input error when present and not a string.
[[nodiscard]] Result<std::string> string_member(const Ordered& object, std::string_view key, std::string_view path);

/// An optional member that must be an object when present (nullptr when absent).
[[nodiscard]] Result<const Ordered*> object_member(const Ordered& object, std::string_view key, std::string_view path);

/// DigestSet: a non-empty object of strings; values of the algorithms in-toto names (sha256,
/// sha1, gitCommit, ...) are lower-case hex of their length. Unknown algorithms are not judged.
[[nodiscard]] Result<void> check_digest_set(const Ordered& digest, std::string_view path);

/// ResourceDescriptor: an object; uri, name, downloadLocation, mediaType, content are strings;
/// digest a DigestSet; annotations an object; at least one of uri, digest, content.
[[nodiscard]] Result<void> check_descriptor(const Ordered& descriptor, std::string_view path);

/// An optional array of ResourceDescriptors.
[[nodiscard]] Result<void> check_descriptor_list(const Ordered& object, std::string_view key, std::string_view path);

/// RFC 3339 date-time: "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" with valid field ranges.
[[nodiscard]] bool is_rfc3339(std::string_view text);

}  // namespace sigil::provenance::detail
