#include "sign/detail/image_candidate.hpp"

#include <utility>
#include <variant>

#include "common/limits.hpp"
#include "oci/manifest.hpp"
#include "sign/bundle.hpp"
#include "sign/detail/cosign_keyless_legacy.hpp"
#include "sign/signature.hpp"
#include "sign/statement.hpp"

namespace sigil::sign::detail {
namespace {

using Ordered = nlohmann::ordered_json;

// The annotations of the statement subject that names the image (cosign puts the -a ones there).
Ordered subject_annotations(const Statement& statement, const oci::Digest& image) {
  const std::string algorithm(oci::algorithm_name(image.algorithm()));
  for (const Subject& subject : statement.subjects) {
    auto it = subject.digest.find(algorithm);
    if (it != subject.digest.end() && it->second == image.hex()) {
      return subject.annotations.is_object() ? subject.annotations : Ordered::object();
    }
  }
  return Ordered::object();
}

// The signature of a simple-signing layer: with trusted keys, against each key (the layer's
// certificate, if any, is not consulted, as cosign --key does not); without, as the keyless
// bundle its annotations amount to, against the trusted root and the identity policy.
Result<Facts> verify_legacy_signature(const LegacyLayer& layer, const TrustedMaterial& trusted,
                                      const ImageVerifyOptions& options) {
  if (!trusted.keys.empty()) {
    std::string last_reason;
    for (const PublicKey& key : trusted.keys) {
      auto verified = verify_message(key.get(), layer.payload, layer.signature);
      if (verified) {
        Facts facts;
        facts.key_id = key.key_id();
        facts.content = "message-signature";
        return facts;
      }
      last_reason = verified.error().message;
    }
    return fail(ErrorCategory::denied, "no trusted key verifies the signature (" + last_reason + ")");
  }
  if (!has_legacy_certificate(layer.layer.annotations)) {
    if (!trusted.root) return fail(ErrorCategory::input, "no trusted public key given");
    return fail(ErrorCategory::denied, "a key signature (no " + std::string(kCosignCertificateAnnotation) +
                                           " annotation): verifying it needs the public key");
  }
  auto bundle = legacy_signature_bundle(layer.layer.annotations, layer.payload, layer.signature);
  if (!bundle) return std::unexpected(bundle.error());
  return verify_bundle(*bundle, ArtifactRef{std::string_view(layer.payload), {}}, trusted, options.policy);
}

}  // namespace

std::string check_annotations(const Ordered& annotations, const SignatureAnnotations& required) {
  for (const auto& [key, value] : required) {
    if (!annotations.is_object() || !annotations.contains(key))
      return "annotation \"" + key + "\" is missing";
    const Ordered& actual = annotations.at(key);
    if (!actual.is_string() || actual.get<std::string>() != value) {
      return "annotation \"" + key + "\" is " +
             actual.dump(-1, ' ', false, Ordered::error_handler_t::replace) + ", required \"" + value + "\"";
    }
  }
  return {};
}

Result<CandidateResult> verify_bundle_referrer(oci::Store& store, const oci::Descriptor& referrer,
                                               const oci::Digest& image, const TrustedMaterial& trusted,
                                               const ImageVerifyOptions& options) {
  CandidateResult r;
  r.source = "referrer " + referrer.digest.str();
  r.format = SignatureFormat::bundle;
  r.media_type = referrer.artifact_type;
  auto reject = [&](std::string why) -> Result<CandidateResult> {
    r.reason = std::move(why);
    return r;
  };

  auto read = read_referrer_bundle(store, referrer);
  if (!read) return std::unexpected(read.error());
  if (!read->media_type.empty()) r.media_type = read->media_type;
  if (!read->bundle) return reject(read->reason);
  auto& bundle = read->bundle;
  if (!std::holds_alternative<Envelope>(bundle->content)) {
    return reject("a message-signature bundle is not an image signature (expected a DSSE in-toto statement)");
  }
  auto facts = verify_bundle(*bundle, ArtifactRef{std::nullopt, image}, trusted, options.policy);
  if (!facts) {
    // Partial facts help the reader of a refusal: which statement it was.
    if (auto statement = parse_statement(std::get<Envelope>(bundle->content).payload)) {
      r.predicate_type = statement->predicate_type;
    }
    return reject(facts.error().message);
  }
  r.key_id = facts->key_id;
  r.signer = *facts;
  if (!facts->statement) return reject("signed payload is not an in-toto statement");
  r.predicate_type = facts->statement->predicate_type;
  r.annotations = subject_annotations(*facts->statement, image);
  if (r.predicate_type != kCosignSignPredicateType) {
    return reject("statement predicateType \"" + r.predicate_type + "\" is not an image signature (" +
                  std::string(kCosignSignPredicateType) + ")");
  }
  if (auto why = check_annotations(r.annotations, options.required_annotations); !why.empty())
    return reject(why);
  r.ok = true;
  return r;
}

CandidateResult verify_legacy_layer(const LegacyLayer& layer, std::size_t index, const std::string& tag,
                                    const oci::Digest& image, const TrustedMaterial& trusted,
                                    const ImageVerifyOptions& options) {
  CandidateResult r;
  r.source = tag + " layer " + std::to_string(index);
  r.format = SignatureFormat::simple_signing;
  r.media_type = layer.layer.media_type;
  auto reject = [&](std::string why) {
    r.reason = std::move(why);
    return r;
  };
  if (!layer.problem.empty()) return reject(layer.problem);
  if (layer.layer.media_type != kSimpleSigningMediaType) {
    return reject("layer media type \"" + layer.layer.media_type + "\" is not a simple-signing payload");
  }
  if (layer.signature.empty())
    return reject("layer has no " + std::string(kCosignSignatureAnnotation) + " annotation");
  auto signer = verify_legacy_signature(layer, trusted, options);
  if (!signer) return reject(signer.error().message);
  r.key_id = signer->key_id;
  r.signer = std::move(*signer);
  // Only a verified payload is worth reading: its claims mean nothing before.
  auto payload = parse_simple_signing(layer.payload);
  if (!payload) return reject("signed payload is not a simple-signing payload: " + payload.error().message);
  r.docker_reference = payload->docker_reference;
  r.annotations = payload->optional.is_object() ? payload->optional : nlohmann::ordered_json::object();
  if (payload->image != image) {
    return reject("signature is for " + payload->image.str() + ", not " + image.str());
  }
  if (auto why = check_annotations(r.annotations, options.required_annotations); !why.empty())
    return reject(why);
  r.ok = true;
  return r;
}

}  // namespace sigil::sign::detail
