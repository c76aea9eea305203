// Keyless signing end to end against a local Sigstore (@sigstore/mock's Fulcio, Rekor and TSA on
// loopback, see tests/support/sigstore_mock.hpp): `sigil sign-blob --keyless` and `sigil sign-bundle`
// (message and --in-toto) make bundles that sigstore-js (@sigstore/verify, code sigil did not write)
// verifies with the mock's trusted root and the token's identity. Bad tokens and failing services
// give one error line, exit 2 or 3, and no bundle file. A bundle made by @sigstore/sign against the
// same mock is kept beside sigil's for the keyless verifier's tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"
#include "common/http.hpp"
#include "e2e/run_sigil.hpp"
#include "sign/keyless/detail/timestamp_query.hpp"
#include "sign/keyless/tsa_client.hpp"
#include "support/http_stub.hpp"
#include "support/sigstore_mock.hpp"
#include "support/temp_dir.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

const fs::path kJs = SIGIL_SOURCE_DIR "/tests/interop/js";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}
void spit(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

class KeylessMock : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!SigstoreMock::missing_reason()) mock_ = new SigstoreMock();
  }
  static void TearDownTestSuite() {
    delete mock_;
    mock_ = nullptr;
  }
  void SetUp() override {
    SIGIL_SKIP_WITHOUT_SIGSTORE_MOCK();
    ASSERT_TRUE(mock_->running()) << mock_->failure();
    spit(artifact_, "keyless interop artifact\n");
  }

  std::vector<std::string> endpoint_flags() const {
    return {"--fulcio-url", mock_->base_url(), "--rekor-url", mock_->base_url(), "--tsa-url", mock_->tsa_url()};
  }
  RunResult node(const std::string& script, const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {SigstoreMock::node().string(), (kJs / script).string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, std::chrono::seconds(60), {"SIGIL_NODE_TOOLS=" + SigstoreMock::tools().string()});
  }
  RunResult node_verify(const fs::path& artifact, const fs::path& bundle, const std::string& identity = kSubject) const {
    return node("verify_keyless.mjs", {mock_->trusted_root().string(), identity, TokenClaims().issuer,
                                       artifact.empty() ? "-" : artifact.string(), bundle.string()});
  }
  // One clear error line, the expected exit code, and no bundle written.
  void expect_clean_failure(const RunResult& run, int exit_code, const fs::path& bundle, std::string_view needle) const {
    EXPECT_EQ(run.exit_code, exit_code) << run.describe();
    EXPECT_EQ(run.stderr_lines(), 1u) << run.err;
    EXPECT_NE(run.err.find(needle), std::string::npos) << run.err;
    EXPECT_FALSE(fs::exists(bundle)) << bundle;
  }

  static inline SigstoreMock* mock_ = nullptr;
  static inline const std::string kSubject = TokenClaims().subject;
  TempDir dir_;
  const fs::path artifact_ = dir_ / "artifact.txt";
};

TEST_F(KeylessMock, SignBlobKeylessMakesABundleSigstoreJsVerifies) {
  const fs::path bundle = dir_ / "blob.sigstore.json";
  std::vector<std::string> args = {"sign-blob", "--keyless", "--identity-token", mint_identity_token(), "--bundle",
                                   bundle.string(), artifact_.string()};
  const auto flags = endpoint_flags();
  args.insert(args.end(), flags.begin(), flags.end());
  auto sign = run_sigil(args, std::chrono::seconds(60));
  ASSERT_EQ(sign.exit_code, 0) << sign.describe();

  const auto json = nlohmann::json::parse(slurp(bundle));
  EXPECT_EQ(json["mediaType"], "application/vnd.dev.sigstore.bundle.v0.3+json");
  EXPECT_TRUE(json["verificationMaterial"]["certificate"]["rawBytes"].is_string());
  const auto& entry = json["verificationMaterial"]["tlogEntries"][0];
  EXPECT_EQ(entry["kindVersion"], (nlohmann::json{{"kind", "hashedrekord"}, {"version", "0.0.1"}}));
  EXPECT_TRUE(entry["inclusionPromise"]["signedEntryTimestamp"].is_string());
  EXPECT_TRUE(entry["inclusionProof"]["checkpoint"]["envelope"].is_string());
  EXPECT_TRUE(entry["canonicalizedBody"].is_string());
  EXPECT_EQ(json["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"].size(), 1u);
  EXPECT_EQ(json["messageSignature"]["messageDigest"]["algorithm"], "SHA2_256");

  auto verified = node_verify(artifact_, bundle);
  EXPECT_EQ(verified.exit_code, 0) << verified.describe();
  EXPECT_NE(verified.out.find("hashedrekord, 1 RFC 3161"), std::string::npos) << verified.out;

  // sigstore-js must still refuse: another artifact, another identity.
  const fs::path other = dir_ / "other.txt";
  spit(other, "another artifact\n");
  EXPECT_EQ(node_verify(other, bundle).exit_code, 1);
  EXPECT_EQ(node_verify(artifact_, bundle, "https://someone.else/").exit_code, 1);
}

TEST_F(KeylessMock, SignBundleAsTheConformanceSuiteCallsIt) {
  // Message signature, the token from SIGSTORE_ID_TOKEN, endpoints from the mock's signing config.
  const fs::path message = dir_ / "message.sigstore.json";
  auto sign = run_sigil({"sign-bundle", "--bundle", message.string(), "--trusted-root", mock_->trusted_root().string(),
                         "--signing-config", mock_->signing_config().string(), artifact_.string()},
                        std::chrono::seconds(60), {"SIGSTORE_ID_TOKEN=" + mint_identity_token()});
  ASSERT_EQ(sign.exit_code, 0) << sign.describe();
  auto verified = node_verify(artifact_, message);
  EXPECT_EQ(verified.exit_code, 0) << verified.describe();

  // --in-toto: the statement is signed as a DSSE envelope and logged as a dsse entry.
  const fs::path statement = dir_ / "statement.json";
  const std::string digest_hex = "a3b3bb2c7b1d7d1f9e5b0d0a5e0f6d5b4c3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c";
  spit(statement, R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"artifact.txt","digest":{"sha256":")" +
                      digest_hex + R"("}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}})");
  const fs::path dsse = dir_ / "in-toto.sigstore.json";
  auto sign_dsse = run_sigil({"sign-bundle", "--in-toto", "--identity-token", mint_identity_token(), "--bundle",
                              dsse.string(), "--signing-config", mock_->signing_config().string(), statement.string()},
                             std::chrono::seconds(60));
  ASSERT_EQ(sign_dsse.exit_code, 0) << sign_dsse.describe();
  const auto json = nlohmann::json::parse(slurp(dsse));
  EXPECT_EQ(json["dsseEnvelope"]["payloadType"], "application/vnd.in-toto+json");
  EXPECT_EQ(json["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"], "dsse");
  auto dsse_verified = node_verify("", dsse);
  EXPECT_EQ(dsse_verified.exit_code, 0) << dsse_verified.describe();

  // Not an in-toto statement: refused before anything is signed.
  const fs::path refused = dir_ / "refused.sigstore.json";
  auto not_statement = run_sigil({"sign-bundle", "--in-toto", "--identity-token", mint_identity_token(), "--bundle",
                                  refused.string(), "--signing-config", mock_->signing_config().string(),
                                  artifact_.string()});
  expect_clean_failure(not_statement, 2, refused, "sigil: error:");
}

TEST_F(KeylessMock, BadTokensAreRefusedBeforeAnyServiceIsAsked) {
  const fs::path bundle = dir_ / "never.sigstore.json";
  TokenClaims expired;
  expired.lifetime = std::chrono::seconds(-60);
  for (const auto& [token, needle] : std::vector<std::pair<std::string, std::string>>{
           {mint_identity_token(expired), "expired at"}, {"garbage", "not a JWT"}}) {
    SCOPED_TRACE(needle);
    std::vector<std::string> args = {"sign-blob", "--keyless", "--identity-token", token, "--bundle", bundle.string(),
                                     artifact_.string()};
    const auto flags = endpoint_flags();
    args.insert(args.end(), flags.begin(), flags.end());
    auto run = run_sigil(args);
    expect_clean_failure(run, 2, bundle, needle);
    EXPECT_EQ(run.err.find(token.substr(0, 16)), std::string::npos) << "the token leaked into the error";
  }
  auto no_token = run_sigil({"sign-bundle", "--bundle", bundle.string(), "--signing-config",
                             mock_->signing_config().string(), artifact_.string()},
                            std::chrono::seconds(60), {"SIGSTORE_ID_TOKEN=", "ACTIONS_ID_TOKEN_REQUEST_URL="});
  expect_clean_failure(no_token, 2, bundle, "no identity token");
  auto mixed = run_sigil({"sign-blob", "--keyless", "--key", "x.key", "--bundle", bundle.string(), artifact_.string()});
  expect_clean_failure(mixed, 2, bundle, "exclude each other");
}

TEST_F(KeylessMock, FailingServicesGiveExitThreeAndWriteNothing) {
  const fs::path bundle = dir_ / "never.sigstore.json";
  HttpStub broken([](const StubRequest& request) {
    if (request.path == "/api/v2/signingCert") return StubResponse::text(200, "{not json", "application/json");
    return StubResponse::text(503, "rekor is down");
  });
  const std::string token = mint_identity_token();
  struct Case {
    std::string fulcio, rekor, needle;
  };
  const Case cases[] = {
      {"http://127.0.0.1:1", mock_->base_url(), "Fulcio"},                // nothing listening
      {broken.base_url(), mock_->base_url(), "Fulcio: answer is not JSON"},  // malformed answer
      {mock_->base_url(), broken.base_url(), "HTTP 503: rekor is down"},     // Rekor refuses
      {mock_->base_url() + "/nowhere", mock_->base_url(), "HTTP 404"},       // wrong path
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.needle);
    auto run = run_sigil({"sign-blob", "--keyless", "--identity-token", token, "--fulcio-url", c.fulcio, "--rekor-url",
                          c.rekor, "--no-timestamp", "--bundle", bundle.string(), artifact_.string()},
                         std::chrono::seconds(60));
    expect_clean_failure(run, 3, bundle, c.needle);
  }
  auto tsa_down = run_sigil({"sign-blob", "--keyless", "--identity-token", token, "--fulcio-url", mock_->base_url(),
                             "--rekor-url", mock_->base_url(), "--tsa-url", broken.base_url() + "/api/v1/timestamp",
                             "--bundle", bundle.string(), artifact_.string()},
                            std::chrono::seconds(60));
  expect_clean_failure(tsa_down, 3, bundle, "timestamp authority");
}

TEST_F(KeylessMock, TheTsaClientSpeaksRfc3161WithTheMock) {
  http::Client client;
  auto reply = sign::keyless::request_timestamp(client, mock_->tsa_url(), "signature bytes");
  ASSERT_TRUE(reply) << reply.error().message;
  // The reply answers that request only: another request (other nonce and imprint) does not match.
  auto other = sign::keyless::detail::timestamp_query("other signature");
  ASSERT_TRUE(other);
  auto mismatch = sign::keyless::check_timestamp_response(*reply, *other);
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.error().message.find("message imprint"), std::string::npos) << mismatch.error().message;
  auto same_imprint = sign::keyless::detail::timestamp_query("signature bytes");
  ASSERT_TRUE(same_imprint);
  auto wrong_nonce = sign::keyless::check_timestamp_response(*reply, *same_imprint);
  ASSERT_FALSE(wrong_nonce);
  EXPECT_NE(wrong_nonce.error().message.find("nonce"), std::string::npos) << wrong_nonce.error().message;
}

TEST_F(KeylessMock, SigstoreJsSignsAgainstTheSameMock) {
  // Bundles from @sigstore/sign (code sigil did not write) for the keyless verifier's tests; they
  // stay in this test's directory beside sigil's. sigstore-js's own verifier accepts them, which
  // checks the mock's trusted root independently of sigil.
  if (!fs::exists(kJs / "sigstore_sign.mjs")) GTEST_SKIP() << "tests/interop/js/sigstore_sign.mjs is not in the tree";
  const fs::path message = dir_ / "sigstore-js-message.sigstore.json";
  auto sign = node("sigstore_sign.mjs", {mock_->base_url(), mint_identity_token(), "message", artifact_.string(),
                                         message.string(), "--tsa", mock_->tsa_url()});
  ASSERT_EQ(sign.exit_code, 0) << sign.describe();
  auto verified = node_verify(artifact_, message);
  EXPECT_EQ(verified.exit_code, 0) << verified.describe();
}

}  // namespace
}  // namespace sigil::test
