// cosign's image-signature formats: the v3 signature (an in-toto statement with predicateType
// https://sigstore.dev/cosign/sign/v1 in a DSSE envelope, in a Sigstore bundle v0.3 pushed as an
// OCI 1.1 referrer of the image) and the legacy simple-signing payload stored under the
// `sha256-<hex>.sig` tag. Building, pushing and reading them; verifying is image_verify.hpp's job.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"
#include "oci/descriptor.hpp"
#include "oci/digest.hpp"
#include "oci/store.hpp"
#include "sign/bundle.hpp"
#include "sign/signer.hpp"

namespace sigil::sign {

/// predicateType of a cosign v3 image signature.
inline constexpr std::string_view kCosignSignPredicateType = "https://sigstore.dev/cosign/sign/v1";
/// The other spelling of the bundle v0.3 media type, accepted on read as an artifactType.
inline constexpr std::string_view kBundleMediaTypeV03Param =
    "application/vnd.dev.sigstore.bundle+json;version=0.3";
/// Manifest annotations of a bundle referrer.
inline constexpr std::string_view kBundleContentAnnotation = "dev.sigstore.bundle.content";
inline constexpr std::string_view kBundlePredicateTypeAnnotation = "dev.sigstore.bundle.predicateType";

/// critical.type of a legacy simple-signing payload.
inline constexpr std::string_view kSimpleSigningType = "cosign container image signature";
/// Media type of a legacy signature layer.
inline constexpr std::string_view kSimpleSigningMediaType =
    "application/vnd.dev.cosign.simplesigning.v1+json";
/// Layer annotation holding the base64 signature of a legacy signature layer.
inline constexpr std::string_view kCosignSignatureAnnotation = "dev.cosignproject.cosign/signature";

/// The `-a key=value` annotations of a signature, sorted by key.
using SignatureAnnotations = std::map<std::string, std::string>;

/// Parses "key=value" (split at the first '='); input error for a missing '=' or an empty key.
[[nodiscard]] Result<std::pair<std::string, std::string>> parse_annotation(std::string_view text);

/// The statement cosign v3 signs for an image, as protojson writes it (compact):
/// {"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"<hex>"},"annotations":{…}}],
///  "predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}. The subject has no name and
/// always an annotations object (empty without -a), as cosign's structpb.NewStruct yields one.
[[nodiscard]] std::string image_signature_statement(const oci::Digest& image,
                                                    const SignatureAnnotations& annotations);

/// The legacy simple-signing payload, as sigstore's payload.Cosign marshals it:
/// {"critical":{"identity":{"docker-reference":REF},"image":{"docker-manifest-digest":DIGEST},
///  "type":"cosign container image signature"},"optional":{…}|null}.
[[nodiscard]] std::string simple_signing_payload(std::string_view docker_reference, const oci::Digest& image,
                                                 const SignatureAnnotations& annotations);

/// A parsed simple-signing payload.
struct SimpleSigning {
  std::string docker_reference;
  oci::Digest image;
  nlohmann::ordered_json optional;  ///< null when absent or null
};

/// Parses a simple-signing payload; input error for malformed JSON, another critical.type, or a
/// missing or invalid docker-manifest-digest.
[[nodiscard]] Result<SimpleSigning> parse_simple_signing(std::string_view payload);

/// "sha256-<hex>.sig" / "sha256-<hex>.att": cosign's legacy tags for an image digest.
[[nodiscard]] std::string legacy_signature_tag(const oci::Digest& image);
[[nodiscard]] std::string legacy_attestation_tag(const oci::Digest& image);

/// Pushes `bundle` as a referrer of `subject` into `store` as cosign v3 does: artifactType = the bundle
/// media type, empty config, the serialized bundle as the one layer (title "sha256-<hex>.sigstore.json"),
/// annotations dev.sigstore.bundle.content (dsse-envelope or message-signature),
/// dev.sigstore.bundle.predicateType (when `predicate_type` is not empty) and
/// org.opencontainers.image.created = `created`. Returns the referrer manifest's descriptor.
[[nodiscard]] Result<oci::Descriptor> attach_bundle(oci::Store& store, const oci::Descriptor& subject,
                                                    const Bundle& bundle, std::string_view predicate_type,
                                                    std::string_view created);

/// The bundle a bundle referrer carries, or why it carries none.
struct ReferrerBundle {
  std::optional<Bundle> bundle;  ///< set when the referrer holds one well-formed bundle
  std::string media_type;        ///< the bundle layer's media type, when the manifest was read
  std::string reason;            ///< why there is no bundle ("" when there is one)
};

/// Reads the one bundle layer of the referrer manifest `referrer` (bounded by
/// limits::kMaxBundleBytes). Network errors are returned as errors, so a caller can tell "try
/// again" from "this candidate is bad"; every other problem is a `reason`.
[[nodiscard]] Result<ReferrerBundle> read_referrer_bundle(oci::Store& store, const oci::Descriptor& referrer);

/// What signing one image produced.
struct ImageSignatureResult {
  oci::Descriptor referrer;               ///< the bundle referrer manifest
  std::optional<oci::Descriptor> legacy;  ///< the `.sig` manifest, with legacy_tag
  std::string statement;                  ///< the signed statement bytes
};

/// How to sign an image.
struct SignImageOptions {
  SignatureAnnotations annotations;
  bool legacy_tag = false;       ///< also append a simple-signing layer under sha256-<hex>.sig
  std::string docker_reference;  ///< critical.identity.docker-reference of the legacy payload
  std::string created;           ///< org.opencontainers.image.created (see oci::creation_time())
};

/// Signs `image` with `signer` and stores the signature in `store` (the image's repository, or the
/// --target-repository): the v3 bundle referrer, and with legacy_tag the simple-signing layer too.
[[nodiscard]] Result<ImageSignatureResult> sign_image(Signer& signer, oci::Store& store,
                                                      const oci::Descriptor& image,
                                                      const SignImageOptions& options);

/// One layer of a legacy `.sig` or `.att` manifest: its payload and the raw signature of its annotation.
struct LegacyLayer {
  oci::Descriptor layer;
  std::string payload;    ///< the layer bytes (a simple-signing payload or a DSSE envelope)
  std::string signature;  ///< raw bytes decoded from dev.cosignproject.cosign/signature; "" when absent
  std::string problem;    ///< why the layer could not be read or decoded ("" when it could)
};

/// The Sigstore bundle a legacy `.att` layer's DSSE `envelope` amounts to. With `keyless` and a
/// layer that carries cosign's certificate annotation: the bundle v0.1 its certificate, Rekor-bundle
/// and timestamp annotations amount to (input error naming the annotation when one is malformed);
/// otherwise a v0.3 public-key bundle holding the envelope alone, for verification with keys.
[[nodiscard]] Result<Bundle> legacy_attestation_bundle(const oci::Annotations& annotations, Envelope envelope,
                                                       bool keyless);

/// Appends a simple-signing layer (payload + raw signature) to the `.sig` manifest of `image` in
/// `store`, creating it when the tag does not exist; a layer with the same payload and signature is
/// not added twice. Returns the new manifest's descriptor.
[[nodiscard]] Result<oci::Descriptor> append_legacy_signature(oci::Store& store, const oci::Digest& image,
                                                              std::string_view payload,
                                                              std::string_view signature);

/// The layers of the manifest tagged `tag` (a legacy `.sig` or `.att` tag) in `store`: nullopt when
/// the tag does not exist. At most `max_layers` layers are read; `total` receives how many the manifest
/// lists. A layer that cannot be fetched (missing, too large, digest mismatch) is returned with its
/// problem; network errors end the call.
[[nodiscard]] Result<std::optional<std::vector<LegacyLayer>>> read_legacy_layers(oci::Store& store,
                                                                                 const std::string& tag,
                                                                                 std::size_t max_layers,
                                                                                 std::size_t& total);

}  // namespace sigil::sign
