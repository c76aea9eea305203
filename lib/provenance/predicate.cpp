#include "provenance/predicate.hpp"

#include <algorithm>
#include <ctime>
#include <set>

#include "oci/artifact.hpp"
#include "provenance/detail/git_uri.hpp"

namespace sigil::provenance {
namespace {

using Ordered = nlohmann::ordered_json;

// Go's encoding/json and protojson write maps sorted by key; std::map iterates sorted already,
// and ordered_json keeps that insertion order.
Ordered string_map(const std::map<std::string, std::string>& map) {
  Ordered out = Ordered::object();
  for (const auto& [key, value] : map) out[key] = value;
  return out;
}

Ordered string_list(const std::vector<std::string>& list) {
  Ordered out = Ordered::array();
  for (const auto& item : list) out.push_back(item);
  return out;
}

Ordered digest_set(const oci::Digest& digest) {
  Ordered out = Ordered::object();
  out[std::string(oci::algorithm_name(digest.algorithm()))] = digest.hex();
  return out;
}

// ResourceDescriptor members in the order of the in-toto proto (uri, digest, name,
// downloadLocation, mediaType, content, annotations); empty ones are left out.
Ordered descriptor_json(const ResourceDescriptor& rd) {
  Ordered out = Ordered::object();
  if (!rd.uri.empty()) out["uri"] = rd.uri;
  if (!rd.digest.empty()) out["digest"] = string_map(rd.digest);
  if (!rd.name.empty()) out["name"] = rd.name;
  if (!rd.media_type.empty()) out["mediaType"] = rd.media_type;
  if (rd.annotations.is_object() && !rd.annotations.empty()) out["annotations"] = rd.annotations;
  return out;
}

Ordered descriptor_list(const std::vector<ResourceDescriptor>& list) {
  Ordered out = Ordered::array();
  for (const auto& rd : list) out.push_back(descriptor_json(rd));
  return out;
}

std::string rfc3339(std::int64_t seconds) { return oci::rfc3339_utc(static_cast<std::time_t>(seconds)); }

// The context as a ResourceDescriptor: the git commit when there is one, else the directory's
// content digest under the name "context". Empty when neither is known.
std::optional<ResourceDescriptor> source_descriptor(const Source& source) {
  ResourceDescriptor rd;
  if (!source.git_commit.empty()) {
    rd.uri = git_source_uri(source);
    rd.digest["gitCommit"] = source.git_commit;
    return rd;
  }
  if (source.context_digest && !source.context_digest->empty()) {
    rd.name = "context";
    rd.digest[std::string(oci::algorithm_name(source.context_digest->algorithm()))] = source.context_digest->hex();
    return rd;
  }
  if (!source.git_uri.empty()) {
    rd.uri = git_source_uri(source);
    return rd;
  }
  return std::nullopt;
}

std::optional<ResourceDescriptor> dockerfile_descriptor(const BuildFacts& facts) {
  if (facts.dockerfile_digest.empty()) return std::nullopt;
  ResourceDescriptor rd;
  rd.name = facts.dockerfile_path.empty() ? std::string("Dockerfile") : facts.dockerfile_path;
  rd.digest[std::string(oci::algorithm_name(facts.dockerfile_digest.algorithm()))] = facts.dockerfile_digest.hex();
  return rd;
}

bool same_resource(const ResourceDescriptor& a, const ResourceDescriptor& b) {
  return a.uri == b.uri && a.name == b.name && a.digest == b.digest;
}

Ordered external_parameters(const BuildFacts& facts) {
  Ordered out = Ordered::object();
  if (auto source = source_descriptor(facts.source)) out["source"] = descriptor_json(*source);
  Ordered dockerfile = Ordered::object();
  if (!facts.dockerfile_path.empty()) dockerfile["path"] = facts.dockerfile_path;
  if (!facts.dockerfile_digest.empty()) dockerfile["digest"] = digest_set(facts.dockerfile_digest);
  if (!dockerfile.empty()) out["dockerfile"] = std::move(dockerfile);
  if (!facts.target.empty()) out["target"] = facts.target;
  if (!facts.platforms.empty()) out["platforms"] = string_list(facts.platforms);
  if (!facts.labels.empty()) out["labels"] = string_map(facts.labels);
  if (facts.mode == Mode::max) {
    // Build-arg values may be sensitive to their owner (BuildKit keeps them out of min mode too);
    // secret values never reach any input of this function, only their ids.
    if (!facts.build_args.empty()) out["buildArgs"] = string_map(facts.build_args);
    std::set<std::string> secrets(facts.secret_ids.begin(), facts.secret_ids.end());
    if (!secrets.empty()) out["secrets"] = string_list({secrets.begin(), secrets.end()});
  }
  return out;
}

Ordered internal_parameters(const BuildFacts& facts) {
  Ordered out = Ordered::object();
  if (!facts.sigil_version.empty()) out["sigilVersion"] = facts.sigil_version;
  Ordered cache = Ordered::object();
  // noCache is written even when false: "the cache was allowed" is information a reader needs.
  cache["noCache"] = facts.no_cache;
  if (!facts.cache_from.empty()) cache["cacheFrom"] = string_list(facts.cache_from);
  if (!facts.cache_to.empty()) cache["cacheTo"] = string_list(facts.cache_to);
  out["cache"] = std::move(cache);
  if (facts.mode == Mode::max) {
    Ordered stages = Ordered::array();
    for (const auto& stage : facts.stages) {
      Ordered entry = Ordered::object();
      entry["name"] = stage.name;
      if (!stage.digest.empty()) entry["digest"] = digest_set(stage.digest);
      stages.push_back(std::move(entry));
    }
    if (!stages.empty()) out["stages"] = std::move(stages);
    Ordered layers = Ordered::array();
    for (const auto& layer : facts.layers) {
      Ordered entry = Ordered::object();
      if (!layer.digest.empty()) entry["digest"] = digest_set(layer.digest);
      if (!layer.stage.empty()) entry["stage"] = layer.stage;
      if (!layer.instruction.empty()) entry["instruction"] = layer.instruction;
      if (layer.line > 0) entry["line"] = layer.line;
      layers.push_back(std::move(entry));
    }
    if (!layers.empty()) out["layers"] = std::move(layers);
  }
  return out;
}

Ordered resolved_dependencies(const BuildFacts& facts) {
  std::vector<ResourceDescriptor> all;
  auto add_once = [&](const ResourceDescriptor& rd) {
    auto equal = [&](const ResourceDescriptor& other) { return same_resource(rd, other); };
    if (std::none_of(all.begin(), all.end(), equal)) all.push_back(rd);
  };
  if (auto source = source_descriptor(facts.source)) add_once(*source);
  if (auto dockerfile = dockerfile_descriptor(facts)) add_once(*dockerfile);
  for (const auto& rd : facts.dependencies) add_once(rd);
  return descriptor_list(all);
}

Ordered run_details(const BuildFacts& facts) {
  Ordered out = Ordered::object();
  Ordered builder = Ordered::object();
  builder["id"] = facts.builder.id.empty() ? std::string(kLocalBuilderId) : facts.builder.id;
  out["builder"] = std::move(builder);
  Ordered metadata = Ordered::object();
  if (!facts.builder.invocation_id.empty()) metadata["invocationId"] = facts.builder.invocation_id;
  if (facts.started_on > 0) metadata["startedOn"] = rfc3339(facts.started_on);
  if (facts.finished_on > 0) metadata["finishedOn"] = rfc3339(facts.finished_on);
  if (!metadata.empty()) out["metadata"] = std::move(metadata);
  if (!facts.byproducts.empty()) out["byproducts"] = descriptor_list(facts.byproducts);
  return out;
}

}  // namespace

std::string git_source_uri(const Source& source) {
  // A checkout without a remote has no URI anyone else could fetch: the commit alone says it.
  if (source.git_uri.empty()) return {};
  std::string url = detail::strip_credentials(detail::scp_to_url(source.git_uri));
  std::string out = url.rfind("git+", 0) == 0 ? url : "git+" + url;
  if (!source.git_ref.empty()) out += "@" + source.git_ref;
  return out;
}

nlohmann::ordered_json make_predicate(const BuildFacts& facts) {
  Ordered build_definition = Ordered::object();
  build_definition["buildType"] = std::string(kSigilBuildType);
  build_definition["externalParameters"] = external_parameters(facts);
  build_definition["internalParameters"] = internal_parameters(facts);
  Ordered dependencies = resolved_dependencies(facts);
  if (!dependencies.empty()) build_definition["resolvedDependencies"] = std::move(dependencies);
  Ordered predicate = Ordered::object();
  predicate["buildDefinition"] = std::move(build_definition);
  predicate["runDetails"] = run_details(facts);
  return predicate;
}

std::string serialize_predicate(const nlohmann::ordered_json& predicate) {
  return predicate.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

}  // namespace sigil::provenance
