#include "sign/verifier.hpp"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "common/base64.hpp"
#include "common/openssl_ptr.hpp"
#include "sign/detail/bundle_signature.hpp"

namespace sigil::sign {
namespace {

std::unexpected<Error> denied(std::string reason) {
  return fail(ErrorCategory::denied, "verify bundle: " + std::move(reason));
}
std::unexpected<Error> bad_input(std::string problem) {
  return fail(ErrorCategory::input, "verify bundle: " + std::move(problem));
}

// The digest a hashedrekord entry must record, when the caller knows the artifact's SHA-256.
std::string artifact_sha256_hex(const ArtifactRef& artifact) {
  if (artifact.bytes) return oci::Digest::of(*artifact.bytes).hex();
  if (!artifact.digest.empty() && artifact.digest.algorithm() == oci::DigestAlgorithm::sha256) {
    return std::string(artifact.digest.hex());
  }
  return {};
}

// A client must never take trust anchors from the bundle; a chain that ships its own root is a
// sign of a bundle built to make a naive verifier trust it, so it is refused outright (as the
// conformance suite requires).
Result<void> refuse_bundled_root(const Bundle& bundle) {
  for (std::size_t i = 1; i < bundle.certificate_chain.size(); ++i) {
    const auto* p = reinterpret_cast<const unsigned char*>(bundle.certificate_chain[i].data());
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(bundle.certificate_chain[i].size())));
    if (!cert) return bad_input("certificate " + std::to_string(i) + " of the bundle's chain is not valid DER");
    if (X509_check_issued(cert.get(), cert.get()) == X509_V_OK) {
      return denied("the bundle's certificate chain contains a root certificate");
    }
  }
  return {};
}

// Log entries and timestamps, in sigstore-go's order. Fills facts.tlog_entries, facts.timestamps
// and facts.transparency_logged; returns the verified times a certificate must be valid at.
Result<std::vector<SigstoreTime>> verify_observers(const Bundle& bundle, const ArtifactRef& artifact,
                                                   const TrustedRoot& root, SigstoreTime now, Facts& facts) {
  std::vector<SigstoreTime> times;
  const std::string sha256_hex = artifact_sha256_hex(artifact);
  bool needs_timestamp = false;
  for (const auto& entry : bundle.tlog_entries) {
    auto tlog = verify_tlog_entry(entry, bundle, sha256_hex, root, now);
    if (!tlog) return std::unexpected(tlog.error().with_context("verify bundle"));
    if (tlog->integrated_time) times.push_back(*tlog->integrated_time);
    needs_timestamp = needs_timestamp || tlog->rekor_v2;
    facts.tlog_entries.push_back(std::move(*tlog));
  }
  facts.transparency_logged = !facts.tlog_entries.empty();

  const auto& data = bundle.timestamp_verification_data;
  if (data.is_object() && data.contains("rfc3161Timestamps")) {
    const auto& list = data["rfc3161Timestamps"];
    if (!list.is_array()) return bad_input("timestampVerificationData.rfc3161Timestamps is not an array");
    const std::string signature = detail::signature_bytes(bundle);
    for (const auto& item : list) {
      if (!item.is_object() || !item.contains("signedTimestamp") || !item["signedTimestamp"].is_string()) {
        return bad_input("rfc3161Timestamps entry without signedTimestamp");
      }
      // Go's base64 decoder (protojson, sigstore-go) skips line breaks, and some producers wrap.
      std::string text = item["signedTimestamp"].get<std::string>();
      std::erase_if(text, [](char c) { return c == '\n' || c == '\r'; });
      auto der = base64_decode(text);
      if (!der) return bad_input("rfc3161Timestamps signedTimestamp is not base64");
      auto stamp = verify_rfc3161_timestamp(*der, signature, root);
      if (!stamp) return std::unexpected(stamp.error().with_context("verify bundle"));
      times.push_back(stamp->time);
      facts.timestamps.push_back(std::move(*stamp));
    }
  }
  // Rekor v2 logs no longer vouch for a time, so the time must come from a timestamp authority.
  if (needs_timestamp && facts.timestamps.empty()) {
    return denied("Rekor v2 entry without a verified RFC 3161 timestamp");
  }
  if (!times.empty()) facts.signed_at = *std::min_element(times.begin(), times.end());
  return times;
}

Result<Facts> verify_certificate_bundle(const Bundle& bundle, const ArtifactRef& artifact,
                                        const TrustedMaterial& trusted, const VerificationPolicy& policy,
                                        SigstoreTime now) {
  if (policy.identity.empty() && !policy.allow_any_identity && !trusted.keys.empty()) {
    return bad_input(
        "the bundle is certificate-signed (keyless): give the expected identity (--certificate-identity and "
        "--certificate-oidc-issuer), not a key");
  }
  if (!trusted.root) {
    return bad_input("a certificate-signed (keyless) bundle needs a trusted root (--trusted-root, or sigil's default)");
  }
  if (policy.identity.empty() && !policy.allow_any_identity) {
    return bad_input(
        "a certificate-signed (keyless) bundle needs the expected identity (--certificate-identity and "
        "--certificate-oidc-issuer, or their -regexp forms)");
  }
  const TrustedRoot& root = *trusted.root;
  const std::string& leaf = bundle.material == MaterialKind::certificate ? bundle.certificate
                                                                           : bundle.certificate_chain.front();
  if (auto ok = refuse_bundled_root(bundle); !ok) return std::unexpected(ok.error());

  Facts facts;
  auto times = verify_observers(bundle, artifact, root, now, facts);
  if (!times) return std::unexpected(times.error());
  if (facts.tlog_entries.empty()) return denied("no verified transparency-log entry");
  if (times->empty()) return denied("no verified time (neither a signed entry timestamp nor an RFC 3161 timestamp)");

  // The certificate lives ten minutes: it must have been valid when each observer saw the signature.
  auto chain = verify_certificate_chain(leaf, root, *times);
  if (!chain) return std::unexpected(chain.error().with_context("verify bundle"));
  const std::vector<std::string> issuer_chain = std::move(*chain);
  if (issuer_chain.empty()) return fail(ErrorCategory::internal, "verify bundle: certificate path without issuer");
  if (auto scts = verify_embedded_scts(leaf, issuer_chain.front(), root); !scts) {
    return std::unexpected(scts.error().with_context("verify bundle"));
  }

  auto key = certificate_public_key(leaf);
  if (!key) return std::unexpected(key.error().with_context("verify bundle"));
  auto signed_facts =
      detail::check_bundle_signature(bundle, artifact, {&*key}, "the certificate's key does not verify the signature");
  if (!signed_facts) return signed_facts;

  auto certificate = certificate_facts(leaf);
  if (!certificate) return std::unexpected(certificate.error().with_context("verify bundle"));
  if (!policy.identity.empty()) {
    if (auto matched = match_identity(*certificate, policy.identity); !matched) {
      return std::unexpected(matched.error().with_context("verify bundle"));
    }
  }
  signed_facts->certificate = std::move(*certificate);
  signed_facts->tlog_entries = std::move(facts.tlog_entries);
  signed_facts->timestamps = std::move(facts.timestamps);
  signed_facts->transparency_logged = facts.transparency_logged;
  signed_facts->signed_at = facts.signed_at;
  return signed_facts;
}

// The SPKI of what a log entry records (a certificate or a bare key) against the verifying key's id.
Result<void> entry_names_key(const TlogFacts& entry, const std::string& key_id) {
  if (entry.entry_verifier_der.empty()) return {};
  auto key = certificate_public_key(entry.entry_verifier_der);
  if (!key) key = public_key_from_der(entry.entry_verifier_der);
  if (!key) return denied("log entry " + std::to_string(entry.log_index) + " records a key that does not load");
  if (key->key_id() != key_id) {
    return denied("log entry " + std::to_string(entry.log_index) + " records another key than the one that verified");
  }
  return {};
}

Result<Facts> verify_key_bundle(const Bundle& bundle, const ArtifactRef& artifact, const TrustedMaterial& trusted,
                                SigstoreTime now) {
  if (trusted.keys.empty()) {
    return bad_input("the bundle is signed with a key, not keyless: give its public key (--key)");
  }
  Facts observed;
  if (trusted.root) {
    // A key bundle may still be logged and timestamped (cosign uploads to Rekor by default);
    // whatever it carries must then be genuine.
    auto times = verify_observers(bundle, artifact, *trusted.root, now, observed);
    if (!times) return std::unexpected(times.error());
  }
  std::vector<const PublicKey*> candidates;
  for (const PublicKey& key : trusted.keys) candidates.push_back(&key);
  auto facts = detail::check_bundle_signature(bundle, artifact, candidates, "no trusted key verifies the signature");
  if (!facts) return facts;
  // A key bundle names its key only by a hint, so each log entry must record the very key that
  // verified: otherwise a genuine entry for someone else's signature would vouch for this one.
  for (const auto& entry : observed.tlog_entries) {
    if (auto same = entry_names_key(entry, facts->key_id); !same) return std::unexpected(same.error());
  }
  facts->tlog_entries = std::move(observed.tlog_entries);
  facts->timestamps = std::move(observed.timestamps);
  facts->transparency_logged = observed.transparency_logged;
  facts->signed_at = observed.signed_at;
  return facts;
}

}  // namespace

Result<Facts> verify_bundle(const Bundle& bundle, const ArtifactRef& artifact, const TrustedMaterial& trusted,
                            const VerificationPolicy& policy) {
  const SigstoreTime now =
      policy.now ? *policy.now : std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (bundle.material == MaterialKind::public_key) return verify_key_bundle(bundle, artifact, trusted, now);
  return verify_certificate_bundle(bundle, artifact, trusted, policy, now);
}

}  // namespace sigil::sign
