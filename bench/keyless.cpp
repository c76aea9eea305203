// The Sigstore conformance verifications in one process, for bench/keyless.sh: every case of
// ../shared/testdata/sigstore/conformance on its artifact and on its sha256 digest, as
// `sigil verify-bundle` runs them (same trusted material, identity and verdicts), R rounds. As a
// long-running verifier (an admission webhook) would, each distinct trusted root is parsed once
// per round and shared by the cases that use it; the peer script does the same.
// Prints the verdict count and the wall time of the fastest round; exits 1 when a verdict is wrong,
// so a fast but wrong verifier cannot report a time.
// Usage: sigil-bench-keyless CONFORMANCE_DIR DEFAULT_TRUSTED_ROOT [ROUNDS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/file.hpp"
#include "oci/digest.hpp"
#include "sign/bundle.hpp"
#include "sign/keys.hpp"
#include "sign/trusted_root.hpp"
#include "sign/verifier.hpp"

namespace {
namespace fs = std::filesystem;
using namespace sigil;

const char* kDefaultIdentity =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/"
    "extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const char* kDefaultIssuer = "https://token.actions.githubusercontent.com";

std::string text(const fs::path& p) {
  auto t = read_file(p.string(), 64u << 20);
  if (!t) return {};
  std::string s = std::move(*t);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

struct Case {
  std::string name;
  bool should_fail = false;
  std::string bundle_json;
  std::string root_json;
  const sign::TrustedRoot* root = nullptr;  ///< parsed once per round; null when it does not parse
  std::string key_pem;
  std::string artifact;
  sign::IdentityPolicy identity;
};

// One verification, as verify-bundle makes it: parse the bundle and root, then verify over the
// artifact bytes or only their digest.
bool verifies(const Case& c, bool by_digest) {
  auto bundle = sign::parse_bundle(c.bundle_json);
  if (!bundle) return false;
  sign::TrustedMaterial trusted;
  if (!c.key_pem.empty()) {
    auto key = sign::load_public_key(c.key_pem);
    if (!key) return false;
    trusted.keys.push_back(std::move(*key));
  }
  if (c.root == nullptr) return false;
  trusted.root = *c.root;
  sign::VerificationPolicy policy;
  if (c.key_pem.empty()) policy.identity = c.identity;
  sign::ArtifactRef artifact;
  if (by_digest) {
    artifact.digest = oci::Digest::of(c.artifact);
  } else {
    artifact.bytes = c.artifact;
  }
  return sign::verify_bundle(*bundle, artifact, trusted, policy).has_value();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: sigil-bench-keyless CONFORMANCE_DIR DEFAULT_TRUSTED_ROOT [ROUNDS]\n");
    return 2;
  }
  const fs::path dir = argv[1];
  const std::string default_root = text(argv[2]);
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 5;
  std::vector<Case> cases;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!fs::exists(entry.path() / "bundle.sigstore.json")) continue;
    Case c;
    c.name = entry.path().filename().string();
    c.should_fail = c.name.ends_with("_fail");
    c.bundle_json = text(entry.path() / "bundle.sigstore.json");
    c.root_json = fs::exists(entry.path() / "trusted_root.json") ? text(entry.path() / "trusted_root.json") : default_root;
    if (fs::exists(entry.path() / "key.pub")) c.key_pem = text(entry.path() / "key.pub");
    auto artifact = read_file((fs::exists(entry.path() / "artifact") ? entry.path() / "artifact" : dir / "a.txt").string(),
                              64u << 20);
    c.artifact = artifact ? *artifact : std::string();
    c.identity.identity = fs::exists(entry.path() / "identity") ? text(entry.path() / "identity") : kDefaultIdentity;
    c.identity.issuer = fs::exists(entry.path() / "issuer") ? text(entry.path() / "issuer") : kDefaultIssuer;
    cases.push_back(std::move(c));
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.name < b.name; });

  double best = 1e9;
  int right = 0;
  int total = 0;
  for (int round = 0; round < rounds; ++round) {
    right = 0;
    total = 0;
    const auto start = std::chrono::steady_clock::now();
    std::map<std::string, std::optional<sign::TrustedRoot>> roots;
    for (Case& c : cases) {
      auto [it, added] = roots.try_emplace(c.root_json);
      if (added) {
        auto parsed = sign::parse_trusted_root(c.root_json);
        if (parsed) it->second = std::move(*parsed);
      }
      c.root = it->second ? &*it->second : nullptr;
    }
    for (const Case& c : cases) {
      for (bool by_digest : {false, true}) {
        ++total;
        if (verifies(c, by_digest) != c.should_fail) {
          ++right;
        } else if (round == 0) {
          std::fprintf(stderr, "wrong verdict: %s (%s)\n", c.name.c_str(), by_digest ? "digest" : "artifact");
        }
      }
    }
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf("verdicts_right %d of %d\nseconds %.4f\n", right, total, best);
  return right == total ? 0 : 1;
}
