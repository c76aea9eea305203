#include "sign/bundle.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/base64.hpp"

namespace sigil::sign {
namespace {

const std::filesystem::path kConformance = SIGIL_SOURCE_DIR "/../shared/testdata/sigstore/conformance";

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(Bundle, MediaTypeSpellings) {
  EXPECT_EQ(bundle_version("application/vnd.dev.sigstore.bundle+json;version=0.1"), BundleVersion::v0_1);
  EXPECT_EQ(bundle_version("application/vnd.dev.sigstore.bundle+json;version=0.2"), BundleVersion::v0_2);
  EXPECT_EQ(bundle_version("application/vnd.dev.sigstore.bundle+json;version=0.3"), BundleVersion::v0_3);
  EXPECT_EQ(bundle_version("application/vnd.dev.sigstore.bundle.v0.3+json"), BundleVersion::v0_3);
  EXPECT_EQ(bundle_version("application/vnd.dev.sigstore.bundle.v0.2+json"), BundleVersion::v0_2);
  for (const char* bad : {"application/vnd.dev.sigstore.bundle+json;version=99.9",
                          "application/vnd.dev.sigstore.bundle.v0.4+json", "application/json", ""}) {
    auto version = bundle_version(bad);
    ASSERT_FALSE(version) << bad;
    EXPECT_EQ(version.error().category, ErrorCategory::input);
  }
}

// A key-signed v0.3 bundle exactly as cosign v3 writes it (sign-blob --key, no transparency log).
constexpr const char* kKeyBundle =
    R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":)"
    R"({"publicKey":{"hint":"TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk="}},"messageSignature":)"
    R"({"messageDigest":{"algorithm":"SHA2_256","digest":"oM/HEnHW4njlfNMy/5V8P3BD/do1TEy7GQow1W76Ab8="},)"
    R"("signature":"MEUCIHMEx9zaO/w0VL4noJKU3GuDRssrIjq1noNrBKL6z70GAiEAn7kUe3W8h6dPbe4xGGbVnHi+RfijQ6TT20Glibct+AQ="}})";

TEST(Bundle, KeySignedV03RoundTripsByteForByte) {
  auto bundle = parse_bundle(kKeyBundle);
  ASSERT_TRUE(bundle) << bundle.error().message;
  EXPECT_EQ(bundle->version, BundleVersion::v0_3);
  EXPECT_EQ(bundle->material, MaterialKind::public_key);
  EXPECT_EQ(bundle->public_key_hint, "TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=");
  const auto* message = std::get_if<MessageSignature>(&bundle->content);
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(message->digest_algorithm, "SHA2_256");
  EXPECT_EQ(message->digest.size(), 32u);
  EXPECT_EQ(message->signature.substr(0, 2), "\x30\x45");
  EXPECT_EQ(serialize_bundle(*bundle), kKeyBundle);
}

TEST(Bundle, BuiltBundleSerializesInProtobufOrder) {
  Bundle bundle;
  bundle.media_type = std::string(kBundleMediaTypeV03);
  bundle.public_key_hint = "hint";
  bundle.content = MessageSignature{"SHA2_256", std::string(32, 'a'), "sig"};
  EXPECT_EQ(serialize_bundle(bundle),
            R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":)"
            R"({"publicKey":{"hint":"hint"}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256",)"
            R"("digest":"YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE="},"signature":"c2ln"}})");
  bundle.content = Envelope{"application/vnd.in-toto+json", "{}", {{"", "sig", false}}};
  bundle.material = MaterialKind::certificate;
  bundle.certificate = "der";
  EXPECT_EQ(serialize_bundle(bundle),
            R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":)"
            R"({"certificate":{"rawBytes":"ZGVy"}},"dsseEnvelope":{"payload":"e30=",)"
            R"("payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"c2ln"}]}})");
}

TEST(Bundle, MalformedBundlesAreInputErrors) {
  const std::string good = kKeyBundle;
  const std::string cases[] = {
      "",
      good.substr(0, good.size() / 2),
      "[]",
      R"({"verificationMaterial":{"publicKey":{}},"messageSignature":{"signature":"c2ln"}})",
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","messageSignature":{"signature":"c2ln"}})",
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{}, "messageSignature":{"signature":"c2ln"}})",
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}}})",
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}},"messageSignature":{"signature":"!!"}})",
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}},"messageSignature":{}})",
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}},"messageSignature":{"messageDigest":{"algorithm":"MD5","digest":"c2ln"},"signature":"c2ln"}})",
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"x509CertificateChain":{"certificates":[]}},"messageSignature":{"signature":"c2ln"}})",
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"certificate":{"rawBytes":""}},"messageSignature":{"signature":"c2ln"}})",
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{},"tlogEntries":{}},"messageSignature":{"signature":"c2ln"}})",
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}},"messageSignature":{"signature":"c2ln"},"dsseEnvelope":{}})",
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}},"dsseEnvelope":{"payload":"e30="}})",
  };
  for (const std::string& text : cases) {
    auto parsed = parse_bundle(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().category, ErrorCategory::input) << text;
    EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos) << parsed.error().message;
  }
}

// Every conformance bundle parses, except those whose failure is structural.
TEST(Bundle, ParsesEveryConformanceBundle) {
  ASSERT_TRUE(std::filesystem::is_directory(kConformance)) << "no conformance data at " << kConformance;
  const std::map<std::string, std::string> structural = {
      {"bundle-malformed-json_fail", "invalid JSON"},
      {"bundle-unknown-version_fail", "unsupported media type"},
      {"bundle-invalid-base64-signature_fail", "signature is not base64"},
      {"bundle-empty-certificate-chain_fail", "no certificates"}};
  int parsed_count = 0;
  int refused_count = 0;
  int exact_count = 0;
  const std::set<std::string> go_written = {"happy-path-v0.3", "managed-key-happy-path",
                                            "managed-key-and-trusted-root", "rekor2-happy-path",
                                            "happy-path-v0.3-new-mediaType"};
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(kConformance, ec)) {
    const auto path = entry.path() / "bundle.sigstore.json";
    if (!std::filesystem::exists(path)) continue;
    const std::string name = entry.path().filename().string();
    const std::string text = slurp(path);
    auto bundle = parse_bundle(text);
    if (auto expected = structural.find(name); expected != structural.end()) {
      ASSERT_FALSE(bundle) << name;
      EXPECT_EQ(bundle.error().category, ErrorCategory::input) << name;
      EXPECT_NE(bundle.error().message.find(expected->second), std::string::npos) << bundle.error().message;
      ++refused_count;
      continue;
    }
    ASSERT_TRUE(bundle) << name << ": " << bundle.error().message;
    // Serializing keeps every member ...
    const std::string written = serialize_bundle(*bundle);
    EXPECT_EQ(Json::parse(written), Json::parse(text)) << name;
    // ... and gives back the document byte for byte when it was written in Go's field order
    // (cosign, sigstore-go); other clients put verificationMaterial.certificate last.
    if (written == nlohmann::ordered_json::parse(text).dump()) {
      ++exact_count;
    } else {
      EXPECT_FALSE(go_written.contains(name)) << name;
    }
    auto again = parse_bundle(serialize_bundle(*bundle));
    ASSERT_TRUE(again) << name;
    EXPECT_EQ(again->certificate, bundle->certificate) << name;
    EXPECT_EQ(again->certificate_chain, bundle->certificate_chain) << name;
    EXPECT_EQ(again->tlog_entries, bundle->tlog_entries) << name;
    EXPECT_EQ(again->content.index(), bundle->content.index()) << name;
    ++parsed_count;
  }
  std::cout << "conformance bundles parsed: " << parsed_count << ", refused as malformed: " << refused_count
            << ", re-serialized byte for byte: " << exact_count << "\n";
  EXPECT_GE(parsed_count, 60);
  EXPECT_EQ(refused_count, 4);
  EXPECT_GE(exact_count, 50);
}

}  // namespace
}  // namespace sigil::sign
