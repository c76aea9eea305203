// Converting cosign's legacy keyless `.sig` annotations (certificate, chain, Rekor bundle, RFC 3161
// timestamp) to the bundle v0.1 they amount to: the fields the tlog verifier checks the SET over
// come across unchanged, the chain annotation is not trusted, and every malformed annotation is an
// input error naming it.
#include <gtest/gtest.h>

#include <optional>
#include <variant>

#include "common/base64.hpp"
#include "common/json.hpp"
#include "oci/digest.hpp"
#include "sign/detail/cosign_keyless_legacy.hpp"

namespace sigil::sign::detail {
namespace {

using Ordered = nlohmann::ordered_json;

const std::string kBody = R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}})";

std::string pem(std::string_view der) {
  std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END CERTIFICATE-----\n";
}

oci::Annotations annotations() {
  oci::Annotations a;
  a[std::string(kCosignCertificateAnnotation)] = pem("leaf-der-bytes");
  a[std::string(kCosignChainAnnotation)] = pem("root-der-bytes");
  a[std::string(kCosignRekorBundleAnnotation)] =
      R"({"SignedEntryTimestamp":"c2V0","Payload":{"body":")" + base64_encode(kBody) +
      R"(","integratedTime":1700000000,"logIndex":42,"logID":"c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"}})";
  return a;
}

TEST(CosignKeylessLegacy, ConvertsToABundleV01WithOneTlogEntry) {
  EXPECT_TRUE(has_legacy_certificate(annotations()));
  EXPECT_FALSE(has_legacy_certificate({}));
  auto bundle = legacy_signature_bundle(annotations(), "payload", "sig");
  ASSERT_TRUE(bundle) << bundle.error().message;
  EXPECT_EQ(bundle->version, BundleVersion::v0_1);
  ASSERT_EQ(bundle->material, MaterialKind::certificate_chain);
  // Only the leaf: the chain annotation (which holds the root) is never trusted.
  ASSERT_EQ(bundle->certificate_chain.size(), 1u);
  EXPECT_EQ(bundle->certificate_chain[0], "leaf-der-bytes");
  const auto& message = std::get<MessageSignature>(bundle->content);
  EXPECT_EQ(message.signature, "sig");
  EXPECT_EQ(message.digest_algorithm, "SHA2_256");
  EXPECT_EQ(base64_encode(message.digest), "I59Z7VXnN8dxR89VrQwbAwttfudIp0JpUvm4UtWpNeU=");  // sha256("payload")
  ASSERT_EQ(bundle->tlog_entries.size(), 1u);
  const Ordered& entry = bundle->tlog_entries[0];
  EXPECT_EQ(entry["logIndex"], "42");
  EXPECT_EQ(entry["integratedTime"], "1700000000");
  EXPECT_EQ(entry["logId"]["keyId"], "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=");
  EXPECT_EQ(entry["kindVersion"]["kind"], "hashedrekord");
  EXPECT_EQ(entry["kindVersion"]["version"], "0.0.1");
  EXPECT_EQ(entry["inclusionPromise"]["signedEntryTimestamp"], "c2V0");
  EXPECT_EQ(entry["canonicalizedBody"], base64_encode(kBody));
  EXPECT_FALSE(entry.contains("inclusionProof"));
  EXPECT_TRUE(bundle->timestamp_verification_data.is_null());

  auto a = annotations();
  a[std::string(kCosignTimestampAnnotation)] = R"({"SignedRFC3161Timestamp":"dHN0"})";
  auto stamped = legacy_signature_bundle(a, "payload", "sig");
  ASSERT_TRUE(stamped) << stamped.error().message;
  EXPECT_EQ(stamped->timestamp_verification_data["rfc3161Timestamps"][0]["signedTimestamp"], "dHN0");
}

TEST(CosignKeylessLegacy, MalformedAnnotationsAreInputErrorsNamingThem) {
  struct Case {
    std::string name;
    std::string key;
    std::optional<std::string> value;  // nullopt: removed
    std::string expected;
  };
  const std::string rekor(kCosignRekorBundleAnnotation);
  const std::vector<Case> cases = {
      {"no certificate", std::string(kCosignCertificateAnnotation), std::nullopt, "certificate: is missing"},
      {"certificate not PEM", std::string(kCosignCertificateAnnotation), "not pem", "not a PEM certificate"},
      {"no Rekor bundle", rekor, std::nullopt, "offline"},
      {"Rekor bundle not JSON", rekor, "{", rekor},
      {"Rekor bundle an array", rekor, "[]", "not a JSON object"},
      {"no SET", rekor, R"({"Payload":{}})", "no SignedEntryTimestamp"},
      {"SET not base64", rekor, R"({"SignedEntryTimestamp":"@@","Payload":{}})", "not base64"},
      {"no payload", rekor, R"({"SignedEntryTimestamp":"c2V0"})", "no Payload"},
      {"body not base64", rekor, R"({"SignedEntryTimestamp":"c2V0","Payload":{"body":"@@"}})", "Payload.body"},
      {"body without kind", rekor,
       R"({"SignedEntryTimestamp":"c2V0","Payload":{"body":")" + base64_encode("{}") + R"("}})", "kind and apiVersion"},
      {"time a string", rekor,
       R"({"SignedEntryTimestamp":"c2V0","Payload":{"body":")" + base64_encode(kBody) +
           R"(","integratedTime":"1","logIndex":1,"logID":"00"}})",
       "integratedTime"},
      {"log id not hex", rekor,
       R"({"SignedEntryTimestamp":"c2V0","Payload":{"body":")" + base64_encode(kBody) +
           R"(","integratedTime":1,"logIndex":1,"logID":"zz"}})",
       "logID"},
      {"timestamp not JSON", std::string(kCosignTimestampAnnotation), "x", std::string(kCosignTimestampAnnotation)},
      {"timestamp without token", std::string(kCosignTimestampAnnotation), "{}", "SignedRFC3161Timestamp"},
  };
  for (const auto& c : cases) {
    auto a = annotations();
    if (c.value) {
      a[c.key] = *c.value;
    } else {
      a.erase(c.key);
    }
    auto bundle = legacy_signature_bundle(a, "payload", "sig");
    ASSERT_FALSE(bundle) << c.name;
    EXPECT_EQ(bundle.error().category, ErrorCategory::input) << c.name;
    EXPECT_NE(bundle.error().message.find(c.expected), std::string::npos) << c.name << ": " << bundle.error().message;
    EXPECT_EQ(bundle.error().message.find('\n'), std::string::npos) << c.name;
  }
}

}  // namespace
}  // namespace sigil::sign::detail
