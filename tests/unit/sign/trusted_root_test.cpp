// trusted_root.json parsing: Sigstore's public-good root and every conformance root load (the one
// whose tlog lacks validFor.start is refused, naming the log); broken documents are refused with
// one-line input errors naming the member; Sigstore times parse to the second.
#include "sign/trusted_root.hpp"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <filesystem>

#include "common/base64.hpp"
#include "common/file.hpp"
#include "common/json.hpp"

namespace sigil::sign {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono;

const fs::path kSigstore = SIGIL_SOURCE_DIR "/../shared/testdata/sigstore";

// Upstream data is optional on a laptop and mandatory in CI, where a skip would hide a regression.
#define REQUIRE_SHARED_DATA()                                                                 \
  do {                                                                                        \
    if (!fs::exists(kSigstore / "trusted_root.public-good.json")) {                           \
      if (std::getenv("CI") != nullptr) FAIL() << kSigstore << " is missing";                 \
      GTEST_SKIP() << kSigstore << " is missing (../shared absent)";                          \
    }                                                                                         \
  } while (false)

std::string slurp(const fs::path& path) {
  auto text = read_file(path, 64 << 20);
  EXPECT_TRUE(text) << path;
  return text ? *text : std::string();
}

std::string sha256(std::string_view bytes) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

SigstoreTime utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return SigstoreTime{sys_days(year(y) / mo / d).time_since_epoch() + hours(h) + minutes(mi) + seconds(s)};
}

// A valid P-256 SPKI (Sigstore's public-good Rekor key) for synthetic roots.
constexpr const char* kRekorKey =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/"
    "bY2LhC30M9+RYtw==";

// A minimal valid root with one tlog; tests break one member at a time.
Json minimal_root() {
  return Json{{"mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.1"},
              {"tlogs", Json::array({Json{{"baseUrl", "https://rekor.example"},
                                          {"hashAlgorithm", "SHA2_256"},
                                          {"publicKey", {{"rawBytes", kRekorKey},
                                                         {"keyDetails", "PKIX_ECDSA_P256_SHA_256"},
                                                         {"validFor", {{"start", "2021-01-12T11:53:27Z"}}}}},
                                          {"logId", {{"keyId", "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="}}}}})}};
}

void expect_input_error(const Json& doc, std::string_view needle) {
  auto root = parse_trusted_root(doc.dump());
  ASSERT_FALSE(root) << "accepted: " << doc.dump();
  EXPECT_EQ(root.error().category, ErrorCategory::input);
  EXPECT_NE(root.error().message.find(needle), std::string::npos) << root.error().message;
  EXPECT_EQ(root.error().message.find('\n'), std::string::npos) << root.error().message;
  EXPECT_TRUE(root.error().message.starts_with("trusted root")) << root.error().message;
}

TEST(TrustedRoot, PublicGoodParses) {
  REQUIRE_SHARED_DATA();
  auto root = parse_trusted_root(slurp(kSigstore / "trusted_root.public-good.json"));
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_EQ(root->media_type, "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
  ASSERT_EQ(root->tlogs.size(), 2u);
  ASSERT_EQ(root->ctlogs.size(), 2u);
  ASSERT_EQ(root->certificate_authorities.size(), 2u);
  ASSERT_EQ(root->timestamp_authorities.size(), 1u);

  const TransparencyLog& rekor = root->tlogs[0];
  EXPECT_EQ(rekor.base_url, "https://rekor.sigstore.dev");
  EXPECT_EQ(rekor.hash_algorithm, "SHA2_256");
  EXPECT_EQ(rekor.key_details, "PKIX_ECDSA_P256_SHA_256");
  ASSERT_TRUE(rekor.public_key);
  EXPECT_EQ(rekor.public_key->algorithm(), KeyAlgorithm::ecdsa_p256);
  // Rekor v1 log ids are SHA-256 of the key's SPKI.
  EXPECT_EQ(rekor.log_id, sha256(rekor.public_key_der));
  EXPECT_EQ(rekor.valid_for.start, utc(2021, 1, 12, 11, 53, 27));
  EXPECT_FALSE(rekor.valid_for.end);

  const TransparencyLog& rekor2 = root->tlogs[1];
  EXPECT_EQ(rekor2.key_details, "PKIX_ED25519");
  ASSERT_TRUE(rekor2.public_key);
  EXPECT_EQ(rekor2.public_key->algorithm(), KeyAlgorithm::ed25519);

  EXPECT_EQ(root->find_tlog(rekor.log_id), &root->tlogs[0]);
  EXPECT_EQ(root->find_tlog(rekor2.log_id), &root->tlogs[1]);
  EXPECT_EQ(root->find_tlog("no such log"), nullptr);
  EXPECT_EQ(root->find_ctlog(root->ctlogs[1].log_id), &root->ctlogs[1]);
  EXPECT_EQ(root->find_ctlog(rekor.log_id), nullptr) << "a Rekor log is not a CT log";

  // "2022-10-31T23:59:59.999Z": the fraction is dropped and the end stays inclusive.
  EXPECT_EQ(root->ctlogs[0].valid_for.end, utc(2022, 10, 31, 23, 59, 59));
  EXPECT_TRUE(root->ctlogs[0].valid_for.contains(utc(2022, 10, 31, 23, 59, 59)));
  EXPECT_FALSE(root->ctlogs[0].valid_for.contains(utc(2022, 11, 1, 0, 0, 0)));

  const CertificateAuthority& fulcio = root->certificate_authorities[1];
  EXPECT_EQ(fulcio.uri, "https://fulcio.sigstore.dev");
  EXPECT_EQ(fulcio.subject_organization, "sigstore.dev");
  EXPECT_EQ(fulcio.subject_common_name, "sigstore");
  EXPECT_EQ(fulcio.chain_der.size(), 2u);
  EXPECT_EQ(fulcio.valid_for.start, utc(2022, 4, 13, 20, 6, 15));
  EXPECT_EQ(root->timestamp_authorities[0].chain_der.size(), 2u);
}

TEST(TrustedRoot, EveryConformanceRootParsesExceptTheTlogWithoutStart) {
  REQUIRE_SHARED_DATA();
  int parsed = 0;
  int refused = 0;
  for (const auto& entry : fs::directory_iterator(kSigstore / "conformance")) {
    const fs::path file = entry.path() / "trusted_root.json";
    if (!fs::exists(file)) continue;
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    auto root = parse_trusted_root(slurp(file));
    if (name == "trust-root-tlog-missing-validity-start_fail") {
      ASSERT_FALSE(root);
      EXPECT_EQ(root.error().category, ErrorCategory::input);
      EXPECT_NE(root.error().message.find("validFor.start missing"), std::string::npos) << root.error().message;
      EXPECT_NE(root.error().message.find("https://log2025-alpha1.rekor.sigstage.dev"), std::string::npos)
          << root.error().message;
      ++refused;
      continue;
    }
    ASSERT_TRUE(root) << root.error().message;
    EXPECT_FALSE(root->certificate_authorities.empty() && root->tlogs.empty());
    for (const auto& log : root->tlogs) EXPECT_TRUE(log.public_key && log.valid_for.start) << log.base_url;
    for (const auto& log : root->ctlogs) EXPECT_TRUE(log.public_key && log.valid_for.start) << log.base_url;
    ++parsed;
  }
  EXPECT_EQ(parsed, 37);
  EXPECT_EQ(refused, 1);
}

TEST(TrustedRoot, LoadsThePkcs1RsaKeyOfTheStagingCtLog) {
  REQUIRE_SHARED_DATA();
  auto root = parse_trusted_root(slurp(kSigstore / "conformance/invalid-ct-key_fail/trusted_root.json"));
  ASSERT_TRUE(root) << root.error().message;
  ASSERT_FALSE(root->ctlogs.empty());
  EXPECT_EQ(root->ctlogs[0].key_details, "PKCS1_RSA_PKCS1V5");
  ASSERT_TRUE(root->ctlogs[0].public_key);
  EXPECT_EQ(root->ctlogs[0].public_key->algorithm(), KeyAlgorithm::rsa);
  // Kept as an SPKI like every other key, so its RFC 6962 log id is SHA-256 of public_key_der.
  EXPECT_EQ(root->ctlogs[0].public_key_der, root->ctlogs[0].public_key->to_der());
  EXPECT_TRUE(public_key_from_der(root->ctlogs[0].public_key_der));
  // ".000Z" fractions parse.
  EXPECT_EQ(root->ctlogs[0].valid_for.end, utc(2022, 7, 31, 0, 0, 0));
}

TEST(TrustedRoot, MinimalRootParsesAndRoundTripsMembers) {
  auto root = parse_trusted_root(minimal_root().dump());
  ASSERT_TRUE(root) << root.error().message;
  ASSERT_EQ(root->tlogs.size(), 1u);
  EXPECT_TRUE(root->ctlogs.empty());
  EXPECT_TRUE(root->certificate_authorities.empty());
  EXPECT_EQ(base64_encode(root->tlogs[0].public_key_der), kRekorKey);

  Json v02 = minimal_root();
  v02["mediaType"] = "application/vnd.dev.sigstore.trustedroot.v0.2+json";
  EXPECT_TRUE(parse_trusted_root(v02.dump()));
}

TEST(TrustedRoot, MalformedTruncatedAndWrongTypedJsonAreRefused) {
  for (std::string_view text : {"", "{", "[]", "null", "\"root\"", "{\"mediaType\": 1}"}) {
    auto root = parse_trusted_root(text);
    ASSERT_FALSE(root) << text;
    EXPECT_EQ(root.error().category, ErrorCategory::input);
    EXPECT_EQ(root.error().message.find('\n'), std::string::npos) << root.error().message;
  }
  const std::string full = minimal_root().dump();
  auto truncated = parse_trusted_root(full.substr(0, full.size() / 2));
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.error().message.find("invalid JSON"), std::string::npos) << truncated.error().message;

  Json doc = minimal_root();
  doc["tlogs"] = Json::object();
  expect_input_error(doc, "tlogs is not an array");

  doc = minimal_root();
  doc["tlogs"][0]["baseUrl"] = 42;
  expect_input_error(doc, "\"baseUrl\" is not a string");

  doc = minimal_root();
  doc["tlogs"][0]["publicKey"] = "key";
  expect_input_error(doc, "publicKey is not an object");

  doc = minimal_root();
  doc["certificateAuthorities"] = Json::array({Json{{"uri", "https://ca"}, {"certChain", {{"certificates", 3}}}}});
  expect_input_error(doc, "certificates is not an array");

  doc = minimal_root();
  doc["mediaType"] = "application/vnd.dev.sigstore.trustedroot.v9+json";
  expect_input_error(doc, "unsupported mediaType");
  doc.erase("mediaType");
  expect_input_error(doc, "mediaType missing");
}

TEST(TrustedRoot, BadBase64AndKeysThatDoNotLoadNameTheLog) {
  Json doc = minimal_root();
  doc["tlogs"][0]["publicKey"]["rawBytes"] = "not*base64!";
  expect_input_error(doc, "tlogs[0] (https://rekor.example): publicKey: rawBytes is not valid base64");

  doc = minimal_root();
  doc["tlogs"][0]["logId"]["keyId"] = "%%%";
  expect_input_error(doc, "logId: keyId is not valid base64");

  doc = minimal_root();
  doc["tlogs"][0]["publicKey"]["rawBytes"] = base64_encode(std::string_view("not a key"));
  expect_input_error(doc, "tlogs[0] (https://rekor.example): public key does not load");

  // An ECDSA key declared as Ed25519 is a broken root, not a key to guess about.
  doc = minimal_root();
  doc["tlogs"][0]["publicKey"]["keyDetails"] = "PKIX_ED25519";
  expect_input_error(doc, "keyDetails PKIX_ED25519 but the key is ecdsa-p256");

  doc = minimal_root();
  doc["ctlogs"] = doc["tlogs"];
  doc["ctlogs"][0]["baseUrl"] = "https://ct.example";
  doc["ctlogs"][0]["publicKey"].erase("rawBytes");
  expect_input_error(doc, "ctlogs[0] (https://ct.example): publicKey: rawBytes missing");

  doc = minimal_root();
  doc["certificateAuthorities"] = Json::array(
      {Json{{"uri", "https://ca"}, {"certChain", {{"certificates", Json::array({Json{{"rawBytes", kRekorKey}}})}}}}});
  expect_input_error(doc, "certificateAuthorities[0] (https://ca): certChain.certificates[0]: not a DER X.509 certificate");

  doc = minimal_root();
  doc["timestampAuthorities"] = Json::array({Json{{"uri", "https://tsa"}, {"certChain", {{"certificates", Json::array()}}}}});
  expect_input_error(doc, "timestampAuthorities[0] (https://tsa): certChain.certificates is empty");
}

TEST(TrustedRoot, LogsNeedAValidityStartAndSha256) {
  Json doc = minimal_root();
  doc["tlogs"][0]["publicKey"]["validFor"] = Json::object();
  expect_input_error(doc, "tlogs[0] (https://rekor.example): publicKey.validFor.start missing");

  doc["tlogs"][0]["publicKey"].erase("validFor");
  expect_input_error(doc, "publicKey.validFor missing");

  doc = minimal_root();
  doc["tlogs"][0]["publicKey"]["validFor"] = {{"start", "2021-01-12"}};
  expect_input_error(doc, "invalid time \"2021-01-12\"");

  doc = minimal_root();
  doc["tlogs"][0]["publicKey"]["validFor"] = {{"start", "2022-01-01T00:00:00Z"}, {"end", "2021-01-01T00:00:00Z"}};
  expect_input_error(doc, "validFor ends before it starts");

  doc = minimal_root();
  doc["tlogs"][0]["hashAlgorithm"] = "SHA2_384";
  expect_input_error(doc, "unsupported hashAlgorithm SHA2_384");

  doc = minimal_root();
  doc["tlogs"][0].erase("logId");
  expect_input_error(doc, "logId missing");
}

TEST(SigstoreTime, ParsesRfc3339Utc) {
  EXPECT_EQ(parse_sigstore_time("2021-01-12T11:53:27Z"), utc(2021, 1, 12, 11, 53, 27));
  EXPECT_EQ(parse_sigstore_time("2021-01-12T11:53:27Z")->time_since_epoch().count(), 1610452407);
  EXPECT_EQ(parse_sigstore_time("1970-01-01T00:00:00Z")->time_since_epoch().count(), 0);
  EXPECT_EQ(parse_sigstore_time("2022-10-31T23:59:59.999Z"), utc(2022, 10, 31, 23, 59, 59));
  EXPECT_EQ(parse_sigstore_time("2022-10-31T23:59:59.123456789Z"), utc(2022, 10, 31, 23, 59, 59));
  EXPECT_EQ(parse_sigstore_time("2024-02-29T12:00:00Z"), utc(2024, 2, 29, 12, 0, 0));
  // Offsets, as protobuf's JSON mapping accepts them.
  EXPECT_EQ(parse_sigstore_time("2021-01-12T12:53:27+01:00"), utc(2021, 1, 12, 11, 53, 27));
  EXPECT_EQ(parse_sigstore_time("2021-01-12T06:23:27-05:30"), utc(2021, 1, 12, 11, 53, 27));
}

TEST(SigstoreTime, RefusesAnythingElse) {
  for (std::string_view text :
       {"", "2021-01-12", "2021-01-12T11:53:27", "2021-01-12 11:53:27Z", "2021-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z", "2021-01-12T24:00:00Z", "2021-01-12T11:60:00Z", "2021-01-12T11:53:60Z",
        "2021-01-12T11:53:27.Z", "2021-01-12T11:53:27.1234567890Z", "2021-01-12T11:53:27Zjunk",
        "2021-01-12T11:53:27+0100", "21-01-12T11:53:27Z", "2021-1-12T11:53:27Z", "0000-01-01T00:00:00Z"}) {
    auto time = parse_sigstore_time(text);
    EXPECT_FALSE(time) << text;
    if (!time) {
      EXPECT_EQ(time.error().category, ErrorCategory::input);
      EXPECT_EQ(time.error().message.find('\n'), std::string::npos);
    }
  }
}

TEST(ValidityWindow, BothEndsAreInclusive) {
  const ValidityWindow window{utc(2022, 1, 1, 0, 0, 0), utc(2022, 12, 31, 23, 59, 59)};
  EXPECT_TRUE(window.contains(utc(2022, 1, 1, 0, 0, 0)));
  EXPECT_TRUE(window.contains(utc(2022, 12, 31, 23, 59, 59)));
  EXPECT_FALSE(window.contains(utc(2021, 12, 31, 23, 59, 59)));
  EXPECT_FALSE(window.contains(utc(2023, 1, 1, 0, 0, 0)));
  EXPECT_TRUE(ValidityWindow{}.contains(utc(1999, 1, 1, 0, 0, 0)));
}

TEST(PublicKeyFromDer, LoadsSpkiAndRefusesEverythingElse) {
  auto der = base64_decode(kRekorKey);
  ASSERT_TRUE(der);
  auto key = public_key_from_der(*der);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->algorithm(), KeyAlgorithm::ecdsa_p256);
  EXPECT_EQ(key->to_der(), *der);

  EXPECT_FALSE(public_key_from_der(""));
  EXPECT_FALSE(public_key_from_der("garbage"));
  EXPECT_FALSE(public_key_from_der(*der + "x")) << "trailing bytes after the SPKI";
  EXPECT_FALSE(public_key_from_der(der->substr(0, der->size() - 1)));
  auto bad = public_key_from_der("garbage");
  EXPECT_EQ(bad.error().category, ErrorCategory::input);
}

}  // namespace
}  // namespace sigil::sign
