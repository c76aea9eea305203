#include "sign/dsse.hpp"

#include <gtest/gtest.h>

#include "common/base64.hpp"
#include "common/openssl_ptr.hpp"

namespace sigil::sign {
namespace {

PkeyPtr make_ec() { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

// The test vector published in the DSSE protocol specification.
TEST(Dsse, PaeSpecVector) {
  EXPECT_EQ(pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(pae("", ""), "DSSEv1 0  0 ");
}

// Lengths count bytes, not characters, so multi-byte UTF-8 and NULs are authenticated correctly.
TEST(Dsse, PaeCountsBytes) {
  EXPECT_EQ(pae("t\xc3\xa9", std::string("a\0b", 3)), std::string("DSSEv1 3 t\xc3\xa9 3 a\0b", 18));
}

TEST(Dsse, SignVerifyRoundTripThroughJson) {
  PkeyPtr key = make_ec();
  auto envelope = sign_envelope(key.get(), "application/vnd.in-toto+json", "{\"_type\":\"x\"}");
  ASSERT_TRUE(envelope) << envelope.error().message;
  EXPECT_TRUE(verify_envelope(key.get(), *envelope));

  const std::string json = serialize_envelope(*envelope);
  EXPECT_EQ(json.rfind("{\"payload\":\"eyJfdHlwZSI6IngifQ==\",\"payloadType\":\"application/vnd.in-toto+json\","
                       "\"signatures\":[{\"sig\":\"",
                       0),
            0u)
      << json;
  EXPECT_EQ(json.find("keyid"), std::string::npos);
  auto parsed = parse_envelope(json);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->payload, envelope->payload);
  EXPECT_EQ(parsed->payload_type, envelope->payload_type);
  ASSERT_EQ(parsed->signatures.size(), 1u);
  EXPECT_EQ(parsed->signatures[0].sig, envelope->signatures[0].sig);
  EXPECT_TRUE(verify_envelope(key.get(), *parsed));
}

TEST(Dsse, KeyidIsWrittenWhenSet) {
  PkeyPtr key = make_ec();
  auto envelope = sign_envelope(key.get(), "t", "p", "my-key");
  ASSERT_TRUE(envelope);
  const std::string json = serialize_envelope(*envelope);
  EXPECT_NE(json.find("\",\"keyid\":\"my-key\"}]"), std::string::npos) << json;
  auto parsed = parse_envelope(json);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->signatures[0].keyid, "my-key");
}

TEST(Dsse, OciLayerStyleMatchesCosign) {
  Envelope envelope{"application/vnd.in-toto+json", "hi", {{"", "sig", false}}};
  const std::string json = serialize_envelope_for_oci_layer(envelope);
  EXPECT_EQ(json, R"({"payloadType":"application/vnd.in-toto+json","payload":"aGk=",)"
                  R"("signatures":[{"keyid":"","sig":"c2ln"}]})");
  auto parsed = parse_envelope(json);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->payload, "hi");
}

// An explicit empty keyid (older sigstore writers) survives a round trip; a new envelope omits it.
TEST(Dsse, EmptyKeyidPresenceRoundTrips) {
  const std::string with = R"({"payload":"aGk=","payloadType":"t","signatures":[{"sig":"aGk=","keyid":""}]})";
  auto parsed = parse_envelope(with);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->signatures[0].write_empty_keyid);
  EXPECT_EQ(serialize_envelope(*parsed), with);
  const std::string without = R"({"payload":"aGk=","payloadType":"t","signatures":[{"sig":"aGk="}]})";
  auto bare = parse_envelope(without);
  ASSERT_TRUE(bare);
  EXPECT_EQ(serialize_envelope(*bare), without);
}

TEST(Dsse, TamperedPayloadTypeOrPayloadIsDenied) {
  PkeyPtr key = make_ec();
  auto envelope = sign_envelope(key.get(), "application/vnd.in-toto+json", "body");
  ASSERT_TRUE(envelope);
  Envelope changed_type = *envelope;
  changed_type.payload_type = "application/json";
  auto result = verify_envelope(key.get(), changed_type);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::denied);
  Envelope changed_body = *envelope;
  changed_body.payload += "!";
  EXPECT_FALSE(verify_envelope(key.get(), changed_body));
  PkeyPtr other = make_ec();
  EXPECT_FALSE(verify_envelope(other.get(), *envelope));
}

TEST(Dsse, AnyOneSignatureSuffices) {
  PkeyPtr key = make_ec();
  PkeyPtr other = make_ec();
  auto mine = sign_envelope(key.get(), "t", "p");
  auto theirs = sign_envelope(other.get(), "t", "p");
  ASSERT_TRUE(mine && theirs);
  Envelope both = *theirs;
  both.signatures.push_back(mine->signatures[0]);
  EXPECT_TRUE(verify_envelope(key.get(), both));
  Envelope none = *theirs;
  none.signatures.push_back(theirs->signatures[0]);
  auto result = verify_envelope(key.get(), none);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::denied);
  Envelope empty{"t", "p", {}};
  auto no_sigs = verify_envelope(key.get(), empty);
  ASSERT_FALSE(no_sigs);
  EXPECT_EQ(no_sigs.error().category, ErrorCategory::input);
}

TEST(Dsse, UrlSafeBase64IsAccepted) {
  // 0xfb 0xff encodes to "+/8=" standard and "-_8" URL-safe.
  auto parsed = parse_envelope(
      R"({"payload":"-_8","payloadType":"t","signatures":[{"keyid":"k","sig":"-_8"}]})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->payload, "\xfb\xff");
  EXPECT_EQ(parsed->signatures[0].sig, "\xfb\xff");
}

TEST(Dsse, MalformedEnvelopesAreInputErrors) {
  const char* cases[] = {
      "",
      "{",
      "[]",
      R"({"payloadType":"t","signatures":[]})",
      R"({"payload":"aGk=","signatures":[]})",
      R"({"payload":"aGk=","payloadType":"t"})",
      R"({"payload":"a$Gk","payloadType":"t","signatures":[]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"sig":"%%%"}]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"sig":""}]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":1,"sig":"aGk="}]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":["aGk="]})",
      R"({"payload":1,"payloadType":"t","signatures":[]})",
  };
  for (const char* text : cases) {
    auto parsed = parse_envelope(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().category, ErrorCategory::input) << text;
    EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos);
  }
}

TEST(Dsse, TooManySignaturesRefused) {
  std::string json = R"({"payload":"aGk=","payloadType":"t","signatures":[)";
  for (int i = 0; i < 65; ++i) json += std::string(i ? "," : "") + R"({"sig":"aGk="})";
  json += "]}";
  auto parsed = parse_envelope(json);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("signatures"), std::string::npos);
}

}  // namespace
}  // namespace sigil::sign
