#include "provenance/check.hpp"

#include <utility>

#include "common/limits.hpp"
#include "provenance/detail/git_uri.hpp"
#include "provenance/detail/rules.hpp"
#include "provenance/detail/source_claim.hpp"

namespace sigil::provenance {
namespace {

using detail::bad;
using detail::member;
using detail::object_member;
using detail::Ordered;
using detail::string_member;

template <class T>
std::unexpected<Error> forward(Result<T>& r) {
  return std::unexpected(std::move(r.error()));
}

std::string in_quotes(std::string_view text) { return "\"" + std::string(text.substr(0, 512)) + "\""; }

std::unexpected<Error> denied(std::string_view check, std::string_view expected, std::string_view found) {
  return fail(ErrorCategory::denied, "provenance check " + std::string(check) + ": expected " + std::string(expected) +
                                         ", found " + std::string(found));
}

Result<void> check_timestamp(const Ordered& metadata, std::string_view key) {
  auto value = string_member(metadata, key, "runDetails.metadata");
  if (!value) return forward(value);
  if (!value->empty() && !detail::is_rfc3339(*value)) {
    return bad("runDetails.metadata." + std::string(key), in_quotes(*value) + " is not an RFC 3339 timestamp");
  }
  return {};
}

Result<void> check_build_definition(const Ordered& predicate) {
  auto definition = object_member(predicate, "buildDefinition", "predicate");
  if (!definition) return forward(definition);
  if (*definition == nullptr) return bad("buildDefinition", "missing");
  const Ordered& def = **definition;
  auto build_type = string_member(def, "buildType", "buildDefinition");
  if (!build_type) return forward(build_type);
  if (build_type->empty()) return bad("buildDefinition.buildType", "missing");
  auto external = object_member(def, "externalParameters", "buildDefinition");
  if (!external) return forward(external);
  if (*external == nullptr) return bad("buildDefinition.externalParameters", "missing");
  auto internal = object_member(def, "internalParameters", "buildDefinition");
  if (!internal) return forward(internal);
  return detail::check_descriptor_list(def, "resolvedDependencies", "buildDefinition");
}

Result<void> check_run_details(const Ordered& predicate) {
  auto run = object_member(predicate, "runDetails", "predicate");
  if (!run) return forward(run);
  if (*run == nullptr) return bad("runDetails", "missing");
  const Ordered& details = **run;
  auto builder = object_member(details, "builder", "runDetails");
  if (!builder) return forward(builder);
  if (*builder == nullptr) return bad("runDetails.builder", "missing");
  auto id = string_member(**builder, "id", "runDetails.builder");
  if (!id) return forward(id);
  if (id->empty()) return bad("runDetails.builder.id", "missing");
  auto version = object_member(**builder, "version", "runDetails.builder");
  if (!version) return forward(version);
  if (*version != nullptr) {
    for (const auto& [component, value] : (*version)->items()) {
      if (!value.is_string()) return bad("runDetails.builder.version." + component, "not a string");
    }
  }
  if (auto r = detail::check_descriptor_list(**builder, "builderDependencies", "runDetails.builder"); !r) return r;
  auto metadata = object_member(details, "metadata", "runDetails");
  if (!metadata) return forward(metadata);
  if (*metadata != nullptr) {
    for (std::string_view key : {"invocationId", "invocationID"}) {
      if (auto r = string_member(**metadata, key, "runDetails.metadata"); !r) return forward(r);
    }
    if (auto r = check_timestamp(**metadata, "startedOn"); !r) return r;
    if (auto r = check_timestamp(**metadata, "finishedOn"); !r) return r;
  }
  return detail::check_descriptor_list(details, "byproducts", "runDetails");
}

// slsa-verifier's source check: the recorded repository equals the expected one, and there is a
// commit to pin it.
Result<void> check_source(const detail::SourceClaim& claim, const Expectations& expected) {
  std::string want = detail::normalize_repo_uri(expected.source_uri);
  if (claim.repo.empty()) {
    std::string found = !claim.context_digest.empty() ? "a directory context " + claim.context_digest
                                                      : std::string("no source repository");
    return denied("source-uri", in_quotes(expected.source_uri), found);
  }
  if (detail::normalize_repo_uri(claim.repo) != want) {
    return denied("source-uri", in_quotes(expected.source_uri), in_quotes(claim.uri) + " (" + claim.where + ")");
  }
  if (!detail::is_lower_hex(claim.commit, 40) && !detail::is_lower_hex(claim.commit, 64)) {
    return denied("source-commit", "a git commit id for " + in_quotes(claim.uri),
                  claim.commit.empty() ? std::string("none") : in_quotes(claim.commit));
  }
  return {};
}

Result<void> check_ref(std::string_view check, std::string_view prefix, const std::string& name,
                       const detail::SourceClaim& claim) {
  // "v1.0.0" and "refs/tags/v1.0.0" name the same tag; slsa-verifier users type the former.
  std::string want = name.rfind(prefix, 0) == 0 ? name : std::string(prefix) + name;
  if (claim.ref == want) return {};
  return denied(check, want, claim.ref.empty() ? std::string("no ref in ") + in_quotes(claim.uri) : in_quotes(claim.ref));
}

}  // namespace

Result<nlohmann::ordered_json> parse_predicate(std::string_view text, std::string_view what, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return fail(ErrorCategory::input, std::string(what) + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  // parse_json refuses hostile nesting and explains syntax errors; the second, order-keeping parse
  // keeps the members as the producer wrote them.
  auto checked = parse_json(text, what);
  if (!checked) return forward(checked);
  Ordered document = Ordered::parse(text, nullptr, false);
  if (document.is_discarded()) return fail(ErrorCategory::input, std::string(what) + ": invalid JSON");
  if (!document.is_object()) return fail(ErrorCategory::input, std::string(what) + ": not a JSON object");
  return document;
}

Result<void> check_predicate_v1(const nlohmann::ordered_json& predicate) {
  if (!predicate.is_object()) return fail(ErrorCategory::input, "provenance predicate: not a JSON object");
  if (auto r = check_build_definition(predicate); !r) return r;
  return check_run_details(predicate);
}

Result<ProvenanceFacts> check_provenance(const nlohmann::ordered_json& predicate, const Expectations& expected) {
  if (auto r = check_predicate_v1(predicate); !r) return forward(r);
  if (expected.source_uri.empty()) return fail(ErrorCategory::usage, "provenance check: no expected source URI");
  ProvenanceFacts facts;
  facts.build_type = predicate["buildDefinition"]["buildType"].get<std::string>();
  facts.builder_id = predicate["runDetails"]["builder"]["id"].get<std::string>();
  Result<detail::SourceClaim> claim = fail(ErrorCategory::internal, "unreachable");
  if (facts.build_type == kSigilBuildType) {
    claim = detail::sigil_source(predicate);
  } else if (facts.build_type == kBuildKitBuildType || facts.build_type == kBuildKitBuildTypeV1) {
    claim = detail::buildkit_source(predicate);
  } else {
    return fail(ErrorCategory::input, "provenance predicate: unknown buildType " + in_quotes(facts.build_type) +
                                          " (known: " + std::string(kSigilBuildType) + ", " +
                                          std::string(kBuildKitBuildTypeV1) + ", " + std::string(kBuildKitBuildType) + ")");
  }
  if (!claim) return forward(claim);
  auto invocation = detail::invocation_id(predicate);
  if (!invocation) return forward(invocation);
  facts.source_uri = claim->uri;
  facts.source_commit = claim->commit;
  facts.source_ref = claim->ref;
  facts.invocation_id = *invocation;

  if (auto r = check_source(*claim, expected); !r) return forward(r);
  if (expected.source_tag) {
    if (auto r = check_ref("source-tag", "refs/tags/", *expected.source_tag, *claim); !r) return forward(r);
  }
  if (expected.source_branch) {
    if (auto r = check_ref("source-branch", "refs/heads/", *expected.source_branch, *claim); !r) return forward(r);
  }
  if (expected.builder_id && !detail::builder_id_matches(facts.builder_id, *expected.builder_id)) {
    return denied("builder-id", in_quotes(*expected.builder_id), in_quotes(facts.builder_id));
  }
  return facts;
}

}  // namespace sigil::provenance
