// What verify, verify-attestation and verify-provenance trust: a public key (--key), or keyless
// signers named by cosign's identity flags and checked against a Sigstore trusted root. Also how
// they report who signed a verified candidate.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <cxxopts.hpp>

#include "common/error.hpp"
#include "common/json.hpp"
#include "sign/verifier.hpp"

namespace sigil::cli {

/// The trusted material and the policy a verifying command applies.
struct VerifyTrust {
  sign::TrustedMaterial trusted;
  sign::VerificationPolicy policy;
  bool keyless = false;  ///< identity flags given: certificates are checked, keys are not trusted
};

/// From --key FILE (the trusted root only when --trusted-root is given: key signatures have no
/// log entries to check otherwise) or from the identity flags (the trusted root is required:
/// --trusted-root or sigil's default). Usage error when both or neither are given: a key signature
/// carries no certificate identity, so accepting both would ignore one of them.
[[nodiscard]] Result<VerifyTrust> verify_trust(const cxxopts::ParseResult& parsed, std::string_view command);

/// "key <id>" or describe_signer's "identity … (issuer …)", with the log index and signing time
/// when verified ("  logIndex N  signed 2026-…Z").
[[nodiscard]] std::string signer_text(const std::optional<sign::Facts>& facts, const std::string& key_id);

/// Adds the signer to a JSON result: keyId, or identity, issuer and the Fulcio extensions; the
/// verified log indexes and signedAt.
void add_signer_json(nlohmann::ordered_json& out, const std::optional<sign::Facts>& facts);

/// The "checks performed" lines of the trust used, for the text output's footer on stderr.
[[nodiscard]] std::string trust_checks_text(const VerifyTrust& trust);

}  // namespace sigil::cli
