#include "cmd/sigil/attest_verify.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <variant>

#include "common/limits.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "sign/bundle.hpp"
#include "sign/cosign_image.hpp"
#include "sign/image_verify.hpp"

namespace sigil::cli {
namespace {

// BuildKit's index annotations for attestation manifests, and its layer annotation.
constexpr std::string_view kDockerReferenceType = "vnd.docker.reference.type";
constexpr std::string_view kDockerReferenceDigest = "vnd.docker.reference.digest";
constexpr std::string_view kAttestationManifest = "attestation-manifest";
constexpr std::string_view kInTotoPredicateTypeAnnotation = "in-toto.io/predicate-type";
constexpr std::string_view kInTotoMediaType = "application/vnd.in-toto+json";

bool is_network(const Error& error) { return error.category == ErrorCategory::network; }

std::string annotation(const oci::Annotations& annotations, std::string_view key) {
  auto it = annotations.find(std::string(key));
  return it == annotations.end() ? std::string() : it->second;
}

// The -a annotations are signed: they live on the statement's subject naming the image.
std::string check_subject_annotations(const sign::Statement& statement, const oci::Digest& image,
                                      const std::map<std::string, std::string>& required) {
  if (required.empty()) return {};
  const std::string algorithm(oci::algorithm_name(image.algorithm()));
  nlohmann::ordered_json annotations = nlohmann::ordered_json::object();
  for (const auto& subject : statement.subjects) {
    auto it = subject.digest.find(algorithm);
    if (it != subject.digest.end() && it->second == image.hex() && subject.annotations.is_object()) {
      annotations = subject.annotations;
      break;
    }
  }
  for (const auto& [key, value] : required) {
    auto it = annotations.find(key);
    if (it == annotations.end()) return "annotation \"" + key + "\" is missing";
    if (!it->is_string() || it->get<std::string>() != value) {
      return "annotation \"" + key + "\" is " + it->dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
             ", required \"" + value + "\"";
    }
  }
  return {};
}

// What the statement claims decides, once its signature verified: the unsigned annotation only
// ever excludes.
void judge_statement(AttestationResult& r, const sign::Facts& facts, const oci::Digest& image,
                     const AttestationQuery& query) {
  r.key_id = facts.key_id;
  r.signer = facts;
  if (!facts.statement) {
    r.reason = "signed payload is not an in-toto statement";
    return;
  }
  r.predicate_type = facts.statement->predicate_type;
  if (r.predicate_type == sign::kCosignSignPredicateType) {
    r.reason = "statement is an image signature (" + r.predicate_type + "), not an attestation";
    return;
  }
  if (!query.predicate_type.empty() && r.predicate_type != query.predicate_type) {
    r.reason = "statement predicateType \"" + r.predicate_type + "\" is not the requested \"" +
               query.predicate_type + "\"";
    return;
  }
  if (auto why = check_subject_annotations(*facts.statement, image, query.required_annotations); !why.empty()) {
    r.reason = why;
    return;
  }
  r.ok = true;
  r.statement = facts.statement;
}

// Verifies a bundle's DSSE envelope about `image`; the reason of a refusal names the failed step.
void verify_envelope_bundle(AttestationResult& r, const sign::Bundle& bundle, const oci::Digest& image,
                            const sign::TrustedMaterial& trusted, const AttestationQuery& query) {
  const auto* envelope = std::get_if<sign::Envelope>(&bundle.content);
  if (envelope == nullptr) {
    r.reason = "a message-signature bundle is not an attestation (expected a DSSE in-toto statement)";
    return;
  }
  auto facts = sign::verify_bundle(bundle, sign::ArtifactRef{std::nullopt, image}, trusted, query.policy);
  if (!facts) {
    // The unverified claim helps the reader of the refusal see which statement it was.
    if (auto claimed = sign::parse_statement(envelope->payload)) r.predicate_type = claimed->predicate_type;
    r.reason = facts.error().message;
    return;
  }
  r.envelope = *envelope;
  judge_statement(r, *facts, image, query);
}

Result<AttestationResult> verify_referrer(oci::Store& store, const oci::Descriptor& referrer,
                                          const oci::Digest& image, const sign::TrustedMaterial& trusted,
                                          const AttestationQuery& query) {
  AttestationResult r;
  r.source = "referrer " + referrer.digest.str();
  r.predicate_type = annotation(referrer.annotations, sign::kBundlePredicateTypeAnnotation);
  auto reject = [&](std::string why) -> Result<AttestationResult> {
    r.reason = std::move(why);
    return r;
  };
  auto read = sign::read_referrer_bundle(store, referrer);
  if (!read) return std::unexpected(read.error());
  if (!read->bundle) return reject(read->reason);
  auto& bundle = read->bundle;
  verify_envelope_bundle(r, *bundle, image, trusted, query);
  return r;
}

// A layer of cosign's legacy `.att` manifest holds a DSSE envelope; wrapped in a key bundle (or,
// for a keyless layer verified without keys, the bundle its certificate and Rekor-bundle
// annotations amount to) it goes through the same verifier as the referrers.
AttestationResult verify_legacy(const sign::LegacyLayer& layer, std::size_t index, const std::string& tag,
                                const oci::Digest& image, const sign::TrustedMaterial& trusted,
                                const AttestationQuery& query) {
  AttestationResult r;
  r.source = tag + " layer " + std::to_string(index);
  r.predicate_type = annotation(layer.layer.annotations, "predicateType");
  if (!layer.problem.empty()) {
    r.reason = layer.problem;
    return r;
  }
  auto envelope = sign::parse_envelope(layer.payload);
  if (!envelope) {
    r.reason = "layer is not a DSSE envelope: " + envelope.error().message;
    return r;
  }
  auto bundle = sign::legacy_attestation_bundle(layer.layer.annotations, std::move(*envelope), trusted.keys.empty());
  if (!bundle) {
    r.reason = bundle.error().message;
    return r;
  }
  verify_envelope_bundle(r, *bundle, image, trusted, query);
  return r;
}

// BuildKit keeps provenance and SBOM statements unsigned, in attestation manifests listed by the
// image index next to the platform manifests they describe. They are reported, never trusted.
Result<void> read_buildkit_attestations(oci::Store& store, const oci::Descriptor& image,
                                        const AttestationQuery& query, AttestationReport& out) {
  if (!oci::media_type::is_index(image.media_type)) return {};
  auto raw = store.fetch_manifest(image);
  if (!raw) return std::unexpected(raw.error());
  auto index = oci::Index::parse(std::move(*raw), "index " + image.digest.str());
  if (!index) return std::unexpected(index.error());
  std::size_t budget = query.max_candidates;
  for (const auto& entry : index->manifests) {
    if (annotation(entry.annotations, kDockerReferenceType) != kAttestationManifest) continue;
    UnsignedAttestation base;
    base.manifest = entry.digest.str();
    base.subject = annotation(entry.annotations, kDockerReferenceDigest);
    auto manifest_raw = store.fetch_manifest(entry);
    if (!manifest_raw) {
      if (is_network(manifest_raw.error())) return std::unexpected(manifest_raw.error());
      base.note = "cannot read the attestation manifest: " + manifest_raw.error().message;
      out.unsigned_attestations.push_back(std::move(base));
      continue;
    }
    auto manifest = oci::Manifest::parse(std::move(*manifest_raw), "attestation manifest");
    if (!manifest) {
      base.note = manifest.error().message;
      out.unsigned_attestations.push_back(std::move(base));
      continue;
    }
    for (const auto& layer : manifest->layers) {
      if (budget == 0) return {};
      UnsignedAttestation item = base;
      item.predicate_type = annotation(layer.annotations, kInTotoPredicateTypeAnnotation);
      if (!query.predicate_type.empty() && !item.predicate_type.empty() && item.predicate_type != query.predicate_type)
        continue;
      --budget;
      auto bytes = store.fetch_blob_bytes(layer, limits::kMaxDsseEnvelopeBytes);
      if (!bytes) {
        if (is_network(bytes.error())) return std::unexpected(bytes.error());
        item.note = "cannot read the statement: " + bytes.error().message;
      } else if (auto statement = sign::parse_statement(*bytes); !statement) {
        item.note = statement.error().message;
      } else {
        item.predicate_type = statement->predicate_type;
        auto subject = oci::Digest::parse(item.subject);
        if (!subject || !sign::has_subject_digest(*statement, *subject)) {
          item.note = "statement has no subject with digest " + item.subject;
        }
      }
      if (!query.predicate_type.empty() && item.predicate_type != query.predicate_type) continue;
      out.unsigned_attestations.push_back(std::move(item));
    }
  }
  return {};
}

}  // namespace

std::size_t AttestationReport::verified_count() const {
  return static_cast<std::size_t>(
      std::count_if(candidates.begin(), candidates.end(), [](const AttestationResult& c) { return c.ok; }));
}

Result<AttestationReport> find_attestations(oci::Store& store, const oci::Descriptor& image,
                                            const sign::TrustedMaterial& trusted, const AttestationQuery& query) {
  const std::string what = "attestations of " + image.digest.str() + " in " + store.name();
  AttestationReport out;
  out.image = image.digest;

  auto referrers = store.referrers(image.digest);
  if (!referrers) return std::unexpected(referrers.error().with_context(what));
  std::vector<oci::Descriptor> bundles;
  for (const auto& r : *referrers) {
    if (r.artifact_type == kInTotoMediaType) {
      // A bare statement (sigil build without --sign-key): reported, never trusted.
      UnsignedAttestation u;
      u.referrer = true;
      u.manifest = r.digest.str();
      u.subject = image.digest.str();
      u.predicate_type = annotation(r.annotations, kInTotoPredicateTypeAnnotation);
      if (query.predicate_type.empty() || u.predicate_type == query.predicate_type) {
        out.unsigned_attestations.push_back(std::move(u));
      }
      continue;
    }
    if (!sign::is_bundle_artifact_type(r.artifact_type)) continue;
    std::string announced = annotation(r.annotations, sign::kBundlePredicateTypeAnnotation);
    if (announced == sign::kCosignSignPredicateType) continue;  // an image signature
    if (!query.predicate_type.empty() && !announced.empty() && announced != query.predicate_type) {
      ++out.other_types;
      continue;
    }
    bundles.push_back(r);
  }
  out.found = bundles.size();
  std::size_t budget = query.max_candidates;
  for (const auto& referrer : bundles) {
    if (budget == 0) break;
    --budget;
    auto result = verify_referrer(store, referrer, image.digest, trusted, query);
    if (!result) return std::unexpected(result.error().with_context(what));
    out.candidates.push_back(std::move(*result));
  }

  const std::string tag = sign::legacy_attestation_tag(image.digest);
  std::size_t legacy_total = 0;
  auto legacy = sign::read_legacy_layers(store, tag, budget, legacy_total);
  if (!legacy) {
    if (is_network(legacy.error())) return std::unexpected(legacy.error().with_context(what));
    AttestationResult broken;
    broken.source = tag;
    broken.reason = legacy.error().message;
    out.found += 1;
    if (budget > 0) out.candidates.push_back(std::move(broken));
  } else if (*legacy) {
    out.found += legacy_total;
    for (std::size_t i = 0; i < (*legacy)->size(); ++i) {
      out.candidates.push_back(verify_legacy((**legacy)[i], i, tag, image.digest, trusted, query));
    }
  }

  if (auto r = read_buildkit_attestations(store, image, query, out); !r) {
    return std::unexpected(r.error().with_context(what));
  }
  return out;
}

void print_attestation_refusals(const std::string& image, const AttestationReport& report) {
  for (const auto& c : report.candidates) {
    if (c.ok) continue;
    std::string line = "sigil: " + image + ": " + c.source;
    if (!c.predicate_type.empty()) line += " (" + c.predicate_type + ")";
    line += ": " + c.reason + "\n";
    std::fputs(line.c_str(), stderr);
  }
}

void print_unsigned_attestations(const std::string& image, const AttestationReport& report) {
  for (const auto& u : report.unsigned_attestations) {
    std::string type = u.predicate_type.empty() ? std::string("(unknown predicateType)") : u.predicate_type;
    std::string line = u.referrer ? "sigil: " + image + ": unsigned in-toto statement " + type + " in referrer " +
                                        u.manifest + ": not verified (unsigned)"
                                  : "sigil: " + image + ": unsigned BuildKit attestation " + type +
                                        " in attestation manifest " + u.manifest + " for " +
                                        (u.subject.empty() ? std::string("(no subject)") : u.subject) +
                                        ": not verified (unsigned)";
    if (!u.note.empty()) line += "; " + u.note;
    line += "\n";
    std::fputs(line.c_str(), stderr);
  }
}

}  // namespace sigil::cli
