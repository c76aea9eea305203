// Keyless verification failures end to end: `sigil sign-blob --keyless` against the local Sigstore
// of @sigstore/mock (tests/support/sigstore_mock.hpp), then `sigil verify-bundle` / `verify-blob`
// with the mock's trusted root. Each case first shows that the untouched bundle (or the bundle of a
// well-behaved mock) verifies, then that the one thing changed is refused with exit 1 and one error
// line naming that check's reason: wrong identity, wrong issuer, a certificate expired at the
// integrated time, the log entry of another artifact, an untrusted CA, and missing SCTs.
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"
#include "e2e/run_sigil.hpp"
#include "sign/certificate.hpp"
#include "support/sigstore_mock.hpp"
#include "support/temp_dir.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

const std::string kIssuer = TokenClaims().issuer;
const std::string kIdentity = TokenClaims().subject;

Json read_json(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

fs::path write_json(const fs::path& p, const Json& j) {
  std::ofstream(p, std::ios::binary) << j.dump(2) << "\n";
  return p;
}

// A trusted root that is `base` with its member `key` (certificateAuthorities, ctlogs...) taken
// from `donor`, or emptied when there is none.
Json with_member(Json base, const std::string& key, const Json* donor) {
  base[key] = donor != nullptr ? (*donor)[key] : Json::array();
  return base;
}

std::int64_t integrated_time(const Json& bundle) {
  const Json& time = bundle["verificationMaterial"]["tlogEntries"][0]["integratedTime"];
  return time.is_string() ? std::stoll(time.get<std::string>()) : time.get<std::int64_t>();
}

std::string utc(std::int64_t seconds) {
  const std::time_t t = seconds;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// Exit 1 (denied) with one error line that names `reason`.
void expect_refused(const RunResult& r, const std::string& reason) {
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  EXPECT_NE(r.err.find(reason), std::string::npos) << "expected \"" << reason << "\" in: " << r.err;
}

class KeylessFailuresE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    SIGIL_SKIP_WITHOUT_SIGSTORE_MOCK();
    sigstore_ = start();
    ASSERT_TRUE(sigstore_->running()) << sigstore_->failure();
  }

  static std::unique_ptr<SigstoreMock> start(const SigstoreMockOptions& options = {}) {
    auto mock = std::make_unique<SigstoreMock>(options);
    EXPECT_TRUE(mock->running()) << mock->failure();
    return mock;
  }

  // A file with `content`, signed keyless with sigil against `mock`; returns the bundle path.
  fs::path sign(const std::string& name, const std::string& content, const SigstoreMock& mock,
                const TokenClaims& claims = {}) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    const fs::path bundle = dir_ / (name + ".sigstore.json");
    auto r = run_sigil({"sign-blob", "--keyless", "--identity-token", mint_identity_token(claims), "--signing-config",
                        mock.signing_config().string(), "--bundle", bundle.string(), (dir_ / name).string()},
                       std::chrono::seconds(60));
    EXPECT_EQ(r.exit_code, 0) << r.describe() << mock.log();
    return bundle;
  }

  RunResult verify(const fs::path& bundle, const std::string& artifact, const fs::path& root,
                   const std::string& identity = kIdentity, const std::string& issuer = kIssuer,
                   const std::string& command = "verify-bundle") const {
    return run_sigil({command, "--bundle", bundle.string(), "--certificate-identity", identity,
                      "--certificate-oidc-issuer", issuer, "--trusted-root", root.string(), (dir_ / artifact).string()});
  }

  TempDir dir_;
  std::unique_ptr<SigstoreMock> sigstore_;
};

TEST_F(KeylessFailuresE2e, WrongIdentityAndWrongIssuerAreRefusedByTheIdentityCheck) {
  const fs::path bundle = sign("a.txt", "artifact a\n", *sigstore_);
  const fs::path root = sigstore_->trusted_root();
  ASSERT_EQ(verify(bundle, "a.txt", root).exit_code, 0);
  const std::string other = "https://github.com/other/repo/.github/workflows/ci.yml@refs/heads/main";
  expect_refused(verify(bundle, "a.txt", root, other, kIssuer, "verify-blob"),
                 "certificate identity \"" + kIdentity + "\" does not match \"" + other + "\"");
  expect_refused(verify(bundle, "a.txt", root, kIdentity, "https://token.actions.githubusercontent.com"),
                 "certificate issuer \"" + kIssuer + "\" does not match \"https://token.actions.githubusercontent.com\"");

  // Signed by the same subject under another OIDC issuer: verifies only for that issuer.
  TokenClaims elsewhere;
  elsewhere.issuer = "https://oidc.elsewhere.test";
  const fs::path foreign = sign("b.txt", "artifact b\n", *sigstore_, elsewhere);
  EXPECT_EQ(verify(foreign, "b.txt", root, kIdentity, elsewhere.issuer).exit_code, 0);
  expect_refused(verify(foreign, "b.txt", root),
                 "certificate issuer \"" + elsewhere.issuer + "\" does not match \"" + kIssuer + "\"");
}

TEST_F(KeylessFailuresE2e, CertificateExpiredAtTheIntegratedTimeIsRefused) {
  // Same signing against a Fulcio whose clock is an hour behind: its ten-minute certificate expired
  // fifty minutes before Rekor integrated the entry.
  SigstoreMockOptions late;
  late.fulcio_clock_offset = std::chrono::seconds(-3600);
  auto expired_mock = start(late);
  ASSERT_TRUE(expired_mock->running());
  const fs::path good = sign("a.txt", "artifact\n", *sigstore_);
  ASSERT_EQ(verify(good, "a.txt", sigstore_->trusted_root()).exit_code, 0);

  const fs::path expired = sign("b.txt", "artifact\n", *expired_mock);
  const Json bundle = read_json(expired);
  auto leaf = base64_decode(bundle["verificationMaterial"]["certificate"]["rawBytes"].get<std::string>());
  ASSERT_TRUE(leaf);
  auto facts = sign::certificate_facts(*leaf);
  ASSERT_TRUE(facts) << facts.error().message;
  const std::int64_t logged = integrated_time(bundle);
  ASSERT_LT(facts->not_after.time_since_epoch().count(), logged) << "the mock did not issue an expired certificate";
  expect_refused(verify(expired, "b.txt", expired_mock->trusted_root()), "certificate: not valid at " + utc(logged));
}

TEST_F(KeylessFailuresE2e, LogEntryOfAnotherArtifactIsRefusedByTheEntryCheck) {
  const fs::path a = sign("a.txt", "artifact a\n", *sigstore_);
  const fs::path b = sign("b.txt", "artifact b\n", *sigstore_);
  const fs::path root = sigstore_->trusted_root();
  ASSERT_EQ(verify(a, "a.txt", root).exit_code, 0);
  ASSERT_EQ(verify(b, "b.txt", root).exit_code, 0);

  // B's signature and certificate with A's (genuine, logged) entry.
  Json swapped = read_json(b);
  swapped["verificationMaterial"]["tlogEntries"] = read_json(a)["verificationMaterial"]["tlogEntries"];
  expect_refused(verify(write_json(dir_ / "swapped.json", swapped), "b.txt", root),
                 "tlog entry: body does not match the bundle (signature)");
  // A's whole bundle offered for B: the entry records A's digest.
  expect_refused(verify(a, "b.txt", root), "tlog entry: body does not match the bundle (artifact digest)");
}

TEST_F(KeylessFailuresE2e, CertificateOfAnUntrustedCaIsRefused) {
  auto other = start();
  ASSERT_TRUE(other->running());
  const fs::path bundle = sign("a.txt", "artifact\n", *sigstore_);
  ASSERT_EQ(verify(bundle, "a.txt", sigstore_->trusted_root()).exit_code, 0);
  // This instance's logs, CT logs and TSA; the other instance's Fulcio CA.
  const Json theirs = read_json(other->trusted_root());
  const fs::path root =
      write_json(dir_ / "other-ca.json", with_member(read_json(sigstore_->trusted_root()), "certificateAuthorities", &theirs));
  expect_refused(verify(bundle, "a.txt", root), "certificate: not issued by a trusted Fulcio CA");
}

TEST_F(KeylessFailuresE2e, MissingOrUntrustedSctIsRefused) {
  const fs::path bundle = sign("a.txt", "artifact\n", *sigstore_);
  ASSERT_EQ(verify(bundle, "a.txt", sigstore_->trusted_root()).exit_code, 0);
  const Json ours = read_json(sigstore_->trusted_root());
  // No CT log trusted, then only another instance's CT log: the embedded SCT verifies with neither.
  expect_refused(verify(bundle, "a.txt", write_json(dir_ / "no-ctlogs.json", with_member(ours, "ctlogs", nullptr))),
                 "certificate: no SCT verifies with a trusted CT log");
  auto other = start();
  ASSERT_TRUE(other->running());
  const Json theirs = read_json(other->trusted_root());
  expect_refused(verify(bundle, "a.txt", write_json(dir_ / "other-ctlog.json", with_member(ours, "ctlogs", &theirs))),
                 "certificate: no SCT verifies with a trusted CT log");

  // A Fulcio that embeds no SCT, with its own (complete) trusted root.
  SigstoreMockOptions no_sct;
  no_sct.embed_scts = false;
  auto bare = start(no_sct);
  ASSERT_TRUE(bare->running());
  expect_refused(verify(sign("b.txt", "artifact\n", *bare), "b.txt", bare->trusted_root()),
                 "certificate: no embedded SCT");
}

}  // namespace
}  // namespace sigil::test
