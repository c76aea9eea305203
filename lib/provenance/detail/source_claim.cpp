#include "provenance/detail/source_claim.hpp"

#include <utility>

#include "provenance/detail/git_uri.hpp"

namespace sigil::provenance::detail {
namespace {

const Ordered& empty_object() {
  static const Ordered kEmpty = Ordered::object();
  return kEmpty;
}

const Ordered& external_parameters(const Ordered& predicate) {
  const Ordered* definition = member(predicate, "buildDefinition");
  const Ordered* external = definition ? member(*definition, "externalParameters") : nullptr;
  return external ? *external : empty_object();
}

// BuildKit's vcs values are strings written by the client (vcs:source, vcs:revision).
Result<SourceClaim> buildkit_vcs(const Ordered& predicate) {
  const Ordered* run = member(predicate, "runDetails");
  const Ordered* metadata = run ? member(*run, "metadata") : nullptr;
  SourceClaim claim;
  if (metadata == nullptr) return claim;
  for (std::string_view key : {"buildkit_metadata", "https://mobyproject.org/buildkit@v1#metadata"}) {
    std::string path = "runDetails.metadata." + std::string(key);
    auto buildkit = object_member(*metadata, key, "runDetails.metadata");
    if (!buildkit) return std::unexpected(std::move(buildkit.error()));
    if (*buildkit == nullptr) continue;
    auto vcs = object_member(**buildkit, "vcs", path);
    if (!vcs) return std::unexpected(std::move(vcs.error()));
    if (*vcs == nullptr) continue;
    auto source = string_member(**vcs, "source", path + ".vcs");
    if (!source) return std::unexpected(std::move(source.error()));
    auto revision = string_member(**vcs, "revision", path + ".vcs");
    if (!revision) return std::unexpected(std::move(revision.error()));
    if (source->empty()) continue;
    claim.uri = *source;
    GitLocation location = split_buildkit_uri(*source);
    claim.repo = location.repo;
    claim.ref = location.ref;
    claim.commit = *revision;
    claim.where = "buildkit vcs metadata";
    return claim;
  }
  return claim;
}

}  // namespace

Result<SourceClaim> sigil_source(const Ordered& predicate) {
  constexpr std::string_view kPath = "buildDefinition.externalParameters";
  auto source = object_member(external_parameters(predicate), "source", kPath);
  if (!source) return std::unexpected(std::move(source.error()));
  if (*source == nullptr) return bad(std::string(kPath) + ".source", "missing");
  std::string path = std::string(kPath) + ".source";
  if (auto r = check_descriptor(**source, path); !r) return std::unexpected(std::move(r.error()));
  SourceClaim claim;
  claim.where = "externalParameters.source";
  auto uri = string_member(**source, "uri", path);
  if (!uri) return std::unexpected(std::move(uri.error()));
  claim.uri = *uri;
  GitLocation location = split_sigil_uri(*uri);
  claim.repo = location.repo;
  claim.ref = location.ref;
  if (const Ordered* digest = member(**source, "digest"); digest != nullptr) {
    auto commit = string_member(*digest, "gitCommit", path + ".digest");
    if (!commit) return std::unexpected(std::move(commit.error()));
    claim.commit = *commit;
    if (claim.uri.empty()) {
      // A directory context: its content digest, for the message that says why it cannot match.
      for (const auto& [algorithm, value] : digest->items()) {
        if (value.is_string()) claim.context_digest = algorithm + ":" + value.get<std::string>();
        break;
      }
    }
  }
  return claim;
}

Result<SourceClaim> buildkit_source(const Ordered& predicate) {
  constexpr std::string_view kPath = "buildDefinition.externalParameters";
  auto config = object_member(external_parameters(predicate), "configSource", kPath);
  if (!config) return std::unexpected(std::move(config.error()));
  if (*config != nullptr) {
    std::string path = std::string(kPath) + ".configSource";
    auto uri = string_member(**config, "uri", path);
    if (!uri) return std::unexpected(std::move(uri.error()));
    if (auto r = string_member(**config, "path", path); !r) return std::unexpected(std::move(r.error()));
    std::string commit;
    if (const Ordered* digest = member(**config, "digest"); digest != nullptr) {
      if (auto r = check_digest_set(*digest, path + ".digest"); !r) return std::unexpected(std::move(r.error()));
      auto sha1 = string_member(*digest, "sha1", path + ".digest");
      if (!sha1) return std::unexpected(std::move(sha1.error()));
      commit = *sha1;
    }
    if (!uri->empty()) {
      SourceClaim claim;
      claim.uri = *uri;
      GitLocation location = split_buildkit_uri(*uri);
      claim.repo = location.repo;
      claim.ref = location.ref;
      claim.commit = commit;
      claim.where = "externalParameters.configSource";
      return claim;
    }
  }
  // A local context: BuildKit only knows what the client told it (buildx's vcs:source and
  // vcs:revision), recorded unverified.
  return buildkit_vcs(predicate);
}

Result<std::string> invocation_id(const Ordered& predicate) {
  const Ordered* run = member(predicate, "runDetails");
  const Ordered* metadata = run ? member(*run, "metadata") : nullptr;
  if (metadata == nullptr) return std::string();
  auto id = string_member(*metadata, "invocationId", "runDetails.metadata");
  if (!id || !id->empty()) return id;
  return string_member(*metadata, "invocationID", "runDetails.metadata");
}

}  // namespace sigil::provenance::detail
