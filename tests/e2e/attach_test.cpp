// sigil attach artifact / download signature|attestation|artifact on layouts: round trips, what
// download prints for bundles and legacy signatures, and bad input that pushes nothing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/file.hpp"
#include "common/json.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/layout_store.hpp"
#include "oci/manifest.hpp"
#include "sign/bundle.hpp"
#include "sign/cosign_image.hpp"
#include "sign/statement.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

const std::vector<std::string> kEnv = {"SIGIL_PASSWORD=attach-test"};

class AttachE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = oci::LayoutStore::open(dir_ / "layout", true);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    TestImageOptions options;
    options.tag = "v1";
    auto image = write_test_image(*store_, options);
    ASSERT_TRUE(image) << image.error().message;
    image_ = image->manifest;
    ref_ = "oci:" + (dir_ / "layout").string() + ":v1";
    file_ = dir_ / "sbom.spdx.json";
    std::ofstream(file_) << R"({"spdxVersion":"SPDX-2.3"})";
  }

  RunResult sigil(const std::vector<std::string>& args) {
    return run_sigil(args, std::chrono::seconds(120), kEnv);
  }

  std::size_t referrers() {
    auto r = store_->referrers(image_.digest);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->size() : 0;
  }

  TempDir dir_;
  std::unique_ptr<oci::LayoutStore> store_;
  oci::Descriptor image_;
  std::string ref_;
  fs::path file_;
};

TEST_F(AttachE2e, AttachThenDownloadArtifact) {
  auto a =
      sigil({"attach", "artifact", ref_, "--file", file_.string(), "--artifact-type", "application/spdx+json",
             "--media-type", "application/spdx+json", "-a", "org.example.kind=sbom"});
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  auto found = store_->referrers(image_.digest, "application/spdx+json");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(a.out, (*found)[0].digest.str() + "\n");
  EXPECT_EQ((*found)[0].annotations.at("org.example.kind"), "sbom");
  EXPECT_TRUE((*found)[0].annotations.contains("org.opencontainers.image.created"));
  auto raw = store_->fetch_manifest((*found)[0]);
  ASSERT_TRUE(raw);
  auto m = oci::Manifest::parse(*raw);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].media_type, "application/spdx+json");
  EXPECT_EQ(m->layers[0].annotations.at("org.opencontainers.image.title"), "sbom.spdx.json");

  auto d = sigil({"download", "artifact", ref_, "--artifact-type", "application/spdx+json"});
  ASSERT_EQ(d.exit_code, 0) << d.describe();
  EXPECT_EQ(d.out, R"({"spdxVersion":"SPDX-2.3"})");
  fs::path out = dir_ / "out.json";
  auto f = sigil({"download", "artifact", ref_, "--artifact-type", "application/spdx+json", "--output-file",
                  out.string()});
  ASSERT_EQ(f.exit_code, 0) << f.describe();
  EXPECT_EQ(*read_file(out, 1 << 20), R"({"spdxVersion":"SPDX-2.3"})");

  // A second one: download asks which, and --digest picks it.
  auto b = sigil({"attach", "artifact", ref_, "--file", file_.string(), "--artifact-type",
                  "application/spdx+json", "-a", "n=2"});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  auto ambiguous = sigil({"download", "artifact", ref_, "--artifact-type", "application/spdx+json"});
  EXPECT_EQ(ambiguous.exit_code, 2) << ambiguous.describe();
  EXPECT_NE(ambiguous.err.find("--digest"), std::string::npos) << ambiguous.err;
  std::string second = b.out.substr(0, b.out.size() - 1);
  auto picked = sigil({"download", "artifact", ref_, "--digest", second});
  EXPECT_EQ(picked.exit_code, 0) << picked.describe();
  EXPECT_EQ(picked.out, R"({"spdxVersion":"SPDX-2.3"})");
}

TEST_F(AttachE2e, DownloadSignatureAndAttestation) {
  std::string prefix = (dir_ / "k").string();
  ASSERT_EQ(sigil({"generate-key-pair", "--output-key-prefix", prefix}).exit_code, 0);
  auto none = sigil({"download", "signature", ref_});
  EXPECT_EQ(none.exit_code, 2) << none.describe();
  EXPECT_NE(none.err.find("no signatures found"), std::string::npos) << none.err;

  ASSERT_EQ(sigil({"sign", ref_, "--key", prefix + ".key", "--legacy-tag"}).exit_code, 0);
  auto d = sigil({"download", "signature", ref_});
  ASSERT_EQ(d.exit_code, 0) << d.describe();
  auto newline = d.out.find('\n');
  ASSERT_NE(newline, std::string::npos);
  // First line: the bundle; second: the legacy signature as cosign prints it.
  auto bundle = sign::parse_bundle(d.out.substr(0, newline));
  ASSERT_TRUE(bundle) << bundle.error().message;
  auto legacy = parse_json(d.out.substr(newline + 1), "legacy line");
  ASSERT_TRUE(legacy) << d.out;
  EXPECT_TRUE((*legacy)["Base64Signature"].is_string());
  EXPECT_TRUE((*legacy)["Payload"].is_string());
  EXPECT_TRUE((*legacy)["Cert"].is_null());

  // An attestation stored as a bundle referrer is downloaded as one, and not as a signature.
  auto noatt = sigil({"download", "attestation", ref_});
  EXPECT_EQ(noatt.exit_code, 2) << noatt.describe();
  auto key = sign::generate_private_key(sign::KeyAlgorithm::ecdsa_p256);
  ASSERT_TRUE(key);
  sign::KeySigner signer(std::move(*key));
  sign::Statement statement;
  statement.subjects.push_back(sign::Subject{"", {{"sha256", image_.digest.hex()}}, nullptr});
  statement.predicate_type = "https://slsa.dev/provenance/v1";
  auto att = sign::sign_dsse_bundle(signer, sign::kInTotoPayloadType, sign::serialize_statement(statement));
  ASSERT_TRUE(att);
  ASSERT_TRUE(sign::attach_bundle(*store_, image_, *att, "https://slsa.dev/provenance/v1", ""));
  auto a = sigil({"download", "attestation", ref_});
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  EXPECT_EQ(std::count(a.out.begin(), a.out.end(), '\n'), 1) << a.out;
  EXPECT_NE(a.out.find("dsseEnvelope"), std::string::npos) << a.out;
  auto filtered = sigil({"download", "attestation", ref_, "--predicate-type", "https://spdx.dev/Document"});
  EXPECT_EQ(filtered.exit_code, 2) << filtered.describe();
  auto sigs = sigil({"download", "signature", ref_});
  ASSERT_EQ(sigs.exit_code, 0);
  EXPECT_EQ(std::count(sigs.out.begin(), sigs.out.end(), '\n'), 2) << sigs.out;
}

TEST_F(AttachE2e, BadInputPushesNothing) {
  std::vector<std::vector<std::string>> cases = {
      {"attach", "artifact", ref_, "--artifact-type", "application/x"},  // no --file
      {"attach", "artifact", ref_, "--file", file_.string()},            // no type
      {"attach", "artifact", ref_, "--file", (dir_ / "missing").string(), "--artifact-type", "application/x"},
      {"attach", "artifact", ref_, "--file", file_.string(), "--artifact-type", "not a type"},
      {"attach", "artifact", ref_, "--file", file_.string(), "--artifact-type", "application/x",
       "--media-type", "x"},
      {"attach", "artifact", ref_, "--file", file_.string(), "--artifact-type", "application/x", "-a",
       "novalue"},
      {"attach", "sbom", ref_, "--file", file_.string(), "--artifact-type", "application/x"},
      {"attach", "artifact", "oci:" + (dir_ / "nowhere").string() + ":v1", "--file", file_.string(),
       "--artifact-type", "application/x"},
      {"download", "everything", ref_},
      {"download", "artifact", ref_, "--digest", "sha256:nothex"},
      {"download", "artifact", ref_},
  };
  for (const auto& args : cases) {
    auto r = sigil(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << r.describe();
    EXPECT_EQ(r.stderr_lines(), 1u) << joined << r.err;
  }
  EXPECT_EQ(referrers(), 0u);
  EXPECT_FALSE(fs::exists(dir_ / "nowhere"));
}

}  // namespace
}  // namespace sigil::test
