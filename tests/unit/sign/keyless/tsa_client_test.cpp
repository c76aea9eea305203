// RFC 3161 client: what it sends (a DER TimeStampReq over SHA-256 of the signature, certReq, nonce,
// as application/timestamp-query) and how it refuses bad answers. A granted reply from a real TSA
// is checked in tests/interop/keyless_mock_test.cpp against the local Sigstore.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/ts.h>

#include <memory>

#include "sign/keyless/tsa_client.hpp"
#include "support/http_stub.hpp"

namespace sigil::sign::keyless {
namespace {

using test::HttpStub;
using test::StubRequest;
using test::StubResponse;

std::string rejection_reply() {
  std::unique_ptr<TS_RESP, decltype(&TS_RESP_free)> response(TS_RESP_new(), TS_RESP_free);
  std::unique_ptr<TS_STATUS_INFO, decltype(&TS_STATUS_INFO_free)> status(TS_STATUS_INFO_new(), TS_STATUS_INFO_free);
  TS_STATUS_INFO_set_status(status.get(), 2);  // rejection
  TS_RESP_set_status_info(response.get(), status.get());
  const int length = i2d_TS_RESP(response.get(), nullptr);
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_TS_RESP(response.get(), &out);
  return der;
}

TEST(TsaClient, SendsADerTimeStampReqOverTheSignature) {
  StubRequest seen;
  HttpStub stub([&](const StubRequest& request) {
    seen = request;
    return StubResponse::text(500, "down");
  });
  http::Client client;
  auto reply = request_timestamp(client, stub.base_url() + "/api/v1/timestamp", "signature bytes");
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().category, ErrorCategory::network);
  EXPECT_NE(reply.error().message.find("HTTP 500: down"), std::string::npos) << reply.error().message;

  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/api/v1/timestamp");
  EXPECT_EQ(seen.header("content-type"), "application/timestamp-query");
  const auto* bytes = reinterpret_cast<const unsigned char*>(seen.body.data());
  std::unique_ptr<TS_REQ, decltype(&TS_REQ_free)> request(d2i_TS_REQ(nullptr, &bytes, static_cast<long>(seen.body.size())),
                                                          TS_REQ_free);
  ASSERT_TRUE(request) << "not a DER TimeStampReq";
  EXPECT_EQ(TS_REQ_get_cert_req(request.get()), 1);
  EXPECT_NE(TS_REQ_get_nonce(request.get()), nullptr);
  TS_MSG_IMPRINT* imprint = TS_REQ_get_msg_imprint(request.get());
  EXPECT_EQ(OBJ_obj2nid(TS_MSG_IMPRINT_get_algo(imprint)->algorithm), NID_sha256);
  unsigned char expected[32];
  unsigned int length = 0;
  EVP_Digest("signature bytes", 15, expected, &length, EVP_sha256(), nullptr);
  const ASN1_OCTET_STRING* hashed = TS_MSG_IMPRINT_get_msg(imprint);
  ASSERT_EQ(ASN1_STRING_length(hashed), 32);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(hashed)), 32),
            std::string(reinterpret_cast<const char*>(expected), 32));
}

TEST(TsaClient, RefusesGarbageAndRejections) {
  const std::pair<StubResponse, std::string_view> cases[] = {
      {StubResponse::text(200, "not DER", "application/timestamp-reply"), "not a DER TimeStampResp"},
      {StubResponse::text(200, rejection_reply(), "application/timestamp-reply"), "refused (PKIStatus 2)"},
      {StubResponse::text(400, "bad request"), "HTTP 400"},
  };
  http::Client client;
  for (const auto& [response, expected] : cases) {
    HttpStub stub([&response = response](const StubRequest&) { return response; });
    auto reply = request_timestamp(client, stub.base_url() + "/api/v1/timestamp", "sig");
    ASSERT_FALSE(reply) << expected;
    EXPECT_EQ(reply.error().category, ErrorCategory::network);
    EXPECT_NE(reply.error().message.find(expected), std::string::npos) << reply.error().message;
  }
}

}  // namespace
}  // namespace sigil::sign::keyless
