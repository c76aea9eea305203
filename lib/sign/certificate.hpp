// Fulcio certificates: what they say (identity, issuer, Fulcio extensions) and whether they are
// trustworthy (path to a trusted Fulcio CA at a time, codeSigning EKU, embedded SCTs).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "sign/keys.hpp"
#include "sign/trusted_root.hpp"

namespace sigil::sign {

/// What a Fulcio leaf certificate states.
struct CertificateFacts {
  std::string subject_alternative_name;  ///< the first URI, email or otherName (UTF8String) SAN
  std::string san_type;                  ///< "uri", "email" or "other"
  std::string issuer;                    ///< OIDC issuer: ext 1.3.6.1.4.1.57264.1.8, else legacy .1.1
  /// Every Fulcio extension (1.3.6.1.4.1.57264.1.N) by its cosign/sigstore-go name, e.g.
  /// "githubWorkflowTrigger" (.1.2), "githubWorkflowSha" (.1.3), "githubWorkflowName" (.1.4),
  /// "githubWorkflowRepository" (.1.5), "githubWorkflowRef" (.1.6), "issuer" (.1.8),
  /// "buildSignerURI" (.1.9) ... "runInvocationURI" (.1.21), "sourceRepositoryVisibilityAtSigning" (.1.22).
  std::map<std::string, std::string> extensions;
  SigstoreTime not_before;
  SigstoreTime not_after;
};

/// Parses a DER certificate and reads its facts. Input error for bad DER.
[[nodiscard]] Result<CertificateFacts> certificate_facts(std::string_view leaf_der);

/// The certificate's subject public key. Input error for bad DER or an unsupported key.
[[nodiscard]] Result<PublicKey> certificate_public_key(std::string_view leaf_der);

/// Verifies that `leaf_der` chains to a trusted Fulcio CA of `root` (intermediates and root taken
/// from the trusted root only; the bundle's own chain is never trusted) with every certificate valid
/// at `at`, the CA's validity window containing `at`, and the codeSigning EKU on the leaf. Returns
/// the issuing authority's chain (issuer first) for SCT checks. Denied errors: "certificate: not
/// issued by a trusted Fulcio CA", "certificate: not valid at <time>", "certificate: no codeSigning
/// extended key usage".
[[nodiscard]] Result<std::vector<std::string>> verify_certificate_chain(std::string_view leaf_der,
                                                                        const TrustedRoot& root,
                                                                        SigstoreTime at);

/// The same at every time of `times` (each verified signing time), as if called once per time and
/// with the chain of the last time returned; the path's signatures are checked once, and again
/// only for a time at which that path is not valid. Usage error for an empty `times`.
[[nodiscard]] Result<std::vector<std::string>> verify_certificate_chain(std::string_view leaf_der,
                                                                        const TrustedRoot& root,
                                                                        std::span<const SigstoreTime> times);

/// Verifies the leaf's embedded SCTs (RFC 6962 precertificate SCTs) against the CT logs of `root`;
/// at least one must verify with a log whose window contains the SCT time. `issuer_der` is the
/// certificate that issued the leaf. Denied errors: "certificate: no embedded SCT", "certificate:
/// no SCT verifies with a trusted CT log".
[[nodiscard]] Result<void> verify_embedded_scts(std::string_view leaf_der, std::string_view issuer_der,
                                                const TrustedRoot& root);

/// cosign's identity flags. Exact strings compare whole; regexps (ECMAScript) match anywhere, as
/// cosign's do. Empty means "not constrained". Each extension constraint compares exactly.
struct IdentityPolicy {
  std::string identity;
  std::string identity_regexp;
  std::string issuer;
  std::string issuer_regexp;
  std::string github_workflow_trigger;
  std::string github_workflow_sha;
  std::string github_workflow_name;
  std::string github_workflow_repository;
  std::string github_workflow_ref;
  [[nodiscard]] bool empty() const;
};

/// Denied error naming the mismatch ("certificate identity \"A\" does not match \"B\"", "... issuer
/// ..."); usage error for an invalid regexp.
[[nodiscard]] Result<void> match_identity(const CertificateFacts& facts, const IdentityPolicy& policy);

/// True when `pattern` is a regexp not anchored at both ends (cosign matches anywhere; sigil warns).
[[nodiscard]] bool regexp_is_unanchored(std::string_view pattern);

}  // namespace sigil::sign
