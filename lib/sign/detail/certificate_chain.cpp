// Path validation of a Fulcio leaf, one trusted authority at a time (as sigstore-go does): the
// authority's last certificate is the only anchor, its other certificates are intermediates, and
// certificates the bundle carries are never consulted, so a bundle cannot bring its own root.
// OpenSSL does the path building, signature and validity checks at the given time; sigil adds the
// authority's validity window (from the trusted root) and the codeSigning EKU on the leaf.
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include "sign/certificate.hpp"
#include "sign/detail/certificate_x509.hpp"
#include "sign/detail/key_pem.hpp"
#include "sign/detail/trusted_root_time.hpp"

namespace sigil::sign {
namespace {

using StorePtr = std::unique_ptr<X509_STORE, sigil::detail::OpensslDeleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, sigil::detail::OpensslDeleter<X509_STORE_CTX_free>>;

struct X509StackFree {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_pop_free(stack, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

enum class Outcome { verified, wrong_time, untrusted };

struct Validity {
  SigstoreTime not_before;
  SigstoreTime not_after;
};

struct Attempt {
  Outcome outcome = Outcome::untrusted;
  std::vector<std::string> chain;  // issuer first, when verified
  const CertificateAuthority* authority = nullptr;  // when verified
  std::vector<Validity> path;      // leaf first, anchor last, when verified
};

bool time_error(int code) {
  return code == X509_V_ERR_CERT_HAS_EXPIRED || code == X509_V_ERR_CERT_NOT_YET_VALID;
}

// Tries one authority. Its parse already succeeded in parse_trusted_root, so a certificate that
// fails to parse here can only mean a hand-built TrustedRoot: that authority simply does not verify.
Attempt try_authority(X509* leaf, const CertificateAuthority& ca, SigstoreTime at) {
  Attempt attempt;
  if (ca.chain_der.empty()) return attempt;
  std::vector<X509Ptr> certs;
  for (const auto& der : ca.chain_der) {
    auto cert = detail::shared_certificate_der(der, "trusted root certificate");
    if (!cert) return attempt;
    certs.push_back(std::move(*cert));
  }
  StorePtr store(X509_STORE_new());
  X509StackPtr intermediates(sk_X509_new_null());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !intermediates || !ctx) return attempt;
  X509* anchor = certs.back().get();
  if (X509_STORE_add_cert(store.get(), anchor) != 1) return attempt;
  for (std::size_t i = 0; i + 1 < certs.size(); ++i) {
    if (X509_up_ref(certs[i].get()) != 1) return attempt;
    if (sk_X509_push(intermediates.get(), certs[i].get()) <= 0) {
      X509_free(certs[i].get());
      return attempt;
    }
  }
  // An authority whose chain stops at an intermediate (no self-signed root in the trusted root)
  // makes that intermediate the anchor; only then may the path end below a self-signed root.
  const bool partial = X509_self_signed(anchor, 0) != 1;
  auto verify_at = [&](SigstoreTime when) {
    X509_STORE_CTX_cleanup(ctx.get());
    if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, intermediates.get()) != 1) return false;
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(when.time_since_epoch().count()));
    if (partial) X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    return X509_verify_cert(ctx.get()) == 1;
  };
  bool ok = verify_at(at);
  // RFC 5280 (and Go, hence sigstore-go) count notAfter itself as valid; OpenSSL calls a
  // certificate expired at that very second. Only that exact case is retried a second earlier.
  if (!ok && X509_STORE_CTX_get_error(ctx.get()) == X509_V_ERR_CERT_HAS_EXPIRED) {
    if (X509* expired = X509_STORE_CTX_get_current_cert(ctx.get()); expired != nullptr) {
      auto not_after = detail::asn1_time(X509_get0_notAfter(expired));
      if (not_after && *not_after == at) ok = verify_at(at - std::chrono::seconds(1));
    }
  }
  if (!ok) {
    attempt.outcome = time_error(X509_STORE_CTX_get_error(ctx.get())) ? Outcome::wrong_time : Outcome::untrusted;
    detail::clear_openssl_errors();
    return attempt;
  }
  if (!ca.valid_for.contains(at)) {
    attempt.outcome = Outcome::wrong_time;
    return attempt;
  }
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    auto not_before = detail::asn1_time(X509_get0_notBefore(cert));
    auto not_after = detail::asn1_time(X509_get0_notAfter(cert));
    if (!not_before || !not_after) return attempt;  // OpenSSL accepted what sigil cannot read: not trusted
    attempt.path.push_back({*not_before, *not_after});
    if (i > 0) attempt.chain.push_back(detail::certificate_der(cert));
  }
  attempt.authority = &ca;
  attempt.outcome = Outcome::verified;
  return attempt;
}

// The first authority whose path verifies `leaf` at `at`, or the denial that explains why none does.
Result<Attempt> verified_path(X509* leaf, const TrustedRoot& root, SigstoreTime at) {
  bool wrong_time = false;
  for (const auto& ca : root.certificate_authorities) {
    Attempt attempt = try_authority(leaf, ca, at);
    if (attempt.outcome == Outcome::verified) {
      detail::clear_openssl_errors();
      return attempt;
    }
    wrong_time = wrong_time || attempt.outcome == Outcome::wrong_time;
  }
  detail::clear_openssl_errors();
  // A path that only failed on time is a real issuer at the wrong moment: say so, it is the
  // actionable reason (expired certificate, or an authority not yet or no longer trusted).
  if (wrong_time) return fail(ErrorCategory::denied, "certificate: not valid at " + detail::format_sigstore_time(at));
  return fail(ErrorCategory::denied, "certificate: not issued by a trusted Fulcio CA");
}

// Whether a path verified at one time also holds at `at`: signatures and extensions do not
// depend on time, so only the validity of each certificate (both ends inclusive, as RFC 5280 and
// sigstore-go count them) and the authority's window are left to check.
bool still_valid(const Attempt& attempt, SigstoreTime at) {
  for (const auto& cert : attempt.path) {
    if (at < cert.not_before || cert.not_after < at) return false;
  }
  return attempt.authority->valid_for.contains(at);
}

Result<void> check_code_signing(X509* leaf) {
  // X509_check_purpose caches the extensions; without an EKU extension the flag is absent, and
  // sigil requires codeSigning explicitly (Fulcio always sets it).
  X509_check_purpose(leaf, -1, 0);
  const bool has_eku = (X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) != 0;
  if (!has_eku || (X509_get_extended_key_usage(leaf) & XKU_CODE_SIGN) == 0) {
    return fail(ErrorCategory::denied, "certificate: no codeSigning extended key usage");
  }
  return {};
}

}  // namespace

Result<std::vector<std::string>> verify_certificate_chain(std::string_view leaf_der, const TrustedRoot& root,
                                                          std::span<const SigstoreTime> times) {
  if (times.empty()) return fail(ErrorCategory::usage, "certificate: no time to verify the path at");
  auto leaf = detail::shared_certificate_der(leaf_der, "certificate");
  if (!leaf) return std::unexpected(leaf.error());
  auto path = verified_path(leaf->get(), root, times.front());
  if (!path) return std::unexpected(path.error());
  for (SigstoreTime at : times.subspan(1)) {
    if (still_valid(*path, at)) continue;
    path = verified_path(leaf->get(), root, at);  // another authority may cover this time
    if (!path) return std::unexpected(path.error());
  }
  if (auto eku = check_code_signing(leaf->get()); !eku) return std::unexpected(eku.error());
  return std::move(path->chain);
}

Result<std::vector<std::string>> verify_certificate_chain(std::string_view leaf_der, const TrustedRoot& root,
                                                          SigstoreTime at) {
  return verify_certificate_chain(leaf_der, root, std::span<const SigstoreTime>(&at, 1));
}

}  // namespace sigil::sign
