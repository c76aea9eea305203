// X.509 helpers shared by the certificate facts, chain and SCT code.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/openssl_ptr.hpp"
#include "sign/trusted_root.hpp"

namespace sigil::sign::detail {

/// Parses one DER certificate, refusing trailing bytes. Input error "<what>: not a DER X.509
/// certificate".
[[nodiscard]] Result<X509Ptr> parse_certificate_der(std::string_view der, std::string_view what);

/// parse_certificate_der through a small process-wide cache keyed by the DER (see shared_cache.hpp):
/// the returned pointer holds its own reference to a shared, never-modified certificate. For
/// trusted-root certificates and for a leaf that one verification reads several times.
[[nodiscard]] Result<X509Ptr> shared_certificate_der(std::string_view der, std::string_view what);

/// The DER encoding of `cert`; "" when OpenSSL cannot encode it.
[[nodiscard]] std::string certificate_der(X509* cert);

/// An ASN.1 UTCTime/GeneralizedTime as a SigstoreTime; input error when malformed.
[[nodiscard]] Result<SigstoreTime> asn1_time(const ASN1_TIME* time);

/// The value of a DER string (UTF8String, PrintableString or IA5String) that fills `der` exactly;
/// nullopt otherwise.
[[nodiscard]] std::optional<std::string> der_string(std::string_view der);

}  // namespace sigil::sign::detail
