// RFC 3161 timestamp tokens as OpenSSL objects: DER parsing (TimeStampResp or bare
// TimeStampToken) and the TSTInfo facts the verifier needs. Private to timestamp.cpp.
#pragma once

#include <openssl/pkcs7.h>
#include <openssl/ts.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/openssl_ptr.hpp"
#include "sign/detail/trusted_root_time.hpp"  // format_sigstore_time
#include "sign/trusted_root.hpp"

namespace sigil::sign::detail {

using Pkcs7Ptr = std::unique_ptr<PKCS7, sigil::detail::OpensslDeleter<PKCS7_free>>;
using TstInfoPtr = std::unique_ptr<TS_TST_INFO, sigil::detail::OpensslDeleter<TS_TST_INFO_free>>;

/// A parsed TimeStampToken (CMS SignedData over a TSTInfo) and what its TSTInfo states.
struct TimestampToken {
  Pkcs7Ptr pkcs7;
  TstInfoPtr info;
  SigstoreTime gen_time;           ///< genTime truncated to seconds
  bool gen_time_fraction = false;  ///< genTime has a non-zero fractional part (it is after gen_time)
  const EVP_MD* imprint_md = nullptr;  ///< hash of the message imprint (SHA-256/384/512 only)
  std::string imprint;                 ///< hashedMessage bytes
};

/// Parses DER `der`: a TimeStampResp whose status is granted (or grantedWithMods), or a bare
/// TimeStampToken. Input error ("timestamp: ...") for bad or trailing DER, a refused response, a
/// token that is not SignedData over a TSTInfo, or an imprint hash other than SHA-256/384/512.
[[nodiscard]] Result<TimestampToken> parse_timestamp_token(std::string_view der);

/// Seconds since the epoch of an ASN1_TIME (UTCTime or GeneralizedTime, fraction dropped).
[[nodiscard]] Result<SigstoreTime> asn1_time_to_sigstore_time(const ASN1_TIME* t);

/// Who signed the token, for error messages: the subject of the matching embedded certificate,
/// else "a certificate issued by <issuer>" from the SignerInfo.
[[nodiscard]] std::string describe_signer(const TimestampToken& token);

/// One-line text of an X.509 name: its commonName when it has one, else the RFC 2253 form.
[[nodiscard]] std::string short_name(const X509_NAME* name);

}  // namespace sigil::sign::detail
