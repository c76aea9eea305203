// What a Fulcio certificate states. Extension names are the JSON names sigstore-go (and Fulcio's
// pkg/certificate) give them, so facts printed by sigil read like cosign's and sigstore-go's.
// The six original extensions (.1.1-.1.6) hold raw bytes; from .1.8 on each holds a DER string,
// which is decoded and refused when malformed, as Fulcio's own parser does.
#include "sign/certificate.hpp"

#include <openssl/x509v3.h>

#include <array>
#include <memory>

#include "sign/detail/certificate_x509.hpp"
#include "sign/detail/key_pem.hpp"

namespace sigil::sign {
namespace {

using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, sigil::detail::OpensslDeleter<GENERAL_NAMES_free>>;

constexpr std::string_view kFulcioArc = "1.3.6.1.4.1.57264.1.";
constexpr std::string_view kOtherNameOid = "1.3.6.1.4.1.57264.1.7";

// Index N holds the name of extension 1.3.6.1.4.1.57264.1.N; "" where N is not an extension.
constexpr std::array<std::string_view, 23> kExtensionNames = {
    "",                                     // 0
    "issuer",                               // 1 (deprecated, raw bytes)
    "githubWorkflowTrigger",                // 2
    "githubWorkflowSHA",                    // 3
    "githubWorkflowName",                   // 4
    "githubWorkflowRepository",             // 5
    "githubWorkflowRef",                    // 6
    "",                                     // 7: the otherName SAN type, not an extension
    "issuer",                               // 8 (DER string, preferred)
    "buildSignerURI",                       // 9
    "buildSignerDigest",                    // 10
    "runnerEnvironment",                    // 11
    "sourceRepositoryURI",                  // 12
    "sourceRepositoryDigest",               // 13
    "sourceRepositoryRef",                  // 14
    "sourceRepositoryIdentifier",           // 15
    "sourceRepositoryOwnerURI",             // 16
    "sourceRepositoryOwnerIdentifier",      // 17
    "buildConfigURI",                       // 18
    "buildConfigDigest",                    // 19
    "buildTrigger",                         // 20
    "runInvocationURI",                     // 21
    "sourceRepositoryVisibilityAtSigning",  // 22
};

std::string object_text(const ASN1_OBJECT* object) {
  std::array<char, 128> text{};
  const int len = OBJ_obj2txt(text.data(), static_cast<int>(text.size()), object, /*no_name=*/1);
  if (len <= 0 || static_cast<std::size_t>(len) >= text.size()) return {};
  return std::string(text.data(), static_cast<std::size_t>(len));
}

std::string asn1_bytes(const ASN1_STRING* value) {
  if (value == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<std::size_t>(ASN1_STRING_length(value)));
}

// The first URI SAN, else the first email, else the first Fulcio otherName (as sigstore-go ranks them).
Result<void> read_san(X509* cert, CertificateFacts& facts) {
  int critical = 0;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, &critical, nullptr)));
  if (!names) {
    detail::clear_openssl_errors();
    // -1: no SAN at all (facts say so by an empty SAN); otherwise the extension is malformed or repeated.
    if (critical == -1) return {};
    return fail(ErrorCategory::input, "certificate: malformed subject alternative name");
  }
  std::string uri, email, other;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_URI && uri.empty()) {
      uri = asn1_bytes(name->d.uniformResourceIdentifier);
    } else if (name->type == GEN_EMAIL && email.empty()) {
      email = asn1_bytes(name->d.rfc822Name);
    } else if (name->type == GEN_OTHERNAME && other.empty()) {
      const OTHERNAME* on = name->d.otherName;
      if (object_text(on->type_id) == kOtherNameOid && on->value != nullptr && on->value->type == V_ASN1_UTF8STRING) {
        other = asn1_bytes(on->value->value.utf8string);
      }
    }
  }
  if (!uri.empty()) {
    facts.subject_alternative_name = uri;
    facts.san_type = "uri";
  } else if (!email.empty()) {
    facts.subject_alternative_name = email;
    facts.san_type = "email";
  } else if (!other.empty()) {
    facts.subject_alternative_name = other;
    facts.san_type = "other";
  }
  return {};
}

Result<void> read_extensions(X509* cert, CertificateFacts& facts) {
  std::string legacy_issuer;
  std::string issuer;
  std::array<bool, kExtensionNames.size()> seen{};
  for (int i = 0; i < X509_get_ext_count(cert); ++i) {
    X509_EXTENSION* ext = X509_get_ext(cert, i);
    const std::string oid = object_text(X509_EXTENSION_get_object(ext));
    if (!oid.starts_with(kFulcioArc)) continue;
    const std::string_view arc = std::string_view(oid).substr(kFulcioArc.size());
    if (arc.empty() || arc.size() > 2 || arc.find_first_not_of("0123456789") != std::string_view::npos) continue;
    const std::size_t n = static_cast<std::size_t>(std::stoi(std::string(arc)));
    if (n >= kExtensionNames.size() || kExtensionNames[n].empty()) continue;
    if (seen[n]) return fail(ErrorCategory::input, "certificate: extension " + oid + " appears twice");
    seen[n] = true;
    const std::string raw = asn1_bytes(X509_EXTENSION_get_data(ext));
    std::string value;
    if (n <= 6) {
      value = raw;
    } else {
      auto text = detail::der_string(raw);
      if (!text) {
        return fail(ErrorCategory::input, "certificate: extension " + oid + " (" + std::string(kExtensionNames[n]) +
                                              ") is not a DER string");
      }
      value = std::move(*text);
    }
    if (n == 1) {
      legacy_issuer = std::move(value);
    } else if (n == 8) {
      issuer = std::move(value);
    } else {
      facts.extensions[std::string(kExtensionNames[n])] = std::move(value);
    }
  }
  // The DER-encoded issuer (.1.8) supersedes the legacy raw one (.1.1) whatever their order.
  facts.issuer = seen[8] ? issuer : legacy_issuer;
  if (seen[1] || seen[8]) facts.extensions["issuer"] = facts.issuer;
  return {};
}

}  // namespace

Result<CertificateFacts> certificate_facts(std::string_view leaf_der) {
  auto cert = detail::shared_certificate_der(leaf_der, "certificate");
  if (!cert) return std::unexpected(cert.error());
  CertificateFacts facts;
  if (auto san = read_san(cert->get(), facts); !san) return std::unexpected(san.error());
  if (auto ext = read_extensions(cert->get(), facts); !ext) return std::unexpected(ext.error());
  auto not_before = detail::asn1_time(X509_get0_notBefore(cert->get()));
  if (!not_before) return std::unexpected(not_before.error().with_context("certificate: notBefore"));
  auto not_after = detail::asn1_time(X509_get0_notAfter(cert->get()));
  if (!not_after) return std::unexpected(not_after.error().with_context("certificate: notAfter"));
  facts.not_before = *not_before;
  facts.not_after = *not_after;
  return facts;
}

Result<PublicKey> certificate_public_key(std::string_view leaf_der) {
  auto cert = detail::shared_certificate_der(leaf_der, "certificate");
  if (!cert) return std::unexpected(cert.error());
  PkeyPtr pkey(X509_get_pubkey(cert->get()));
  if (!pkey) {
    detail::clear_openssl_errors();
    return fail(ErrorCategory::input, "certificate: public key does not load");
  }
  auto algorithm = detail::check_key(pkey.get());
  if (!algorithm) return std::unexpected(algorithm.error().with_context("certificate"));
  return PublicKey(std::move(pkey), *algorithm);
}

}  // namespace sigil::sign
