// sign-blob / verify-blob / verify-bundle through the sigil binary: a round trip per key type, the
// tamper matrix with the reason each refusal gives, and bad input that writes nothing.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e/run_sigil.hpp"
#include "oci/digest.hpp"
#include "support/temp_dir.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

const std::vector<std::string> kPassword = {"SIGIL_PASSWORD=blob pw"};
const std::string kBlob = "the release artifact\n";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void spit(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

// One key pair per algorithm for the whole suite: generating RSA keys is slow.
class BlobE2e : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    for (std::string alg : {"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-3072"}) {
      auto gen = run_sigil({"generate-key-pair", "--output-key-prefix", (*dir_ / alg).string(), "--algorithm", alg},
                           std::chrono::seconds(120), kPassword);
      ASSERT_EQ(gen.exit_code, 0) << gen.describe();
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string key(const std::string& alg) { return (*dir_ / (alg + ".key")).string(); }
  static std::string pub(const std::string& alg) { return (*dir_ / (alg + ".pub")).string(); }

  void SetUp() override {
    blob_ = (work_ / "artifact.bin").string();
    spit(blob_, kBlob);
  }

  // Signs the artifact with `alg` and returns the bundle path.
  std::string sign(const std::string& alg) {
    const std::string bundle = (work_ / (alg + ".sigstore.json")).string();
    auto signed_ = run_sigil({"sign-blob", blob_, "--key", key(alg), "--bundle", bundle}, std::chrono::seconds(60),
                             kPassword);
    EXPECT_EQ(signed_.exit_code, 0) << signed_.describe();
    return bundle;
  }

  RunResult verify(const std::string& artifact, const std::string& bundle, const std::string& public_key) {
    return run_sigil({"verify-blob", artifact, "--bundle", bundle, "--key", public_key});
  }

  static TempDir* dir_;
  TempDir work_;
  std::string blob_;
};
TempDir* BlobE2e::dir_ = nullptr;

void expect_refused(const RunResult& r, int code, const std::string& reason) {
  EXPECT_EQ(r.exit_code, code) << r.describe();
  EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(BlobE2e, RoundTripPerKeyType) {
  const std::string digest = oci::Digest::of(kBlob).str();
  for (std::string alg : {"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-3072"}) {
    SCOPED_TRACE(alg);
    const std::string bundle = sign(alg);
    auto json = nlohmann::json::parse(slurp(bundle));
    EXPECT_EQ(json["mediaType"], "application/vnd.dev.sigstore.bundle.v0.3+json");
    EXPECT_TRUE(json["verificationMaterial"]["publicKey"]["hint"].is_string());
    EXPECT_EQ(json["messageSignature"]["messageDigest"]["algorithm"], alg == "ecdsa-p384" ? "SHA2_384" : "SHA2_256");

    auto ok = verify(blob_, bundle, pub(alg));
    EXPECT_EQ(ok.exit_code, 0) << ok.describe();
    EXPECT_NE(ok.err.find("Verified OK"), std::string::npos) << ok.err;
    // The conformance client's shape: flags first, the artifact last.
    auto alias = run_sigil({"verify-bundle", "--bundle", bundle, "--key", pub(alg), blob_});
    EXPECT_EQ(alias.exit_code, 0) << alias.describe();

    auto by_digest = run_sigil({"verify-bundle", "--bundle", bundle, "--key", pub(alg), digest});
    if (alg == "ed25519") {
      expect_refused(by_digest, 2, "Ed25519 signs the artifact itself");
    } else if (alg == "ecdsa-p384") {
      expect_refused(by_digest, 2, "records a SHA2_384 digest");
      auto sha384 = run_sigil({"verify-bundle", "--bundle", bundle, "--key", pub(alg),
                               oci::Digest::of(kBlob, oci::DigestAlgorithm::sha384).str()});
      EXPECT_EQ(sha384.exit_code, 0) << sha384.describe();
    } else {
      EXPECT_EQ(by_digest.exit_code, 0) << by_digest.describe();
    }
  }
}

TEST_F(BlobE2e, ArtifactChanged) {
  const std::string bundle = sign("ecdsa-p256");
  spit(blob_, kBlob + "!");
  expect_refused(verify(blob_, bundle, pub("ecdsa-p256")), 1, "artifact digest does not match the bundle");
  expect_refused(run_sigil({"verify-bundle", "--bundle", bundle, "--key", pub("ecdsa-p256"),
                            oci::Digest::of("other").str()}),
                 1, "artifact digest does not match the bundle");
}

TEST_F(BlobE2e, TamperedBundles) {
  const std::string bundle = sign("ecdsa-p256");
  const auto original = nlohmann::ordered_json::parse(slurp(bundle));
  const std::string tampered = (work_ / "tampered.json").string();
  struct Case {
    std::string name;
    std::function<void(nlohmann::ordered_json&)> edit;
    int code;
    std::string reason;
  };
  const std::string other_digest = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";  // SHA-256 of ""
  const std::vector<Case> cases = {
      {"signature changed",
       [](auto& j) {
         std::string sig = j["messageSignature"]["signature"];
         sig[10] = sig[10] == 'A' ? 'B' : 'A';
         j["messageSignature"]["signature"] = sig;
       },
       1, "no trusted key verifies the signature"},
      {"recorded digest changed",
       [&](auto& j) { j["messageSignature"]["messageDigest"]["digest"] = other_digest; }, 1,
       "artifact digest does not match the bundle"},
      {"unknown media type",
       [](auto& j) { j["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.9+json"; }, 2,
       "unsupported media type"},
      {"no signature", [](auto& j) { j["messageSignature"].erase("signature"); }, 2, "missing string field"},
      {"certificate material",
       [](auto& j) { j["verificationMaterial"] = {{"certificate", {{"rawBytes", "MIIB"}}}}; }, 2,
       "certificate-signed (keyless)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto edited = original;
    c.edit(edited);
    spit(tampered, edited.dump());
    expect_refused(verify(blob_, tampered, pub("ecdsa-p256")), c.code, c.reason);
  }
}

TEST_F(BlobE2e, WrongKey) {
  const std::string bundle = sign("ecdsa-p256");
  for (std::string other : {"ecdsa-p384", "ed25519", "rsa-3072"}) {
    SCOPED_TRACE(other);
    expect_refused(verify(blob_, bundle, pub(other)), 1, "no trusted key verifies the signature");
  }
}

TEST_F(BlobE2e, TruncatedMalformedAndOversizedBundles) {
  const std::string bundle = sign("ecdsa-p256");
  const std::string text = slurp(bundle);
  const std::string bad = (work_ / "bad.json").string();
  spit(bad, text.substr(0, text.size() / 2));
  expect_refused(verify(blob_, bad, pub("ecdsa-p256")), 2, "invalid JSON");
  spit(bad, "[1,2,3]");
  expect_refused(verify(blob_, bad, pub("ecdsa-p256")), 2, "not a JSON object");
  spit(bad, std::string(33 * 1024 * 1024, ' '));
  expect_refused(verify(blob_, bad, pub("ecdsa-p256")), 2, "larger than the limit");
  expect_refused(verify(blob_, (work_ / "missing.json").string(), pub("ecdsa-p256")), 2, "missing.json");
}

TEST_F(BlobE2e, WrongPasswordIsClearAndWritesNothing) {
  const std::string bundle = (work_ / "out.json").string();
  auto r = run_sigil({"sign-blob", blob_, "--key", key("ecdsa-p256"), "--bundle", bundle}, std::chrono::seconds(60),
                     {"SIGIL_PASSWORD=not the password"});
  expect_refused(r, 2, "wrong password?");
  EXPECT_FALSE(fs::exists(bundle));
}

TEST_F(BlobE2e, KeyReadableByOthersWarns) {
  const fs::path loose = work_ / "loose.key";
  fs::copy_file(key("ecdsa-p256"), loose);
  fs::permissions(loose, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  const std::string bundle = (work_ / "out.json").string();
  auto r = run_sigil({"sign-blob", blob_, "--key", loose.string(), "--bundle", bundle}, std::chrono::seconds(60),
                     kPassword);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("warning: private key " + loose.string() + " is accessible by group or others"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(verify(blob_, bundle, pub("ecdsa-p256")).exit_code, 0);
}

TEST_F(BlobE2e, BadInputWritesNothing) {
  const std::string bundle = (work_ / "out.json").string();
  expect_refused(run_sigil({"sign-blob", (work_ / "nope").string(), "--key", key("ecdsa-p256"), "--bundle", bundle},
                           std::chrono::seconds(60), kPassword),
                 2, "nope");
  expect_refused(run_sigil({"sign-blob", blob_, "--key", (work_ / "nokey").string(), "--bundle", bundle},
                           std::chrono::seconds(60), kPassword),
                 2, "nokey");
  expect_refused(run_sigil({"sign-blob", blob_, "--key", key("ecdsa-p256")}, std::chrono::seconds(60), kPassword), 2,
                 "--bundle is required");
  expect_refused(run_sigil({"sign-blob", blob_, "--bundle", bundle}), 2, "--key (or --keyless) is required");
  // Too large to sign in memory: refused from its size, before reading or asking anything.
  const fs::path huge = work_ / "huge.bin";
  {
    std::ofstream(huge).put('x');
    ASSERT_EQ(::truncate(huge.c_str(), (1ll << 30) + 1), 0);
  }
  expect_refused(run_sigil({"sign-blob", huge.string(), "--key", key("ecdsa-p256"), "--bundle", bundle},
                           std::chrono::seconds(60), kPassword),
                 2, "larger than the limit");
  EXPECT_FALSE(fs::exists(bundle));
  // Nothing else appeared beside it either (no temp files left behind).
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(work_.path())) ++entries;
  EXPECT_EQ(entries, 2u);  // artifact.bin and huge.bin

  expect_refused(verify((work_ / "nope").string(), sign("ecdsa-p256"), pub("ecdsa-p256")), 2, "nope");
}

// Identity flags say "keyless"; a key-signed bundle then lacks what it needs: its key.
TEST_F(BlobE2e, IdentityFlagsOnAKeySignedBundleAskForTheKey) {
  const std::string bundle = sign("ecdsa-p256");
  expect_refused(run_sigil({"verify-bundle", "--bundle", bundle, "--certificate-identity", "me",
                            "--certificate-oidc-issuer", "https://issuer", blob_}),
                 2, "signed with a key, not keyless");
}

}  // namespace
}  // namespace sigil::test
