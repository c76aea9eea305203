// Referrers on a registry: the referrers API (GET /v2/NAME/referrers/DIGEST, filters, Link
// pagination) and, on registries without it, the referrers tag schema (an index tagged
// "<alg>-<hex>" maintained by clients with read-modify-write).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"
#include "oci/descriptor.hpp"
#include "oci/detail/registry_context.hpp"
#include "oci/digest.hpp"

namespace sigil::oci::detail {

/// The fallback tag for a subject (distribution-spec v1.1 "Referrers Tag Schema"): "<alg>-<ref>"
/// with the algorithm truncated to 32 characters and the hex to 64 (so sha512 digests share the
/// tag of their first 64 hex digits, and their index entries must be checked by full digest).
[[nodiscard]] std::string referrers_tag(const Digest& subject);

/// The descriptors of an index JSON's "manifests" (a referrers response or a fallback index).
[[nodiscard]] Result<std::vector<Descriptor>> index_descriptors(const Json& index, std::string_view what);

/// Keeps the descriptors with this artifact type (all when `artifact_type` is empty).
[[nodiscard]] std::vector<Descriptor> filter_artifact_type(std::vector<Descriptor> descriptors,
                                                           std::string_view artifact_type);

/// True when an OCI-Filters-Applied header value lists `filter` (comma-separated).
[[nodiscard]] bool filter_applied(std::string_view header_value, std::string_view filter);

/// Lists referrers of `subject`: the API when the registry has it (404 → fallback tag schema).
[[nodiscard]] Result<std::vector<Descriptor>> list_referrers(RegistryContext& ctx, const Digest& subject,
                                                             std::string_view artifact_type);

/// Adds `referrer` to the fallback index of `subject` (creating it when absent) unless an entry
/// with its digest is there. Writes for one subject are serialized within the session; after each
/// write the index is read back and the merge redone when a concurrent writer replaced it.
[[nodiscard]] Result<void> add_fallback_referrer(RegistryContext& ctx, const Digest& subject,
                                                 const Descriptor& referrer);

}  // namespace sigil::oci::detail
