// The Sigstore conformance suite's verification cases (../shared/testdata/sigstore/conformance),
// run through `sigil verify-bundle` exactly as the conformance harness calls a client: --bundle,
// then --key when the case has key.pub, else the identity flags (the case's `identity`/`issuer`
// files or the suite's defaults), --trusted-root when the case has one (else sigil's default root,
// as a client uses the public-good instance), then the artifact, and again its sha256: digest.
// Happy paths must verify; `_fail` cases must be refused with one error line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "e2e/run_sigil.hpp"
#include "oci/digest.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

const fs::path kConformance = SIGIL_SOURCE_DIR "/../shared/testdata/sigstore/conformance";
const std::string kDefaultIdentity =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/"
    "extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const std::string kDefaultIssuer = "https://token.actions.githubusercontent.com";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

bool have_conformance_data() { return fs::is_directory(kConformance); }

std::vector<fs::path> cases() {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(kConformance)) {
    if (entry.is_directory() && fs::exists(entry.path() / "bundle.sigstore.json")) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::vector<std::string> client_args(const fs::path& dir, const std::string& subject) {
  std::vector<std::string> args = {"verify-bundle", "--bundle", (dir / "bundle.sigstore.json").string()};
  if (fs::exists(dir / "key.pub")) {
    args.insert(args.end(), {"--key", (dir / "key.pub").string()});
  } else {
    const std::string identity = fs::exists(dir / "identity") ? trimmed(slurp(dir / "identity")) : kDefaultIdentity;
    const std::string issuer = fs::exists(dir / "issuer") ? trimmed(slurp(dir / "issuer")) : kDefaultIssuer;
    args.insert(args.end(), {"--certificate-identity", identity, "--certificate-oidc-issuer", issuer});
  }
  if (fs::exists(dir / "trusted_root.json")) args.insert(args.end(), {"--trusted-root", (dir / "trusted_root.json").string()});
  args.push_back(subject);
  return args;
}

TEST(Conformance, EveryCaseOnArtifactAndDigest) {
  if (!have_conformance_data()) {
    if (std::getenv("CI") != nullptr) FAIL() << "no conformance data at " << kConformance;
    GTEST_SKIP() << "no conformance data at " << kConformance << " (../shared absent)";
  }
  int runs = 0;
  int passed = 0;
  std::vector<std::string> failed;
  for (const fs::path& dir : cases()) {
    const std::string name = dir.filename().string();
    const bool should_fail = name.ends_with("_fail");
    const fs::path artifact = fs::exists(dir / "artifact") ? dir / "artifact" : kConformance / "a.txt";
    const std::string digest = oci::Digest::of(slurp(artifact)).str();
    for (const std::string& subject : {artifact.string(), digest}) {
      SCOPED_TRACE(name + " on " + subject);
      auto r = run_sigil(client_args(dir, subject));
      ++runs;
      const bool ok = should_fail ? r.exit_code != 0 : r.exit_code == 0;
      if (ok) {
        ++passed;
      } else {
        failed.push_back(name + (subject == digest ? " (digest)" : " (artifact)") + ": " + r.describe());
      }
      if (should_fail && r.exit_code != 0) {
        EXPECT_EQ(r.stderr_lines(), 1u) << r.err;  // one clear reason
        EXPECT_NE(r.exit_code, 4) << "an internal error is not a verdict: " << r.err;
      }
    }
  }
  for (const auto& f : failed) ADD_FAILURE() << f;
  EXPECT_EQ(runs, 140) << "the suite has 70 cases, each run on the artifact and on its digest";
  std::cout << "sigstore conformance: " << passed << "/" << runs << "\n";
}

// Refusals must name the step that failed, not merely fail: a verifier that refuses everything
// would pass the table above.
TEST(Conformance, RefusalsNameTheFailedStep) {
  if (!have_conformance_data()) {
    if (std::getenv("CI") != nullptr) FAIL() << "no conformance data at " << kConformance;
    GTEST_SKIP() << "no conformance data";
  }
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"signature-mismatch_fail", "signature"},
      {"message-digest-mismatch_fail", "digest"},
      {"set-invalid-signature_fail", "signed entry timestamp"},
      {"checkpoint-wrong-roothash_fail", "checkpoint"},
      {"inclusion-proof-corrupted-hash_fail", "inclusion proof"},
      {"intoto-expired-certificate_fail", "certificate"},
      {"invalid-ct-key_fail", "SCT"},
      {"rekor2-no-timestamp_fail", "timestamp"},
      {"rekor2-timestamp-payload-mismatch_fail", "timestamp"},
      {"bundle-with-root-cert_fail", "root certificate"},
      {"bundle-malformed-json_fail", "bundle"},
      {"wrong-material_fail", "digest"},
  };
  for (const auto& [name, reason] : expected) {
    const fs::path dir = kConformance / name;
    ASSERT_TRUE(fs::exists(dir)) << name;
    const fs::path artifact = fs::exists(dir / "artifact") ? dir / "artifact" : kConformance / "a.txt";
    auto r = run_sigil(client_args(dir, artifact.string()));
    EXPECT_NE(r.exit_code, 0) << name;
    EXPECT_NE(r.err.find(reason), std::string::npos) << name << " should name \"" << reason << "\": " << r.err;
  }
}

// The happy path refused for another identity or issuer: the identity check is not decorative.
TEST(Conformance, HappyPathWithAnotherIdentityIsRefused) {
  if (!have_conformance_data()) {
    if (std::getenv("CI") != nullptr) FAIL() << "no conformance data at " << kConformance;
    GTEST_SKIP() << "no conformance data";
  }
  const fs::path dir = kConformance / "happy-path-v0.3";
  const std::string artifact = (kConformance / "a.txt").string();
  const std::string bundle = (dir / "bundle.sigstore.json").string();
  auto ok = run_sigil({"verify-bundle", "--bundle", bundle, "--certificate-identity", kDefaultIdentity,
                       "--certificate-oidc-issuer", kDefaultIssuer, artifact});
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  auto other_identity = run_sigil({"verify-bundle", "--bundle", bundle, "--certificate-identity",
                                   "https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main",
                                   "--certificate-oidc-issuer", kDefaultIssuer, artifact});
  EXPECT_EQ(other_identity.exit_code, 1) << other_identity.describe();
  EXPECT_NE(other_identity.err.find("identity"), std::string::npos) << other_identity.err;
  auto other_issuer = run_sigil({"verify-bundle", "--bundle", bundle, "--certificate-identity", kDefaultIdentity,
                                 "--certificate-oidc-issuer", "https://accounts.google.com", artifact});
  EXPECT_EQ(other_issuer.exit_code, 1) << other_issuer.describe();
  EXPECT_NE(other_issuer.err.find("issuer"), std::string::npos) << other_issuer.err;
  auto regexp = run_sigil({"verify-bundle", "--bundle", bundle, "--certificate-identity-regexp",
                           "^https://github\\.com/sigstore-conformance/", "--certificate-oidc-issuer-regexp",
                           "^https://token\\.actions\\.githubusercontent\\.com$", artifact});
  EXPECT_EQ(regexp.exit_code, 0) << regexp.describe();
  EXPECT_NE(regexp.err.find("not anchored"), std::string::npos) << "an identity regexp without $ is warned about";
  auto no_issuer = run_sigil({"verify-bundle", "--bundle", bundle, "--certificate-identity", kDefaultIdentity, artifact});
  EXPECT_EQ(no_issuer.exit_code, 2) << no_issuer.describe();
}

}  // namespace
}  // namespace sigil::test
