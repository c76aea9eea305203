// Rekor v1 client: proposed hashedrekord/dsse entries, and the conversion of Rekor's answer into a
// bundle TransparencyLogEntry (hex → base64, kindVersion from the logged body, int64 as strings).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"
#include "sign/keyless/rekor_client.hpp"
#include "sign/signer.hpp"
#include "support/http_stub.hpp"
#include "support/test_pki.hpp"

namespace sigil::sign::keyless {
namespace {

using test::HttpStub;
using test::StubRequest;
using test::StubResponse;

std::string der_of_pem(const std::string& pem) {
  std::string body;
  std::size_t start = pem.find('\n') + 1;
  std::size_t end = pem.find("-----END");
  for (char c : pem.substr(start, end - start)) {
    if (c != '\n') body += c;
  }
  return *base64_decode(body);
}

Bundle keyless_bundle(bool dsse) {
  KeySigner signer(*generate_private_key(KeyAlgorithm::ecdsa_p256));
  auto bundle = dsse ? sign_dsse_bundle(signer, "application/vnd.in-toto+json", R"({"_type":"x"})")
                     : sign_message_bundle(signer, "artifact");
  test::TestCa ca;
  bundle->material = MaterialKind::certificate;
  bundle->certificate = der_of_pem(ca.cert_pem());
  return *bundle;
}

// What Rekor v1 answers for a created entry (values as Rekor writes them: hex hashes, numbers).
std::string rekor_answer(const std::string& body_json) {
  nlohmann::json entry = {
      {"body", base64_encode(body_json)},
      {"integratedTime", 1700000000},
      {"logID", "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"},
      {"logIndex", 42},
      {"verification",
       {{"inclusionProof",
         {{"checkpoint", "rekor.example - 1\n43\nAAAA\n\n— rekor.example abc=\n"},
          {"hashes", {"00ff", "ff00"}},
          {"logIndex", 41},
          {"rootHash", "0102"},
          {"treeSize", 43}}},
        {"signedEntryTimestamp", "U0VU"}}}};
  return nlohmann::json{{"24296fb24b8ad77a", entry}}.dump();
}

TEST(RekorClient, ProposesHashedrekordForMessagesAndDsseForEnvelopes) {
  auto message = proposed_entry(keyless_bundle(false));
  ASSERT_TRUE(message) << message.error().message;
  EXPECT_EQ((*message)["kind"], "hashedrekord");
  EXPECT_EQ((*message)["apiVersion"], "0.0.1");
  EXPECT_EQ((*message)["spec"]["data"]["hash"]["algorithm"], "sha256");
  EXPECT_EQ((*message)["spec"]["data"]["hash"]["value"].get<std::string>().size(), 64u);
  const auto pem = base64_decode((*message)["spec"]["signature"]["publicKey"]["content"].get<std::string>());
  ASSERT_TRUE(pem);
  EXPECT_TRUE(pem->starts_with("-----BEGIN CERTIFICATE-----")) << *pem;

  auto dsse = proposed_entry(keyless_bundle(true));
  ASSERT_TRUE(dsse) << dsse.error().message;
  EXPECT_EQ((*dsse)["kind"], "dsse");
  const auto envelope = nlohmann::json::parse((*dsse)["spec"]["proposedContent"]["envelope"].get<std::string>());
  EXPECT_EQ(envelope["payloadType"], "application/vnd.in-toto+json");
  EXPECT_EQ((*dsse)["spec"]["proposedContent"]["verifiers"].size(), 1u);

  Bundle keyed = keyless_bundle(false);
  keyed.material = MaterialKind::public_key;
  auto refused = proposed_entry(keyed);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("no signing certificate"), std::string::npos);
}

TEST(RekorClient, ConvertsTheAnswerAsSigstoreGoWritesTlogEntries) {
  auto entry = tlog_entry_from_response(rekor_answer(R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}})"));
  ASSERT_TRUE(entry) << entry.error().message;
  EXPECT_EQ(entry->dump(),
            nlohmann::ordered_json::parse(R"({
      "logIndex": "42",
      "logId": {"keyId": "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="},
      "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
      "integratedTime": "1700000000",
      "inclusionPromise": {"signedEntryTimestamp": "U0VU"},
      "inclusionProof": {"logIndex": "41", "rootHash": "AQI=", "treeSize": "43", "hashes": ["AP8=", "/wA="],
                         "checkpoint": {"envelope": "rekor.example - 1\n43\nAAAA\n\n— rekor.example abc=\n"}},
      "canonicalizedBody": "eyJhcGlWZXJzaW9uIjoiMC4wLjEiLCJraW5kIjoiaGFzaGVkcmVrb3JkIiwic3BlYyI6e319"
    })").dump());
}

TEST(RekorClient, ServerErrorsAndMalformedAnswersAreOneLineNetworkErrors) {
  const std::string good_body = R"({"apiVersion":"0.0.1","kind":"dsse","spec":{}})";
  auto without = [&](const char* member) {
    auto answer = nlohmann::json::parse(rekor_answer(good_body));
    answer.begin().value().erase(member);
    return answer.dump();
  };
  const std::pair<StubResponse, std::string_view> cases[] = {
      {StubResponse::text(503, "overloaded"), "HTTP 503: overloaded"},
      {StubResponse::text(400, R"({"code":400,"message":"invalid entry"})"), "HTTP 400"},
      {StubResponse::text(201, "<html>"), "answer is not JSON"},
      {StubResponse::text(201, "{}"), "not one {uuid: entry}"},
      {StubResponse::text(201, without("verification")), "no verification"},
      {StubResponse::text(201, without("logIndex")), "\"logIndex\""},
      {StubResponse::text(201, rekor_answer("not json")), "entry.body is not a JSON object"},
  };
  http::Client client;
  const auto entry = proposed_entry(keyless_bundle(false));
  for (const auto& [response, expected] : cases) {
    HttpStub stub([&response = response](const StubRequest&) { return response; });
    auto created = create_log_entry(client, stub.base_url(), *entry);
    ASSERT_FALSE(created) << expected;
    EXPECT_EQ(created.error().category, ErrorCategory::network);
    EXPECT_NE(created.error().message.find(expected), std::string::npos) << created.error().message;
  }
  HttpStub ok([&](const StubRequest& request) {
    if (request.path != "/api/v1/log/entries") return StubResponse::text(404, "");
    return StubResponse::text(201, rekor_answer(good_body), "application/json");
  });
  auto created = create_log_entry(client, ok.base_url(), *entry);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ((*created)["kindVersion"]["kind"], "dsse");
  ASSERT_EQ(ok.requests().size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(ok.requests()[0].body)["kind"], "hashedrekord");
}

}  // namespace
}  // namespace sigil::sign::keyless
