// Verifying the signatures of an image: discover the candidates stored beside it (bundle referrers
// and the legacy `sha256-<hex>.sig` tag), verify each against trusted keys or, for keyless
// signatures, the trusted root and the identity policy, and report per candidate
// what verified or why not. Only image signatures count: statements with predicateType
// https://sigstore.dev/cosign/sign/v1 whose subject is the image digest, and simple-signing payloads
// naming the image digest. The result is data; deciding and printing is the caller's business.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"
#include "oci/descriptor.hpp"
#include "oci/store.hpp"
#include "sign/cosign_image.hpp"
#include "sign/verifier.hpp"

namespace sigil::sign {

/// What verify_image() requires besides a valid signature.
struct ImageVerifyOptions {
  /// Each key must be present in the signature's annotations with this exact (string) value.
  SignatureAnnotations required_annotations;
  /// At most this many candidates are examined; more are counted and reported, never fetched, so a
  /// flooded image cannot stall a verifier.
  std::size_t max_candidates = 100;
  /// What a certificate-signed (keyless) candidate must satisfy: the signer's identity and issuer.
  VerificationPolicy policy;
};

/// The stored form of a candidate.
enum class SignatureFormat { bundle, simple_signing };

/// "sigstore-bundle" / "simple-signing".
[[nodiscard]] std::string_view format_name(SignatureFormat format);

/// One examined candidate: what it is, and whether it verified (else why not).
struct CandidateResult {
  std::string source;  ///< "referrer sha256:…" or "sha256-<hex>.sig layer N"
  SignatureFormat format = SignatureFormat::bundle;
  std::string media_type;  ///< the bundle or layer media type
  bool ok = false;
  std::string reason;  ///< why it does not count (empty when ok)
  std::string key_id;  ///< hex SHA-256 of the SPKI of the key that verified ("" if none did)
  nlohmann::ordered_json annotations = nlohmann::ordered_json::object();  ///< signed annotations
  std::string docker_reference;  ///< simple-signing only: reported, not enforced (as cosign does)
  std::string predicate_type;    ///< bundles: the statement's predicateType when it could be read
  /// Who signed, when the signature verified: key id or certificate (identity, issuer, Fulcio
  /// extensions), verified log entries and the verified signing time.
  std::optional<Facts> signer;
};

/// The outcome for one image.
struct ImageVerification {
  oci::Digest image;
  std::vector<CandidateResult> candidates;  ///< the examined ones, referrers first, in store order
  std::size_t found = 0;                    ///< candidates discovered (examined or not)

  /// True when more candidates were found than examined.
  [[nodiscard]] bool truncated() const { return found > candidates.size(); }
  /// How many candidates verified.
  [[nodiscard]] std::size_t verified_count() const;
};

/// True for the artifact types of Sigstore bundle referrers (any bundle version, both spellings).
[[nodiscard]] bool is_bundle_artifact_type(std::string_view artifact_type);

/// Verifies the signatures of `image` stored in `store` (the image's repository or the one
/// signatures were written to). Referrers whose dev.sigstore.bundle.predicateType annotation names
/// another predicate are attestations, not candidates. Per-candidate failures (bad signature, wrong
/// key, subject mismatch, malformed or unknown bundle, missing annotation) are results, not errors;
/// errors are reserved for listing or reading failures that leave the answer unknown (network,
/// an unreadable store).
[[nodiscard]] Result<ImageVerification> verify_image(oci::Store& store, const oci::Descriptor& image,
                                                     const TrustedMaterial& trusted,
                                                     const ImageVerifyOptions& options);

}  // namespace sigil::sign
