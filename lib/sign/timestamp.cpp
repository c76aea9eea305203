#include "sign/timestamp.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#include "sign/detail/timestamp_authority.hpp"
#include "sign/detail/timestamp_token.hpp"

namespace sigil::sign {

namespace {

using TsReqPtr = std::unique_ptr<TS_REQ, sigil::detail::OpensslDeleter<TS_REQ_free>>;
using ImprintPtr = std::unique_ptr<TS_MSG_IMPRINT, sigil::detail::OpensslDeleter<TS_MSG_IMPRINT_free>>;
using AlgorPtr = std::unique_ptr<X509_ALGOR, sigil::detail::OpensslDeleter<X509_ALGOR_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, sigil::detail::OpensslDeleter<BN_free>>;
using IntegerPtr = std::unique_ptr<ASN1_INTEGER, sigil::detail::OpensslDeleter<ASN1_INTEGER_free>>;

Result<std::string> digest(std::string_view data, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) {
    ERR_clear_error();
    return fail(ErrorCategory::internal, "timestamp: digest failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

// The reason given when no authority verifies: the most specific one any authority reached.
Error refusal(const detail::TimestampToken& token, const detail::AuthorityCheck& best,
              std::size_t authority_count) {
  const std::string when = detail::format_sigstore_time(token.gen_time);
  switch (best.outcome) {
    case detail::AuthorityOutcome::window_outside:
    case detail::AuthorityOutcome::cert_outside:
      return Error{ErrorCategory::denied, "timestamp: time " + when + " outside the authority's validity: " + best.detail};
    case detail::AuthorityOutcome::bad_signature:
      return Error{ErrorCategory::denied,
                   "timestamp: not signed by a trusted timestamp authority: signature does not verify (" +
                       best.detail + ")"};
    case detail::AuthorityOutcome::untrusted:
    case detail::AuthorityOutcome::verified:
      break;
  }
  std::string message = "timestamp: not signed by a trusted timestamp authority (signed by " +
                        detail::describe_signer(token) + ")";
  // With several authorities each has its own reason; with one, its reason is the reason.
  if (authority_count == 1) message += ": " + best.detail;
  return Error{ErrorCategory::denied, std::move(message)};
}

}  // namespace

Result<TimestampFacts> verify_rfc3161_timestamp(std::string_view signed_timestamp, std::string_view signed_data,
                                                const TrustedRoot& root) {
  auto token = detail::parse_timestamp_token(signed_timestamp);
  if (!token) return std::unexpected(token.error());

  auto expected = digest(signed_data, token->imprint_md);
  if (!expected) return std::unexpected(expected.error());
  if (expected->size() != token->imprint.size() ||
      CRYPTO_memcmp(expected->data(), token->imprint.data(), expected->size()) != 0) {
    return fail(ErrorCategory::denied, "timestamp: message imprint does not match the signature");
  }

  if (root.timestamp_authorities.empty()) {
    return fail(ErrorCategory::denied,
                "timestamp: not signed by a trusted timestamp authority (the trusted root lists none)");
  }
  // sigstore-go: the first authority that verifies the token vouches for its time.
  detail::AuthorityCheck best;
  bool have_best = false;
  for (const auto& authority : root.timestamp_authorities) {
    auto check = detail::check_authority(*token, authority);
    if (check.outcome == detail::AuthorityOutcome::verified) {
      return TimestampFacts{token->gen_time, authority.uri};
    }
    if (!have_best || check.outcome > best.outcome) {
      best = std::move(check);
      have_best = true;
    }
  }
  return std::unexpected(refusal(*token, best, root.timestamp_authorities.size()));
}

Result<std::string> make_timestamp_request(std::string_view signed_data) {
  auto hashed = digest(signed_data, EVP_sha256());
  if (!hashed) return std::unexpected(hashed.error());

  TsReqPtr request(TS_REQ_new());
  ImprintPtr imprint(TS_MSG_IMPRINT_new());
  AlgorPtr algorithm(X509_ALGOR_new());
  unsigned char nonce_bytes[8];
  // A random 64-bit nonce lets the client tie the response to this request (RFC 3161 §2.4.1).
  if (!request || !imprint || !algorithm || RAND_bytes(nonce_bytes, sizeof nonce_bytes) != 1) {
    ERR_clear_error();
    return fail(ErrorCategory::internal, "timestamp request: out of memory or no randomness");
  }
  BignumPtr nonce_bn(BN_bin2bn(nonce_bytes, sizeof nonce_bytes, nullptr));
  IntegerPtr nonce(nonce_bn ? BN_to_ASN1_INTEGER(nonce_bn.get(), nullptr) : nullptr);
  // AlgorithmIdentifier with NULL parameters, as `openssl ts -query` writes it.
  const bool built =
      nonce && X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) == 1 &&
      TS_MSG_IMPRINT_set_algo(imprint.get(), algorithm.get()) == 1 &&
      TS_MSG_IMPRINT_set_msg(imprint.get(), reinterpret_cast<unsigned char*>(hashed->data()),
                             static_cast<int>(hashed->size())) == 1 &&
      TS_REQ_set_version(request.get(), 1) == 1 && TS_REQ_set_msg_imprint(request.get(), imprint.get()) == 1 &&
      TS_REQ_set_nonce(request.get(), nonce.get()) == 1 && TS_REQ_set_cert_req(request.get(), 1) == 1;
  const int len = built ? i2d_TS_REQ(request.get(), nullptr) : -1;
  if (len <= 0) {
    ERR_clear_error();
    return fail(ErrorCategory::internal, "timestamp request: cannot encode the TimeStampReq");
  }
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_TS_REQ(request.get(), &out) != len) {
    ERR_clear_error();
    return fail(ErrorCategory::internal, "timestamp request: cannot encode the TimeStampReq");
  }
  return der;
}

}  // namespace sigil::sign
