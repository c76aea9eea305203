#include "sign/detail/timestamp_token.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <chrono>
#include <ctime>

namespace sigil::sign::detail {

namespace {

using TsRespPtr = std::unique_ptr<TS_RESP, sigil::detail::OpensslDeleter<TS_RESP_free>>;

// A TimeStampResp is a few KiB (token, chain); anything far larger is not one.
constexpr std::size_t kMaxTimestampBytes = 1024 * 1024;

Result<SigstoreTime> tm_to_time(const std::tm& tm) {
  using namespace std::chrono;
  const year_month_day ymd{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                           day{static_cast<unsigned>(tm.tm_mday)}};
  if (!ymd.ok()) return fail(ErrorCategory::input, "invalid date");
  return sys_days{ymd} + hours{tm.tm_hour} + minutes{tm.tm_min} + seconds{tm.tm_sec};
}

// GeneralizedTime may carry a fraction ("20250612120220.5Z"); OpenSSL's tm drops it, but a
// genTime of end+0.5s lies after an inclusive end, as sigstore-go (full precision) sees it.
bool has_nonzero_fraction(const ASN1_GENERALIZEDTIME* t) {
  const auto* data = ASN1_STRING_get0_data(t);
  const int len = ASN1_STRING_length(t);
  bool in_fraction = false;
  for (int i = 0; i < len; ++i) {
    const unsigned char c = data[i];
    if (c == '.' || c == ',') {
      in_fraction = true;
    } else if (in_fraction) {
      if (c < '0' || c > '9') break;
      if (c != '0') return true;
    }
  }
  return false;
}

const EVP_MD* imprint_digest(int nid) {
  switch (nid) {
    case NID_sha256: return EVP_sha256();
    case NID_sha384: return EVP_sha384();
    case NID_sha512: return EVP_sha512();
    default: return nullptr;
  }
}

// Parses the DER as a TimeStampResp; nullptr (not an error) when it is not one.
Result<Pkcs7Ptr> token_from_response(const unsigned char* der, long len) {
  const unsigned char* p = der;
  TsRespPtr resp(d2i_TS_RESP(nullptr, &p, len));
  if (!resp) return Pkcs7Ptr{};
  if (p != der + len) return fail(ErrorCategory::input, "timestamp: trailing data after the TimeStampResp");
  const long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp.get())));
  // PKIStatus granted (0) and grantedWithMods (1) carry a token; everything else is a refusal.
  if (status != 0 && status != 1) {
    return fail(ErrorCategory::input,
                "timestamp: the authority refused the request (PKIStatus " + std::to_string(status) + ")");
  }
  PKCS7* token = TS_RESP_get_token(resp.get());
  if (token == nullptr) return fail(ErrorCategory::input, "timestamp: granted response without a token");
  Pkcs7Ptr copy(PKCS7_dup(token));
  if (!copy) return fail(ErrorCategory::internal, "timestamp: out of memory");
  return copy;
}

}  // namespace

Result<TimestampToken> parse_timestamp_token(std::string_view der) {
  if (der.empty()) return fail(ErrorCategory::input, "timestamp: empty");
  if (der.size() > kMaxTimestampBytes) {
    return fail(ErrorCategory::input, "timestamp: larger than " + std::to_string(kMaxTimestampBytes) + " bytes");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  const long len = static_cast<long>(der.size());

  auto from_response = token_from_response(bytes, len);
  ERR_clear_error();
  if (!from_response) return std::unexpected(from_response.error());
  TimestampToken out;
  out.pkcs7 = std::move(*from_response);
  if (!out.pkcs7) {
    // Bundles may also carry the bare TimeStampToken (a CMS ContentInfo).
    const unsigned char* p = bytes;
    out.pkcs7.reset(d2i_PKCS7(nullptr, &p, len));
    ERR_clear_error();
    if (!out.pkcs7) return fail(ErrorCategory::input, "timestamp: not a DER TimeStampResp or TimeStampToken");
    if (p != bytes + len) return fail(ErrorCategory::input, "timestamp: trailing data after the TimeStampToken");
  }

  out.info.reset(PKCS7_to_TS_TST_INFO(out.pkcs7.get()));
  ERR_clear_error();
  if (!out.info) return fail(ErrorCategory::input, "timestamp: token is not CMS SignedData over a TSTInfo");
  if (TS_TST_INFO_get_version(out.info.get()) != 1) {
    return fail(ErrorCategory::input, "timestamp: TSTInfo version is not 1");
  }

  const ASN1_GENERALIZEDTIME* gen_time = TS_TST_INFO_get_time(out.info.get());
  std::tm tm{};
  if (gen_time == nullptr || ASN1_TIME_to_tm(gen_time, &tm) != 1) {
    ERR_clear_error();
    return fail(ErrorCategory::input, "timestamp: invalid genTime");
  }
  auto when = tm_to_time(tm);
  if (!when) return fail(ErrorCategory::input, "timestamp: invalid genTime");
  out.gen_time = *when;
  out.gen_time_fraction = has_nonzero_fraction(gen_time);

  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(out.info.get());
  const ASN1_OBJECT* algorithm = nullptr;
  X509_ALGOR_get0(&algorithm, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
  const int nid = OBJ_obj2nid(algorithm);
  out.imprint_md = imprint_digest(nid);
  if (out.imprint_md == nullptr) {
    const char* name = nid == NID_undef ? nullptr : OBJ_nid2sn(nid);
    return fail(ErrorCategory::input, std::string("timestamp: message imprint hash ") +
                                          (name != nullptr ? name : "(unknown)") +
                                          " not supported (SHA-256, SHA-384, SHA-512)");
  }
  const ASN1_OCTET_STRING* hashed = TS_MSG_IMPRINT_get_msg(imprint);
  out.imprint.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(hashed)),
                     static_cast<std::size_t>(ASN1_STRING_length(hashed)));
  if (out.imprint.size() != static_cast<std::size_t>(EVP_MD_get_size(out.imprint_md))) {
    return fail(ErrorCategory::input, "timestamp: message imprint has the wrong length for its hash");
  }
  return out;
}

Result<SigstoreTime> asn1_time_to_sigstore_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return fail(ErrorCategory::input, "invalid time");
  }
  return tm_to_time(tm);
}

std::string short_name(const X509_NAME* name) {
  if (name == nullptr) return "(no name)";
  std::string out;
  const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index >= 0) {
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
    if (n >= 0) out = "CN=" + std::string(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
  }
  if (out.empty()) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (bio && X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) >= 0) {
      char* data = nullptr;
      const long n = BIO_get_mem_data(bio.get(), &data);
      if (n > 0) out.assign(data, static_cast<std::size_t>(n));
    }
  }
  ERR_clear_error();
  // Names come from untrusted tokens: errors stay on one line.
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out.empty() ? "(empty name)" : out;
}

std::string describe_signer(const TimestampToken& token) {
  STACK_OF(X509)* signers = PKCS7_get0_signers(token.pkcs7.get(), nullptr, 0);
  std::string out;
  if (signers != nullptr && sk_X509_num(signers) > 0) {
    out = short_name(X509_get_subject_name(sk_X509_value(signers, 0)));
  }
  sk_X509_free(signers);
  ERR_clear_error();
  if (!out.empty()) return out;
  STACK_OF(PKCS7_SIGNER_INFO)* infos = PKCS7_get_signer_info(token.pkcs7.get());
  if (infos != nullptr && sk_PKCS7_SIGNER_INFO_num(infos) > 0) {
    const PKCS7_SIGNER_INFO* info = sk_PKCS7_SIGNER_INFO_value(infos, 0);
    if (info->issuer_and_serial != nullptr) {
      return "a certificate issued by " + short_name(info->issuer_and_serial->issuer);
    }
  }
  return "an unknown certificate";
}

}  // namespace sigil::sign::detail
