#include "sign/detail/timestamp_authority.hpp"

#include "sign/detail/certificate_x509.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <ctime>
#include <vector>

namespace sigil::sign::detail {

namespace {

using StorePtr = std::unique_ptr<X509_STORE, sigil::detail::OpensslDeleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, sigil::detail::OpensslDeleter<X509_STORE_CTX_free>>;

// A stack that borrows its certificates (they stay owned by the vectors and the token).
struct BorrowedStackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};
using BorrowedStack = std::unique_ptr<STACK_OF(X509), BorrowedStackDeleter>;

std::string time_text(const ASN1_TIME* t) {
  auto when = asn1_time_to_sigstore_time(t);
  return when ? format_sigstore_time(*when) : std::string("(invalid time)");
}

std::string window_text(const ValidityWindow& window) {
  return "valid from " + (window.start ? format_sigstore_time(*window.start) : std::string("always")) +
         (window.end ? " to " + format_sigstore_time(*window.end) : std::string(" on"));
}

// The first OpenSSL reason on the error queue (TS_RESP_verify_signature reports through it).
std::string openssl_reason() {
  const unsigned long code = ERR_peek_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? reason : "signature does not verify";
}

Result<std::vector<X509Ptr>> load_chain(const CertificateAuthority& authority) {
  std::vector<X509Ptr> chain;
  for (const auto& der : authority.chain_der) {
    auto cert = shared_certificate_der(der, "certificate");
    if (!cert) return fail(ErrorCategory::input, "authority " + authority.uri + ": a certificate does not load");
    chain.push_back(std::move(*cert));
  }
  if (chain.empty()) return fail(ErrorCategory::input, "authority " + authority.uri + " has no certificates");
  return chain;
}

// Why X509_verify_cert refused, as an outcome and one line.
AuthorityCheck chain_failure(X509_STORE_CTX* ctx) {
  const int error = X509_STORE_CTX_get_error(ctx);
  X509* cert = X509_STORE_CTX_get_current_cert(ctx);
  const std::string name = cert != nullptr ? short_name(X509_get_subject_name(cert)) : "(unknown)";
  if (error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID) {
    return {AuthorityOutcome::cert_outside, "certificate " + name + " valid from " +
                                                time_text(X509_get0_notBefore(cert)) + " to " +
                                                time_text(X509_get0_notAfter(cert))};
  }
  if (error == X509_V_ERR_INVALID_PURPOSE) {
    return {AuthorityOutcome::untrusted,
            "certificate " + name + " is not for timestamping (a critical timeStamping-only extended key usage)"};
  }
  return {AuthorityOutcome::untrusted, name + ": " + X509_verify_cert_error_string(error)};
}

}  // namespace

AuthorityCheck check_authority(const TimestampToken& token, const CertificateAuthority& authority) {
  auto chain = load_chain(authority);
  if (!chain) return {AuthorityOutcome::untrusted, chain.error().message};

  // sigstore-go: the chain's last certificate is the root (the only anchor); a first certificate
  // that is not a CA is the TSA's own certificate, which the signer must then be.
  X509* anchor = chain->back().get();
  X509* pinned_leaf = X509_check_ca(chain->front().get()) == 0 ? chain->front().get() : nullptr;

  BorrowedStack authority_certs(sk_X509_new_null());
  BorrowedStack untrusted(sk_X509_new_null());
  if (!authority_certs || !untrusted) return {AuthorityOutcome::untrusted, "out of memory"};
  for (const auto& cert : *chain) {
    sk_X509_push(authority_certs.get(), cert.get());
    sk_X509_push(untrusted.get(), cert.get());
  }
  // The token's own certificates are candidates for the path, never anchors.
  STACK_OF(X509)* embedded = token.pkcs7->d.sign->cert;
  for (int i = 0; i < sk_X509_num(embedded); ++i) sk_X509_push(untrusted.get(), sk_X509_value(embedded, i));

  // The signer is looked up by issuer and serial among the token's certificates, then the authority's.
  BorrowedStack signers(PKCS7_get0_signers(token.pkcs7.get(), authority_certs.get(), 0));
  ERR_clear_error();
  if (!signers || sk_X509_num(signers.get()) != 1) {
    return {AuthorityOutcome::untrusted, "its certificate is neither in the token nor in the trusted root"};
  }
  X509* signer = sk_X509_value(signers.get(), 0);
  if (pinned_leaf != nullptr && X509_cmp(signer, pinned_leaf) != 0) {
    return {AuthorityOutcome::untrusted, "signer " + short_name(X509_get_subject_name(signer)) +
                                             " is not the authority's certificate"};
  }

  // Every certificate of the path must contain genTime (not "now": the TSA certificate may have
  // expired since), and TIMESTAMP_SIGN asks for the leaf's critical timeStamping-only EKU.
  StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_add_cert(store.get(), anchor) != 1) {
    ERR_clear_error();
    return {AuthorityOutcome::untrusted, "cannot load the authority's root"};
  }
  X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<std::time_t>(token.gen_time.time_since_epoch().count()));
  // The anchor need not be self-signed: what the trusted root lists last is trusted as is.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);

  // The CMS signature, its signed attributes, the ESS signing-certificate binding and the path:
  // OpenSSL's own check. It builds the path with the same store, purpose (timeStamping) and
  // candidates (the authority's certificates, then the token's) as the diagnosis below, so the
  // path is built twice only when something is wrong.
  X509* verified_signer = nullptr;
  const int signature_ok =
      TS_RESP_verify_signature(token.pkcs7.get(), authority_certs.get(), store.get(), &verified_signer);
  X509_free(verified_signer);
  ERR_clear_error();
  if (signature_ok != 1) {
    StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), signer, untrusted.get()) != 1) {
      ERR_clear_error();
      return {AuthorityOutcome::untrusted, "out of memory"};
    }
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_TIMESTAMP_SIGN);
    const int path_ok = X509_verify_cert(ctx.get());
    ERR_clear_error();
    if (path_ok != 1) return chain_failure(ctx.get());
    // The path holds: the signature (or its signed attributes) is what failed. Ask again for the reason.
    verified_signer = nullptr;
    TS_RESP_verify_signature(token.pkcs7.get(), authority_certs.get(), store.get(), &verified_signer);
    X509_free(verified_signer);
    return {AuthorityOutcome::bad_signature, openssl_reason()};
  }

  // validFor is a closed interval; a fractional genTime at the end second lies after the end.
  const bool after_end_fraction = token.gen_time_fraction && authority.valid_for.end &&
                                  token.gen_time == *authority.valid_for.end;
  if (!authority.valid_for.contains(token.gen_time) || after_end_fraction) {
    return {AuthorityOutcome::window_outside, "authority " + authority.uri + " " + window_text(authority.valid_for)};
  }
  return {AuthorityOutcome::verified, {}};
}

}  // namespace sigil::sign::detail
