// cosign's legacy keyless signatures: a `.sig` (or `.att`) layer whose annotations carry the Fulcio
// certificate (dev.sigstore.cosign/certificate, PEM), its chain (dev.sigstore.cosign/chain), the
// Rekor bundle (dev.sigstore.cosign/bundle: SignedEntryTimestamp + Payload{body, integratedTime,
// logIndex, logID}) and optionally an RFC 3161 timestamp (dev.sigstore.cosign/rfc3161timestamp).
// They are converted to the Sigstore bundle v0.1 they amount to, as sigstore-go's cosign
// compatibility does, so that one verifier (verify_bundle) judges both forms.
#pragma once

#include <string_view>
#include <variant>

#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "sign/bundle.hpp"

namespace sigil::sign::detail {

inline constexpr std::string_view kCosignCertificateAnnotation = "dev.sigstore.cosign/certificate";
inline constexpr std::string_view kCosignChainAnnotation = "dev.sigstore.cosign/chain";
inline constexpr std::string_view kCosignRekorBundleAnnotation = "dev.sigstore.cosign/bundle";
inline constexpr std::string_view kCosignTimestampAnnotation = "dev.sigstore.cosign/rfc3161timestamp";

/// True when the layer carries a certificate: a keyless signature.
[[nodiscard]] bool has_legacy_certificate(const oci::Annotations& annotations);

/// The bundle v0.1 equivalent of a legacy keyless layer: the leaf of the certificate annotation
/// (the chain annotation is not trusted, as sigstore-go never trusts a bundle's chain: the trusted
/// root supplies intermediates and roots), one tlog entry from the Rekor bundle (logId.keyId = the
/// raw bytes of the hex logID, kindVersion from the body's kind and apiVersion, the SET as
/// inclusionPromise, no inclusion proof), the timestamp when present, and `content` (for a `.sig`
/// layer: a messageSignature over the payload with its SHA-256 digest). Input error naming the
/// annotation for a missing Rekor bundle, bad PEM, base64, hex or JSON.
[[nodiscard]] Result<Bundle> legacy_keyless_bundle(const oci::Annotations& annotations,
                                                   std::variant<MessageSignature, Envelope> content);

/// legacy_keyless_bundle for a simple-signing layer: messageSignature over `payload` with `signature`.
[[nodiscard]] Result<Bundle> legacy_signature_bundle(const oci::Annotations& annotations, std::string_view payload,
                                                     std::string_view signature);

}  // namespace sigil::sign::detail
