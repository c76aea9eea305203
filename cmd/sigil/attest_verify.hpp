// Finding and verifying the attestations of an image, for verify-attestation and
// verify-provenance: Sigstore bundle referrers (cosign v3), layers of cosign's legacy
// `sha256-<hex>.att` tag, and the unsigned attestation manifests BuildKit stores inside an image
// index (reported, never verified). Per-candidate failures are results with reasons; errors are
// kept for reading failures that leave the answer unknown (network, an unreadable store).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cmd/sigil/cli.hpp"
#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/store.hpp"
#include "sign/dsse.hpp"
#include "sign/statement.hpp"
#include "sign/verifier.hpp"

namespace sigil::cli {

/// Which attestations to examine.
struct AttestationQuery {
  /// Only statements of this predicateType (empty: every type except image signatures).
  std::string predicate_type;
  /// At most this many signed candidates are fetched and verified; more are counted.
  std::size_t max_candidates = 100;
  /// Each key must be an annotation of the statement's image subject with this exact value.
  std::map<std::string, std::string> required_annotations;
  /// What a certificate-signed (keyless) statement must satisfy: the signer's identity and issuer.
  sign::VerificationPolicy policy;
};

/// One signed candidate: verified (with its envelope and statement) or refused with a reason.
struct AttestationResult {
  std::string source;          ///< "referrer sha256:…" or "sha256-<hex>.att layer N"
  bool ok = false;
  std::string reason;          ///< why it does not count ("" when ok)
  std::string key_id;          ///< the key that verified the signature ("" if none did)
  std::string predicate_type;  ///< the statement's, when it could be read
  sign::Envelope envelope;     ///< ok: the verified envelope
  std::optional<sign::Statement> statement;  ///< ok: the verified statement
  std::optional<sign::Facts> signer;         ///< who signed, once the signature verified
};

/// An unsigned in-toto statement: one BuildKit stored in an attestation manifest of an index, or
/// a bare statement referrer (what `sigil build` attaches without --sign-key).
struct UnsignedAttestation {
  bool referrer = false;       ///< a referrer of the image, not a BuildKit attestation manifest
  std::string manifest;        ///< the attestation manifest's digest
  std::string subject;         ///< vnd.docker.reference.digest: the platform manifest it is about
  std::string predicate_type;  ///< from the statement when readable, else the layer annotation
  std::string note;            ///< what could not be read, or "" when the statement was read
};

/// Everything found for one image.
struct AttestationReport {
  oci::Digest image;
  std::vector<AttestationResult> candidates;  ///< examined, referrers first, in store order
  std::size_t found = 0;                      ///< signed candidates discovered (examined or not)
  std::size_t other_types = 0;  ///< referrers announcing another predicateType (not examined)
  std::vector<UnsignedAttestation> unsigned_attestations;

  [[nodiscard]] std::size_t verified_count() const;
  [[nodiscard]] bool truncated() const { return found > candidates.size(); }
};

/// Finds and verifies the attestations of `image` in `store` against `trusted`. A statement counts
/// when its signature verifies with a trusted key (or, keyless, with a certificate from a trusted
/// Fulcio CA whose identity matches query.policy, logged in a trusted transparency log), its payload is an in-toto statement with a
/// subject carrying the image digest, and its predicateType is the queried one (any attestation
/// type when none is queried; cosign image signatures never count).
[[nodiscard]] Result<AttestationReport> find_attestations(oci::Store& store, const oci::Descriptor& image,
                                                          const sign::TrustedMaterial& trusted,
                                                          const AttestationQuery& query);

/// Prints, on stderr, each refused candidate with its reason ("sigil: IMAGE: SOURCE: reason").
void print_attestation_refusals(const std::string& image, const AttestationReport& report);
/// Prints, on stderr, each unsigned BuildKit statement found, marked unsigned.
void print_unsigned_attestations(const std::string& image, const AttestationReport& report);

/// The verify-provenance command (verify_provenance_commands.cpp).
[[nodiscard]] Command verify_provenance_command();

}  // namespace sigil::cli
