// The key-signed ("managed-key-*") cases of the Sigstore conformance suite, run through
// `sigil verify-bundle` the way the conformance harness calls a client: --bundle, then --key when the
// case has key.pub (else the identity flags), --trusted-root when it has one, then the artifact or
// sha256:<digest>. Happy paths must verify, `_fail` cases must not.
//
// Checked: the bundle parses, the key loads, the recorded messageDigest matches the artifact, and
// the signature verifies with the key. Skipped until the keyless issue (which brings trusted-root
// support): the transparency-log entry (SET, inclusion proof, checkpoint) and the RFC 3161
// timestamp these bundles also carry, so a bundle with a forged log entry would still pass here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
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

TEST(ConformanceManagedKey, EveryCaseOnArtifactAndDigest) {
  if (!fs::is_directory(kConformance)) {
    if (std::getenv("CI") != nullptr) FAIL() << "no conformance data at " << kConformance;
    GTEST_SKIP() << "no conformance data at " << kConformance << " (../shared absent)";
  }
  int cases = 0;
  int passed = 0;
  for (const auto& entry : fs::directory_iterator(kConformance)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("managed-key-")) continue;
    ++cases;
    const fs::path dir = entry.path();
    const bool should_fail = name.ends_with("_fail");
    const fs::path artifact = fs::exists(dir / "artifact") ? dir / "artifact" : kConformance / "a.txt";
    const std::string digest = oci::Digest::of(slurp(artifact)).str();
    for (const std::string& subject : {artifact.string(), digest}) {
      SCOPED_TRACE(name + " on " + subject);
      std::vector<std::string> args = {"verify-bundle", "--bundle", (dir / "bundle.sigstore.json").string()};
      if (fs::exists(dir / "key.pub")) {
        args.insert(args.end(), {"--key", (dir / "key.pub").string()});
      } else {
        args.insert(args.end(), {"--certificate-identity", kDefaultIdentity, "--certificate-oidc-issuer", kDefaultIssuer});
      }
      if (fs::exists(dir / "trusted_root.json")) {
        args.insert(args.end(), {"--trusted-root", (dir / "trusted_root.json").string()});
      }
      args.push_back(subject);
      auto r = run_sigil(args);
      if (should_fail) {
        EXPECT_NE(r.exit_code, 0) << r.describe();
        EXPECT_EQ(r.stderr_lines(), 1u) << r.err;  // one clear reason
      } else {
        EXPECT_EQ(r.exit_code, 0) << r.describe();
      }
      if (should_fail ? r.exit_code != 0 : r.exit_code == 0) ++passed;
    }
  }
  EXPECT_EQ(cases, 4) << "expected the four managed-key cases";
  std::cout << "conformance managed-key checks passed: " << passed << " of " << 2 * cases
            << " (transparency-log and timestamp checks skipped: keyless issue)\n";
}

}  // namespace
}  // namespace sigil::test
