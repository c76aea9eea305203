#include "sign/keyless/detail/timestamp_query.hpp"

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#include <memory>

#include "common/openssl_ptr.hpp"

namespace sigil::sign::keyless::detail {
namespace {

using TsReqPtr = std::unique_ptr<TS_REQ, sigil::detail::OpensslDeleter<TS_REQ_free>>;
using TsRespPtr = std::unique_ptr<TS_RESP, sigil::detail::OpensslDeleter<TS_RESP_free>>;
using ImprintPtr = std::unique_ptr<TS_MSG_IMPRINT, sigil::detail::OpensslDeleter<TS_MSG_IMPRINT_free>>;
using AlgorPtr = std::unique_ptr<X509_ALGOR, sigil::detail::OpensslDeleter<X509_ALGOR_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, sigil::detail::OpensslDeleter<BN_free>>;
using IntegerPtr = std::unique_ptr<ASN1_INTEGER, sigil::detail::OpensslDeleter<ASN1_INTEGER_free>>;

Error network(const std::string& problem) { return Error{ErrorCategory::network, "timestamp authority: " + problem}; }

bool same_string(const ASN1_STRING* a, const ASN1_STRING* b) {
  return a != nullptr && b != nullptr && ASN1_STRING_cmp(a, b) == 0;
}

}  // namespace

Result<std::string> timestamp_query(std::string_view data) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int hash_length = 0;
  unsigned char nonce_bytes[8];
  if (EVP_Digest(data.data(), data.size(), hash, &hash_length, EVP_sha256(), nullptr) != 1 ||
      RAND_bytes(nonce_bytes, sizeof nonce_bytes) != 1) {
    ERR_clear_error();
    return fail(ErrorCategory::internal, "timestamp request: no SHA-256 or no randomness");
  }
  nonce_bytes[0] &= 0x7f;  // a positive INTEGER without a leading zero byte
  TsReqPtr request(TS_REQ_new());
  ImprintPtr imprint(TS_MSG_IMPRINT_new());
  AlgorPtr algorithm(X509_ALGOR_new());
  BignumPtr nonce_bn(BN_bin2bn(nonce_bytes, sizeof nonce_bytes, nullptr));
  IntegerPtr nonce(nonce_bn ? BN_to_ASN1_INTEGER(nonce_bn.get(), nullptr) : nullptr);
  const bool built = request && imprint && algorithm && nonce &&
                     X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) == 1 &&
                     TS_MSG_IMPRINT_set_algo(imprint.get(), algorithm.get()) == 1 &&
                     TS_MSG_IMPRINT_set_msg(imprint.get(), hash, static_cast<int>(hash_length)) == 1 &&
                     TS_REQ_set_version(request.get(), 1) == 1 &&
                     TS_REQ_set_msg_imprint(request.get(), imprint.get()) == 1 &&
                     TS_REQ_set_nonce(request.get(), nonce.get()) == 1 && TS_REQ_set_cert_req(request.get(), 1) == 1;
  const int length = built ? i2d_TS_REQ(request.get(), nullptr) : -1;
  if (length <= 0) {
    ERR_clear_error();
    return fail(ErrorCategory::internal, "timestamp request: cannot encode the TimeStampReq");
  }
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_TS_REQ(request.get(), &out);
  return der;
}

Result<void> match_timestamp_reply(std::string_view response_der, std::string_view request_der) {
  const auto* request_bytes = reinterpret_cast<const unsigned char*>(request_der.data());
  TsReqPtr request(d2i_TS_REQ(nullptr, &request_bytes, static_cast<long>(request_der.size())));
  if (!request) {
    ERR_clear_error();
    return fail(ErrorCategory::internal, "timestamp request: cannot re-read the TimeStampReq");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(response_der.data());
  TsRespPtr response(d2i_TS_RESP(nullptr, &bytes, static_cast<long>(response_der.size())));
  if (!response || bytes != reinterpret_cast<const unsigned char*>(response_der.data()) + response_der.size()) {
    ERR_clear_error();
    return std::unexpected(network("answer is not a DER TimeStampResp"));
  }
  const long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(response.get())));
  if (status != 0 && status != 1) {
    return std::unexpected(network("request refused (PKIStatus " + std::to_string(status) + ")"));
  }
  TS_TST_INFO* info = TS_RESP_get_tst_info(response.get());
  if (info == nullptr || TS_RESP_get_token(response.get()) == nullptr) {
    return std::unexpected(network("answer has no timestamp token"));
  }
  TS_MSG_IMPRINT* asked = TS_REQ_get_msg_imprint(request.get());
  TS_MSG_IMPRINT* got = TS_TST_INFO_get_msg_imprint(info);
  if (got == nullptr ||
      OBJ_cmp(TS_MSG_IMPRINT_get_algo(asked)->algorithm, TS_MSG_IMPRINT_get_algo(got)->algorithm) != 0 ||
      !same_string(TS_MSG_IMPRINT_get_msg(asked), TS_MSG_IMPRINT_get_msg(got))) {
    return std::unexpected(network("the timestamp is over another message imprint"));
  }
  const ASN1_INTEGER* nonce = TS_TST_INFO_get_nonce(info);
  if (nonce == nullptr || ASN1_INTEGER_cmp(nonce, TS_REQ_get_nonce(request.get())) != 0) {
    return std::unexpected(network("the timestamp does not echo the request's nonce"));
  }
  return {};
}

}  // namespace sigil::sign::keyless::detail
