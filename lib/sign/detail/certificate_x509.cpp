// Certificates arrive as raw DER from bundles and trusted roots. Trailing bytes after the
// certificate are refused: two parsers that disagree on where a certificate ends are a classic
// way to smuggle content past a verifier.
#include "sign/detail/certificate_x509.hpp"

#include <openssl/asn1.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "sign/detail/key_pem.hpp"
#include "sign/detail/shared_cache.hpp"
#include "sign/detail/trusted_root_time.hpp"

namespace sigil::sign::detail {

Result<X509Ptr> parse_certificate_der(std::string_view der, std::string_view what) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const auto* end = p + der.size();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != end) {
    clear_openssl_errors();
    return fail(ErrorCategory::input, std::string(what) + ": not a DER X.509 certificate");
  }
  return cert;
}

Result<X509Ptr> shared_certificate_der(std::string_view der, std::string_view what) {
  // 64 certificates: every trusted root in use plus the leaves of the bundles in flight.
  static SharedCache<X509> cache(64);
  auto shared = cache.get(std::string(der), [&]() -> Result<std::shared_ptr<X509>> {
    auto cert = parse_certificate_der(der, what);
    if (!cert) return std::unexpected(cert.error());
    // Cache OpenSSL's extension flags now, while the certificate is still private to this thread.
    X509_check_purpose(cert->get(), -1, 0);
    clear_openssl_errors();
    return std::shared_ptr<X509>(cert->release(), X509_free);
  });
  if (!shared) return std::unexpected(shared.error());
  if (X509_up_ref(shared->get()) != 1) return fail(ErrorCategory::internal, std::string(what) + ": out of memory");
  return X509Ptr(shared->get());
}

std::string certificate_der(X509* cert) {
  unsigned char* out = nullptr;
  const int len = i2d_X509(cert, &out);
  if (len <= 0) {
    clear_openssl_errors();
    return {};
  }
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return der;
}

Result<SigstoreTime> asn1_time(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    clear_openssl_errors();
    return fail(ErrorCategory::input, "malformed certificate time");
  }
  auto when = civil_time(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (!when) return fail(ErrorCategory::input, "malformed certificate time");
  return *when;
}

std::optional<std::string> der_string(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const auto* end = p + der.size();
  long length = 0;
  int tag = 0;
  int klass = 0;
  const int info = ASN1_get_object(&p, &length, &tag, &klass, static_cast<long>(der.size()));
  // 0x80 flags an error; constructed (0x20) or indefinite-length strings are not DER strings.
  if ((info & 0x80) != 0 || info != 0 || klass != V_ASN1_UNIVERSAL) {
    clear_openssl_errors();
    return std::nullopt;
  }
  if (tag != V_ASN1_UTF8STRING && tag != V_ASN1_PRINTABLESTRING && tag != V_ASN1_IA5STRING) return std::nullopt;
  if (p + length != end) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(length));
}

}  // namespace sigil::sign::detail
