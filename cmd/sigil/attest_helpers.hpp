// Making attestations: cosign's predicate types (names → URIs, and how each wraps the predicate
// file), the in-toto statement about an image, and pushing it signed as a Sigstore bundle
// referrer. `sigil attest` and `sigil sbom --attest` both go through attest_image().
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"
#include "oci/descriptor.hpp"
#include "oci/reference.hpp"
#include "oci/store.hpp"
#include "sign/signer.hpp"

namespace sigil::cli {

/// predicateType of cosign's `custom` type, and of its `vuln` type.
inline constexpr std::string_view kCosignCustomPredicateType = "https://cosign.sigstore.dev/attestation/v1";
inline constexpr std::string_view kCosignVulnPredicateType = "https://cosign.sigstore.dev/attestation/vuln/v1";

/// How the predicate file becomes the statement's predicate.
enum class PredicateWrap {
  /// cosign's generic predicate: {"Data": <the file as text>, "Timestamp": <RFC 3339 UTC>}.
  text,
  /// The file must be a JSON object, used as it is (member order and numbers kept).
  json_object,
};

/// A predicate type resolved from --type.
struct PredicateSpec {
  std::string name;  ///< cosign's name ("slsaprovenance1"), or "" for a URI given directly
  std::string uri;   ///< the statement's predicateType
  PredicateWrap wrap = PredicateWrap::json_object;
  /// Members the JSON object must have (cosign's required fields of the predicate type).
  std::vector<std::string> required;
};

/// The cosign type names sigil accepts, in the order help lists them.
[[nodiscard]] std::string predicate_type_names();

/// Resolves cosign's type names (custom, slsaprovenance, slsaprovenance02, slsaprovenance1, link,
/// spdx, spdxjson, cyclonedx, vuln, openvex) or a predicate-type URI ("scheme:…"); a URI equal to
/// a known type's is treated as that type. Usage error otherwise.
[[nodiscard]] Result<PredicateSpec> predicate_spec(std::string_view type);

/// The predicate for `bytes` read from `source` (a file name, for messages): text wrapped with
/// `timestamp`, or a JSON object checked for the required members (and, for SLSA v1, with
/// provenance::check_predicate_v1). Input error naming `source` otherwise.
[[nodiscard]] Result<nlohmann::ordered_json> predicate_from_file(const PredicateSpec& spec, std::string_view bytes,
                                                            std::string_view source, std::string_view timestamp);

/// Reads a predicate file ("-": standard input) of at most `max_bytes`.
[[nodiscard]] Result<std::string> read_predicate_file(const std::string& path, std::size_t max_bytes);

/// The statement subject's name for an image, as cosign writes it: the repository
/// ("registry/repo"), or the layout directory for oci: references.
[[nodiscard]] std::string attestation_subject_name(const oci::Reference& reference);

/// A signed attestation ready to push (made before anything is pushed, so a failure changes nothing).
struct SignedAttestation {
  sign::Bundle bundle;
  std::string predicate_type;
  std::string statement;  ///< the signed statement bytes
};

/// Builds the in-toto Statement v1 {subject: [{name, digest: {sha256: …}, annotations}],
/// predicateType, predicate} about `image` (`annotations`: the signed -a key=value pairs, left out
/// when empty), signs it with `signer` into a DSSE bundle v0.3, and checks that the result is small
/// enough for verifiers to accept (limits::kMaxDsseEnvelopeBytes); input error if not.
[[nodiscard]] Result<SignedAttestation> sign_attestation(sign::Signer& signer, const oci::Descriptor& image,
                                                         const std::string& subject_name,
                                                         const std::string& predicate_type,
                                                         nlohmann::ordered_json predicate,
                                                         const std::map<std::string, std::string>& annotations = {});

/// Pushes a signed attestation as a referrer of `image`, as cosign v3 does (bundle artifactType,
/// dev.sigstore.bundle.predicateType annotation, created = oci::creation_time()).
[[nodiscard]] Result<oci::Descriptor> push_attestation(oci::Store& store, const oci::Descriptor& image,
                                                       const SignedAttestation& attestation);

/// sign_attestation() then push_attestation().
[[nodiscard]] Result<oci::Descriptor> attest_image(sign::Signer& signer, oci::Store& store,
                                                   const oci::Descriptor& image, const std::string& subject_name,
                                                   const std::string& predicate_type,
                                                   nlohmann::ordered_json predicate);

}  // namespace sigil::cli
