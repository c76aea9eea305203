#include "cmd/sigil/build_pipeline.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

#include "build/image/platform.hpp"
#include "cmd/sigil/attest_helpers.hpp"
#include "oci/artifact.hpp"
#include "oci/media_types.hpp"
#include "sbom/image_catalog.hpp"
#include "sign/cosign_image.hpp"
#include "sign/statement.hpp"

namespace sigil::cli {
namespace {

constexpr std::string_view kInTotoMediaType = "application/vnd.in-toto+json";
constexpr std::string_view kPredicateTypeAnnotation = "in-toto.io/predicate-type";

std::string percent_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// A base image as BuildKit's provenance names it ("pkg:docker/docker.io/library/alpine@3.20?platform=linux%2Famd64");
// layouts keep their pinned oci: reference, URLs their text.
provenance::ResourceDescriptor dependency(const build::ResolvedInput& input, const oci::Platform& platform) {
  provenance::ResourceDescriptor d;
  d.uri = input.uri;
  if (input.kind == build::ResolvedInput::Kind::git) {  // BuildKit records a git source's commit as sha1
    d.digest["sha1"] = input.commit;
    return d;
  }
  d.digest[std::string(oci::algorithm_name(input.digest.algorithm()))] = input.digest.hex();
  if (input.kind == build::ResolvedInput::Kind::image) {
    auto ref = oci::Reference::parse(input.name);
    if (ref && ref->transport == oci::Transport::registry) {
      std::string version = ref->digest ? ref->digest->str() : (ref->tag.empty() ? "latest" : ref->tag);
      d.uri = "pkg:docker/" + ref->repository_name() + "@" + version + "?platform=" +
              percent_encode(build::format_platform(platform));
    }
  }
  return d;
}

// The subject descriptor of a referrer: the manifest without its index-only platform field.
oci::Descriptor subject_of(const oci::Descriptor& manifest) {
  oci::Descriptor d = manifest;
  d.platform.reset();
  d.annotations.clear();
  return d;
}

// One SBOM document made for a platform image.
struct SbomDocument {
  std::size_t image = 0;
  sbom::Format format;
  std::string bytes;
};

std::string sbom_title(const sbom::Format& format) {
  return format.kind == sbom::Format::Kind::cyclonedx_json ? "sbom.cdx.json" : "sbom.spdx.json";
}

std::string sbom_predicate_type(const sbom::Format& format) {
  return format.kind == sbom::Format::Kind::cyclonedx_json ? "https://cyclonedx.org/bom" : "https://spdx.dev/Document";
}

// A push prepared before any push happens; `what` names it in the report.
struct PendingPush {
  std::string what;
  std::function<Result<oci::Descriptor>()> push;
};

// A statement about `subject` as a referrer: signed into a bundle with a signer, else the bare
// statement as BuildKit stores unsigned attestations (in-toto media type, predicate-type annotation).
Result<PendingPush> statement_push(const PipelineOptions& options, oci::Store& store, const oci::Descriptor& subject,
                                   const std::string& subject_name, const std::string& predicate_type,
                                   nlohmann::ordered_json predicate, std::string what) {
  if (options.signer != nullptr) {
    auto signed_statement = sign_attestation(*options.signer, subject, subject_name, predicate_type, std::move(predicate));
    if (!signed_statement) return std::unexpected(signed_statement.error().with_context(what));
    if (options.complete_bundle) {
      if (auto completed = options.complete_bundle(signed_statement->bundle); !completed) {
        return std::unexpected(completed.error().with_context(what));
      }
    }
    auto* s = &store;
    return PendingPush{std::move(what), [s, subject, attestation = std::move(*signed_statement)] {
                         return push_attestation(*s, subject, attestation);
                       }};
  }
  sign::Statement statement;
  sign::Subject sub;
  sub.name = subject_name;
  sub.digest[std::string(oci::algorithm_name(subject.digest.algorithm()))] = subject.digest.hex();
  statement.subjects.push_back(std::move(sub));
  statement.predicate_type = predicate_type;
  statement.predicate = std::move(predicate);
  oci::ArtifactLayer layer{std::string(kInTotoMediaType), sign::serialize_statement(statement),
                           {{std::string(kPredicateTypeAnnotation), predicate_type}}};
  auto* s = &store;
  return PendingPush{std::move(what), [s, subject, layer = std::move(layer)] {
                       return oci::attach_artifact(*s, subject, kInTotoMediaType, {layer},
                                                   {{std::string(oci::kAnnotationCreated), oci::creation_time()},
                                                    {std::string(kPredicateTypeAnnotation), layer.annotations.begin()->second}});
                     }};
}

}  // namespace

provenance::BuildFacts provenance_facts(const build::BuildResult& result, const build::BuildOptions& build_options,
                                        const PipelineOptions& options, std::optional<std::size_t> image,
                                        std::vector<provenance::ResourceDescriptor> byproducts) {
  provenance::BuildFacts f;
  f.mode = options.provenance.value_or(provenance::Mode::min);
  if (options.git && !options.git->revision.empty()) {
    f.source.git_uri = options.git->source;
    f.source.git_commit = options.git->revision;
    f.source.git_ref = options.git->ref;
  } else {
    f.source.context_digest = result.context_digest;
  }
  f.dockerfile_path = options.dockerfile_path;
  f.dockerfile_digest = result.dockerfile_digest;
  f.target = build_options.target;
  for (const auto& i : result.images) f.platforms.push_back(build::format_platform(i.platform));
  f.labels = build_options.labels;
  if (f.mode == provenance::Mode::max) {
    f.build_args.insert(build_options.build_args.begin(), build_options.build_args.end());
    f.secret_ids = options.secret_ids;
    std::sort(f.secret_ids.begin(), f.secret_ids.end());
  }
  f.sigil_version = SIGIL_VERSION;
  f.no_cache = build_options.no_cache;
  f.cache_from = build_options.cache_from;
  f.cache_to = options.cache_to;
  auto add_inputs = [&](const build::PlatformImage& platform_image) {
    for (const auto& input : platform_image.inputs) {
      auto d = dependency(input, platform_image.platform);
      bool seen = std::any_of(f.dependencies.begin(), f.dependencies.end(),
                              [&](const auto& have) { return have.uri == d.uri && have.digest == d.digest; });
      if (!seen) f.dependencies.push_back(std::move(d));
    }
  };
  if (image) {
    add_inputs(result.images[*image]);
  } else {
    for (const auto& i : result.images) add_inputs(i);
  }
  f.builder = provenance::detect_builder(provenance::process_env(), options.builder_id);
  f.started_on = options.started_on;
  f.finished_on = options.finished_on;
  f.byproducts = std::move(byproducts);
  if (f.mode == provenance::Mode::max) {
    for (const auto& s : result.stages) f.stages.push_back(provenance::StageRecord{s.name, s.digest});
    if (image) {
      const auto& pi = result.images[*image];
      for (std::size_t l = 0; l < pi.layers.size() && l < pi.layer_origins.size(); ++l) {
        const auto& o = pi.layer_origins[l];
        f.layers.push_back(provenance::LayerRecord{pi.layers[l].descriptor.digest, o.stage, o.instruction, o.line});
      }
    }
  }
  return f;
}

Result<void> run_pipeline(const build::BuildResult& result, const build::BuildOptions& build_options,
                          const PipelineOptions& options, const std::vector<PipelineDestination>& destinations,
                          std::FILE* report) {
  if (!pipeline_wanted(options) || destinations.empty()) return {};

  // SBOMs: catalogued once, from the first destination (every destination holds the same bytes).
  std::vector<SbomDocument> documents;
  if (!options.sbom_formats.empty()) {
    const auto& first = destinations.front();
    for (std::size_t i = 0; i < result.images.size(); ++i) {
      const auto& image = result.images[i];
      auto cataloged = sbom::catalog_image(*first.store, subject_of(image.manifest), image.platform, first.text);
      if (!cataloged) return std::unexpected(cataloged.error().with_context("sbom of " + image.manifest.digest.str()));
      sbom::EncodeOptions encode;
      encode.timestamp = options.sbom_timestamp;
      for (const auto& format : options.sbom_formats) {
        auto doc = sbom::encode(cataloged->inventory, format, encode);
        if (!doc) return std::unexpected(doc.error());
        documents.push_back(SbomDocument{i, format, std::move(*doc)});
      }
    }
  }
  auto byproducts_of = [&](std::optional<std::size_t> image) {
    std::vector<provenance::ResourceDescriptor> out;
    for (const auto& d : documents) {
      if (image && d.image != *image) continue;
      provenance::ResourceDescriptor r;
      r.name = sbom_title(d.format);
      if (!image) r.name = build::format_platform(result.images[d.image].platform) + "/" + r.name;
      auto digest = oci::Digest::of(d.bytes);
      r.digest["sha256"] = digest.hex();
      r.media_type = std::string(d.format.media_type());
      out.push_back(std::move(r));
    }
    return out;
  };

  // Everything is prepared (and signed) for every destination before the first push.
  std::vector<PendingPush> pending;
  for (const auto& dest : destinations) {
    std::string subject_name = attestation_subject_name(dest.reference);
    for (std::size_t i = 0; i < result.images.size(); ++i) {
      const auto& image = result.images[i];
      oci::Descriptor subject = subject_of(image.manifest);
      std::string platform = build::format_platform(image.platform);
      for (const auto& d : documents) {
        if (d.image != i) continue;
        std::string what = d.format.name() + " SBOM (" + platform + ")";
        if (options.signer != nullptr) {
          auto predicate = nlohmann::ordered_json::parse(d.bytes, nullptr, /*allow_exceptions=*/false);
          if (predicate.is_discarded()) return fail(ErrorCategory::internal, what + ": the SBOM is not JSON");
          auto push = statement_push(options, *dest.store, subject, subject_name, sbom_predicate_type(d.format),
                                     std::move(predicate), what);
          if (!push) return std::unexpected(push.error());
          pending.push_back(std::move(*push));
        } else {
          std::string media_type(d.format.media_type());
          oci::ArtifactLayer layer{media_type, d.bytes, {{std::string(oci::kAnnotationTitle), sbom_title(d.format)}}};
          auto* s = dest.store;
          pending.push_back(PendingPush{what, [s, subject, media_type, layer] {
                                          return oci::attach_artifact(*s, subject, media_type, {layer},
                                                                      {{std::string(oci::kAnnotationCreated),
                                                                        oci::creation_time()}});
                                        }});
        }
      }
      if (options.provenance) {
        auto facts = provenance_facts(result, build_options, options, i, byproducts_of(i));
        auto push = statement_push(options, *dest.store, subject, subject_name,
                                   std::string(provenance::kPredicateTypeV1), provenance::make_predicate(facts),
                                   "provenance (" + platform + ")");
        if (!push) return std::unexpected(push.error());
        pending.push_back(std::move(*push));
      }
    }
    if (result.index_raw && options.provenance) {
      auto facts = provenance_facts(result, build_options, options, std::nullopt, byproducts_of(std::nullopt));
      auto push = statement_push(options, *dest.store, subject_of(result.root), subject_name,
                                 std::string(provenance::kPredicateTypeV1), provenance::make_predicate(facts),
                                 "provenance (index)");
      if (!push) return std::unexpected(push.error());
      pending.push_back(std::move(*push));
    }
  }
  // The images' signatures are signed (and logged) before the first push too, one bundle per
  // destination as `sigil sign` makes for several references; pushed last: every platform
  // manifest, then the index.
  std::vector<PendingPush> image_signatures;
  if (options.signer != nullptr) {
    const std::string created = oci::creation_time();
    for (const auto& dest : destinations) {
      std::vector<oci::Descriptor> targets;
      for (const auto& image : result.images) targets.push_back(subject_of(image.manifest));
      if (result.index_raw) targets.push_back(subject_of(result.root));
      for (const auto& t : targets) {
        const std::string what = "sign " + t.digest.str();
        auto bundle = sign::sign_dsse_bundle(*options.signer, sign::kInTotoPayloadType,
                                             sign::image_signature_statement(t.digest, {}));
        if (!bundle) return std::unexpected(bundle.error().with_context(what));
        if (options.complete_bundle) {
          if (auto completed = options.complete_bundle(*bundle); !completed) {
            return std::unexpected(completed.error().with_context(what));
          }
        }
        auto* s = dest.store;
        image_signatures.push_back(PendingPush{t.digest.str(), [s, t, created, bundle = std::move(*bundle)] {
                                                 return sign::attach_bundle(*s, t, bundle,
                                                                            sign::kCosignSignPredicateType, created);
                                               }});
      }
    }
  }

  for (const auto& p : pending) {
    auto pushed = p.push();
    if (!pushed) return std::unexpected(pushed.error().with_context("attach " + p.what));
    std::fprintf(report, "sigil build: attached %s%s as %s\n", options.signer != nullptr ? "signed " : "",
                 p.what.c_str(), pushed->digest.str().c_str());
  }
  for (const auto& p : image_signatures) {
    auto pushed = p.push();
    if (!pushed) return std::unexpected(pushed.error().with_context("sign " + p.what));
    std::fprintf(report, "sigil build: signed %s as %s\n", p.what.c_str(), pushed->digest.str().c_str());
  }
  return {};
}

}  // namespace sigil::cli
