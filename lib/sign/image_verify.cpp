#include "sign/image_verify.hpp"

#include <algorithm>

#include "sign/bundle.hpp"
#include "sign/detail/image_candidate.hpp"

namespace sigil::sign {
namespace {

// A referrer annotated with another predicate type is an attestation: it is not examined (and not
// counted against the bound). The annotation is unsigned, so it can only exclude: a referrer that
// claims to be a signature is still checked on what its signed statement says.
bool announced_as_attestation(const oci::Descriptor& referrer) {
  auto it = referrer.annotations.find(std::string(kBundlePredicateTypeAnnotation));
  return it != referrer.annotations.end() && !it->second.empty() && it->second != kCosignSignPredicateType;
}

}  // namespace

std::string_view format_name(SignatureFormat format) {
  return format == SignatureFormat::bundle ? "sigstore-bundle" : "simple-signing";
}

std::size_t ImageVerification::verified_count() const {
  return static_cast<std::size_t>(
      std::count_if(candidates.begin(), candidates.end(), [](const CandidateResult& c) { return c.ok; }));
}

bool is_bundle_artifact_type(std::string_view artifact_type) {
  return bundle_version(artifact_type).has_value();
}

Result<ImageVerification> verify_image(oci::Store& store, const oci::Descriptor& image,
                                       const TrustedMaterial& trusted, const ImageVerifyOptions& options) {
  std::string what = "verify " + image.digest.str() + " in " + store.name();
  ImageVerification out;
  out.image = image.digest;

  auto referrers = store.referrers(image.digest);
  if (!referrers) return std::unexpected(referrers.error().with_context(what));
  std::vector<oci::Descriptor> bundles;
  for (const auto& r : *referrers) {
    if (is_bundle_artifact_type(r.artifact_type) && !announced_as_attestation(r)) bundles.push_back(r);
  }
  out.found = bundles.size();
  std::size_t budget = options.max_candidates;
  for (const auto& referrer : bundles) {
    if (budget == 0) break;
    --budget;
    auto result = detail::verify_bundle_referrer(store, referrer, image.digest, trusted, options);
    if (!result) return std::unexpected(result.error().with_context(what));
    out.candidates.push_back(std::move(*result));
  }

  const std::string tag = legacy_signature_tag(image.digest);
  std::size_t legacy_total = 0;
  auto legacy = read_legacy_layers(store, tag, budget, legacy_total);
  if (!legacy) {
    if (legacy.error().category == ErrorCategory::network)
      return std::unexpected(legacy.error().with_context(what));
    // A broken `.sig` manifest is one bad candidate, not a reason to ignore the good ones.
    CandidateResult broken;
    broken.source = tag;
    broken.format = SignatureFormat::simple_signing;
    broken.reason = legacy.error().message;
    out.found += 1;
    if (budget > 0) out.candidates.push_back(std::move(broken));
    return out;
  }
  out.found += legacy_total;
  if (*legacy) {
    for (std::size_t i = 0; i < (*legacy)->size(); ++i) {
      out.candidates.push_back(
          detail::verify_legacy_layer((**legacy)[i], i, tag, image.digest, trusted, options));
    }
  }
  return out;
}

}  // namespace sigil::sign
