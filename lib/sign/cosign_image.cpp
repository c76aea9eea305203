#include "sign/cosign_image.hpp"

#include <utility>
#include <variant>

#include "common/limits.hpp"
#include "oci/artifact.hpp"
#include "oci/manifest.hpp"
#include "sign/statement.hpp"

namespace sigil::sign {
namespace {

using Ordered = nlohmann::ordered_json;

std::string dump(const Ordered& j) { return j.dump(-1, ' ', false, Ordered::error_handler_t::replace); }

Ordered annotations_object(const SignatureAnnotations& annotations) {
  Ordered j = Ordered::object();
  for (const auto& [k, v] : annotations) j[k] = v;  // std::map: key order, as protojson and Go write maps
  return j;
}

}  // namespace

Result<std::pair<std::string, std::string>> parse_annotation(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    return fail(ErrorCategory::usage, "annotation \"" + std::string(text) + "\" is not key=value");
  }
  if (eq == 0) return fail(ErrorCategory::usage, "annotation \"" + std::string(text) + "\" has an empty key");
  return std::pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

std::string image_signature_statement(const oci::Digest& image, const SignatureAnnotations& annotations) {
  // Member order of in-toto's Statement and ResourceDescriptor protos, which protojson follows.
  Ordered digest = Ordered::object();
  digest[std::string(oci::algorithm_name(image.algorithm()))] = image.hex();
  Ordered subject = Ordered::object();
  subject["digest"] = std::move(digest);
  subject["annotations"] = annotations_object(annotations);
  Ordered j = Ordered::object();
  j["_type"] = kStatementTypeV1;
  j["subject"] = Ordered::array({std::move(subject)});
  j["predicateType"] = kCosignSignPredicateType;
  j["predicate"] = Ordered::object();
  return dump(j);
}

std::string simple_signing_payload(std::string_view docker_reference, const oci::Digest& image,
                                   const SignatureAnnotations& annotations) {
  Ordered critical = Ordered::object();
  critical["identity"] = Ordered{{"docker-reference", docker_reference}};
  critical["image"] = Ordered{{"docker-manifest-digest", image.str()}};
  critical["type"] = kSimpleSigningType;
  Ordered j = Ordered::object();
  j["critical"] = std::move(critical);
  // cosign passes a nil map when no -a was given, which Go marshals as null.
  j["optional"] = annotations.empty() ? Ordered(nullptr) : annotations_object(annotations);
  return dump(j);
}

Result<SimpleSigning> parse_simple_signing(std::string_view payload) {
  constexpr std::string_view what = "simple-signing payload";
  if (payload.size() > limits::kMaxDsseEnvelopeBytes) {
    return fail(ErrorCategory::input, std::string(what) + ": larger than " +
                                          std::to_string(limits::kMaxDsseEnvelopeBytes) + " bytes");
  }
  auto checked = parse_json(payload, what);  // depth limit, never throws
  if (!checked) return std::unexpected(checked.error());
  Ordered j = Ordered::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(ErrorCategory::input, std::string(what) + ": not a JSON object");
  auto critical = j.find("critical");
  if (critical == j.end() || !critical->is_object()) {
    return fail(ErrorCategory::input, std::string(what) + ": no \"critical\" object");
  }
  auto type = critical->find("type");
  if (type == critical->end() || !type->is_string() || type->get<std::string>() != kSimpleSigningType) {
    return fail(ErrorCategory::input,
                std::string(what) + ": critical.type is not \"" + std::string(kSimpleSigningType) + "\"");
  }
  SimpleSigning out;
  auto image = critical->find("image");
  const Ordered* digest = nullptr;
  if (image != critical->end() && image->is_object()) {
    if (auto d = image->find("docker-manifest-digest"); d != image->end()) digest = &*d;
  }
  if (digest == nullptr || !digest->is_string()) {
    return fail(ErrorCategory::input, std::string(what) + ": no critical.image.docker-manifest-digest");
  }
  auto parsed = oci::Digest::parse(digest->get<std::string>());
  if (!parsed) return std::unexpected(parsed.error().with_context(what));
  out.image = *parsed;
  if (auto identity = critical->find("identity"); identity != critical->end() && identity->is_object()) {
    if (auto ref = identity->find("docker-reference"); ref != identity->end() && ref->is_string()) {
      out.docker_reference = ref->get<std::string>();
    }
  }
  if (auto optional = j.find("optional"); optional != j.end()) out.optional = *optional;
  return out;
}

std::string legacy_signature_tag(const oci::Digest& image) {
  return std::string(oci::algorithm_name(image.algorithm())) + "-" + image.hex() + ".sig";
}

std::string legacy_attestation_tag(const oci::Digest& image) {
  return std::string(oci::algorithm_name(image.algorithm())) + "-" + image.hex() + ".att";
}

Result<oci::Descriptor> attach_bundle(oci::Store& store, const oci::Descriptor& subject, const Bundle& bundle,
                                      std::string_view predicate_type, std::string_view created) {
  std::string bytes = serialize_bundle(bundle);
  oci::Digest digest = oci::Digest::of(bytes);
  oci::ArtifactLayer layer;
  layer.media_type = kBundleMediaTypeV03;
  // cosign names the layer after its own digest.
  layer.annotations[std::string(oci::kAnnotationTitle)] =
      std::string(oci::algorithm_name(digest.algorithm())) + "-" + digest.hex() + ".sigstore.json";
  layer.bytes = std::move(bytes);
  oci::Annotations annotations;
  annotations[std::string(kBundleContentAnnotation)] =
      std::holds_alternative<Envelope>(bundle.content) ? "dsse-envelope" : "message-signature";
  if (!predicate_type.empty()) annotations[std::string(kBundlePredicateTypeAnnotation)] = predicate_type;
  if (!created.empty()) annotations[std::string(oci::kAnnotationCreated)] = created;
  return oci::attach_artifact(store, subject, kBundleMediaTypeV03, {std::move(layer)}, annotations,
                              oci::ManifestStyle::cosign);
}

Result<ImageSignatureResult> sign_image(Signer& signer, oci::Store& store, const oci::Descriptor& image,
                                        const SignImageOptions& options) {
  std::string what = "sign " + image.digest.str();
  ImageSignatureResult out;
  out.statement = image_signature_statement(image.digest, options.annotations);
  auto bundle = sign_dsse_bundle(signer, kInTotoPayloadType, out.statement);
  if (!bundle) return std::unexpected(bundle.error().with_context(what));
  // Both signatures are made before anything is pushed, so a signer failure leaves the store as it was.
  std::string legacy_payload;
  std::string legacy_signature;
  if (options.legacy_tag) {
    legacy_payload = simple_signing_payload(options.docker_reference, image.digest, options.annotations);
    auto signed_bytes = signer.sign(legacy_payload);
    if (!signed_bytes) return std::unexpected(signed_bytes.error().with_context(what + ": legacy signature"));
    legacy_signature = std::move(signed_bytes->signature);
  }
  auto referrer = attach_bundle(store, image, *bundle, kCosignSignPredicateType, options.created);
  if (!referrer) return std::unexpected(referrer.error().with_context(what));
  out.referrer = *referrer;
  if (options.legacy_tag) {
    auto legacy = append_legacy_signature(store, image.digest, legacy_payload, legacy_signature);
    if (!legacy) return std::unexpected(legacy.error().with_context(what));
    out.legacy = *legacy;
  }
  return out;
}

// Reading failures other than the network's are the candidate's fault (missing blob, digest
// mismatch, oversize): they reject it. The network's leave the answer unknown.
Result<ReferrerBundle> read_referrer_bundle(oci::Store& store, const oci::Descriptor& referrer) {
  ReferrerBundle out;
  auto reject = [&](std::string why) -> Result<ReferrerBundle> {
    out.reason = std::move(why);
    return out;
  };
  auto network = [](const Error& e) { return e.category == ErrorCategory::network; };
  auto raw = store.fetch_manifest(referrer);
  if (!raw) {
    if (network(raw.error())) return std::unexpected(raw.error());
    return reject("cannot read the referrer manifest: " + raw.error().message);
  }
  auto manifest = oci::Manifest::parse(std::move(*raw), "referrer manifest");
  if (!manifest) return reject(manifest.error().message);
  if (manifest->layers.size() != 1) {
    return reject("expected one bundle layer, found " + std::to_string(manifest->layers.size()));
  }
  const oci::Descriptor& layer = manifest->layers[0];
  out.media_type = layer.media_type;
  if (!bundle_version(layer.media_type)) return reject("unknown bundle media type \"" + layer.media_type + "\"");
  if (layer.size < 0 || static_cast<std::uint64_t>(layer.size) > limits::kMaxBundleBytes) {
    return reject("bundle layer of " + std::to_string(layer.size) + " bytes exceeds the limit of " +
                  std::to_string(limits::kMaxBundleBytes));
  }
  auto bytes = store.fetch_blob_bytes(layer, limits::kMaxBundleBytes);
  if (!bytes) {
    if (network(bytes.error())) return std::unexpected(bytes.error());
    return reject("cannot read the bundle layer: " + bytes.error().message);
  }
  auto bundle = parse_bundle(*bytes);
  if (!bundle) return reject("malformed bundle: " + bundle.error().message);
  out.bundle = std::move(*bundle);
  return out;
}

}  // namespace sigil::sign
