// sigil verify / verify-attestation / verify-provenance with cosign's identity flags, on keyless
// signatures made by code sigil did not write: @sigstore/sign (tests/interop/js/sigstore_sign.mjs)
// against the local Sigstore of @sigstore/mock (tests/support/sigstore_mock.hpp). Bundles are
// stored as referrers (cosign v3) and as legacy `.sig` layers (certificate, chain and Rekor bundle
// in annotations, as cosign v2 writes them), in an image layout and on a real registry. Right
// identity and issuer verify and are reported; wrong ones, a tampered SET, a payload of another
// image and bad flag combinations are refused with their reason.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "common/base64.hpp"
#include "common/file.hpp"
#include "common/hex.hpp"
#include "common/json.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/artifact.hpp"
#include "oci/layout_store.hpp"
#include "oci/media_types.hpp"
#include "oci/registry_store.hpp"
#include "provenance/provenance.hpp"
#include "sign/bundle.hpp"
#include "sign/cosign_image.hpp"
#include "support/registry_server.hpp"
#include "support/sigstore_mock.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;
using Ordered = nlohmann::ordered_json;

const std::string kIssuer = "https://oidc.sigil.test";
const std::string kIdentity = "https://github.com/sigil-test/repo/.github/workflows/ci.yml@refs/heads/main";
const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";

std::string pem(std::string_view label, std::string_view der) {
  std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END " + std::string(label) + "-----\n";
}

std::string dump(const Ordered& j) { return j.dump(-1, ' ', false, Ordered::error_handler_t::replace); }

// A SLSA v1 predicate of sigil's buildType for a tagged GitHub checkout.
std::string provenance_predicate() {
  provenance::BuildFacts facts;
  facts.source.git_uri = "https://github.com/org/app.git";
  facts.source.git_commit = kCommit;
  facts.source.git_ref = "refs/tags/v1.2.0";
  facts.dockerfile_path = "Dockerfile";
  facts.dockerfile_digest = oci::Digest::of("FROM scratch\n");
  facts.platforms = {"linux/amd64"};
  facts.sigil_version = "0.1.0";
  facts.builder.id = "https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1.2.0";
  facts.builder.system = "github-actions";
  facts.started_on = 1700000000;
  facts.finished_on = 1700000060;
  return provenance::serialize_predicate(provenance::make_predicate(facts));
}

std::string statement(const oci::Digest& image, std::string_view predicate_type, const std::string& predicate) {
  auto parsed = parse_json(predicate, "predicate");
  EXPECT_TRUE(parsed);
  Ordered j = Ordered::object();
  j["_type"] = "https://in-toto.io/Statement/v1";
  j["subject"] = Ordered::array({Ordered{{"name", "app"}, {"digest", Ordered{{"sha256", image.hex()}}}}});
  j["predicateType"] = predicate_type;
  j["predicate"] = parsed ? Ordered::parse(dump_json(*parsed)) : Ordered::object();
  return dump(j);
}

class VerifyKeylessE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    SIGIL_SKIP_WITHOUT_SIGSTORE_MOCK();
    sigstore_ = std::make_unique<SigstoreMock>();
    ASSERT_TRUE(sigstore_->running()) << sigstore_->failure();
    auto store = oci::LayoutStore::open(dir_ / "layout", true);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    TestImageOptions options;
    options.tag = "v1";
    auto image = write_test_image(*store_, options);
    ASSERT_TRUE(image) << image.error().message;
    image_ = image->manifest;
    ref_ = "oci:" + (dir_ / "layout").string() + "@" + image_.digest.str();
  }

  // Signs `data` keyless with @sigstore/sign against the mock: a DSSE envelope of `payload_type`,
  // or (empty type) a message signature. Returns the bundle JSON.
  std::string sigstore_sign(const std::string& data, const std::string& payload_type, const TokenClaims& claims = {}) {
    fs::path in = dir_ / ("in-" + std::to_string(++files_));
    fs::path out = dir_ / ("bundle-" + std::to_string(files_) + ".json");
    std::ofstream(in, std::ios::binary) << data;
    std::vector<std::string> argv{SigstoreMock::node().string(),
                                  std::string(SIGIL_SOURCE_DIR) + "/tests/interop/js/sigstore_sign.mjs",
                                  sigstore_->base_url(), mint_identity_token(claims)};
    if (payload_type.empty()) {
      argv.push_back("message");
    } else {
      argv.insert(argv.end(), {"dsse", payload_type});
    }
    argv.insert(argv.end(), {in.string(), out.string()});
    auto r = run_program(argv, std::chrono::seconds(60), {"SIGIL_NODE_TOOLS=" + SigstoreMock::tools().string()});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return read_text(out);
  }

  // cosign v3's image signature: the sign/v1 statement in a keyless DSSE bundle, as a referrer.
  void attach_keyless(oci::Store& store, const std::string& statement_json, std::string_view predicate_type,
                      const TokenClaims& claims = {}) {
    auto bundle = sign::parse_bundle(sigstore_sign(statement_json, "application/vnd.in-toto+json", claims));
    ASSERT_TRUE(bundle) << bundle.error().message;
    auto pushed = sign::attach_bundle(store, image_, *bundle, predicate_type, "2026-01-01T00:00:00Z");
    ASSERT_TRUE(pushed) << pushed.error().message;
  }

  void attach_signature(oci::Store& store, const TokenClaims& claims = {}) {
    attach_keyless(store, sign::image_signature_statement(image_.digest, {{"env", "prod"}}),
                   sign::kCosignSignPredicateType, claims);
  }

  // cosign v2's keyless `.sig` layer: the simple-signing payload, its signature, and in annotations
  // the certificate, the chain (the mock's root, as cosign includes the root) and the Rekor bundle.
  // `mutate` may change the annotations before the push.
  void write_legacy(oci::Store& store, const oci::Digest& named_image,
                    const std::function<void(oci::Annotations&)>& mutate = {}) {
    std::string payload = sign::simple_signing_payload("example.test/app", named_image, {});
    auto json = parse_json(sigstore_sign(payload, ""), "message bundle");
    ASSERT_TRUE(json);
    const Json& material = (*json)["verificationMaterial"];
    std::string cert_b64 = material.contains("certificate")
                               ? material["certificate"]["rawBytes"].get<std::string>()
                               : material["x509CertificateChain"]["certificates"][0]["rawBytes"].get<std::string>();
    const Json& entry = material["tlogEntries"][0];
    auto log_id = base64_decode(entry["logId"]["keyId"].get<std::string>());
    ASSERT_TRUE(log_id);
    Ordered rekor = Ordered::object();
    rekor["SignedEntryTimestamp"] = entry["inclusionPromise"]["signedEntryTimestamp"].get<std::string>();
    rekor["Payload"] = Ordered{{"body", entry["canonicalizedBody"].get<std::string>()},
                               {"integratedTime", std::stoll(entry["integratedTime"].get<std::string>())},
                               {"logIndex", std::stoll(entry["logIndex"].get<std::string>())},
                               {"logID", hex_encode(std::span<const unsigned char>(
                                             reinterpret_cast<const unsigned char*>(log_id->data()), log_id->size()))}};
    auto root_json = read_text(sigstore_->trusted_root());
    auto root = parse_json(root_json, "trusted root");
    ASSERT_TRUE(root);
    auto ca = base64_decode((*root)["certificateAuthorities"][0]["certChain"]["certificates"][0]["rawBytes"].get<std::string>());
    ASSERT_TRUE(ca);

    oci::Descriptor layer = oci::Descriptor::of(payload, sign::kSimpleSigningMediaType);
    layer.annotations["dev.cosignproject.cosign/signature"] = (*json)["messageSignature"]["signature"].get<std::string>();
    layer.annotations["dev.sigstore.cosign/certificate"] = pem("CERTIFICATE", *base64_decode(cert_b64));
    layer.annotations["dev.sigstore.cosign/chain"] = pem("CERTIFICATE", *ca);
    layer.annotations["dev.sigstore.cosign/bundle"] = dump(rekor);
    if (mutate) mutate(layer.annotations);
    std::string config = R"({"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[")" +
                         layer.digest.str() + R"("]}})";
    oci::Descriptor config_desc = oci::Descriptor::of(config, oci::media_type::kOciConfig);
    Ordered manifest = Ordered::object();
    manifest["schemaVersion"] = 2;
    manifest["mediaType"] = oci::media_type::kOciManifest;
    manifest["config"] = oci::descriptor_json(config_desc, oci::ManifestStyle::cosign);
    manifest["layers"] = Ordered::array({oci::descriptor_json(layer, oci::ManifestStyle::cosign)});
    ASSERT_TRUE(store.push_blob_bytes(layer, payload));
    ASSERT_TRUE(store.push_blob_bytes(config_desc, config));
    auto pushed = store.push_manifest(dump(manifest), oci::media_type::kOciManifest, sign::legacy_signature_tag(image_.digest));
    ASSERT_TRUE(pushed) << pushed.error().message;
  }

  static std::string read_text(const fs::path& path) {
    auto text = read_file(path, 1 << 20);
    EXPECT_TRUE(text) << text.error().message;
    return text ? *text : std::string();
  }

  RunResult sigil(const std::string& command, const std::string& ref, std::vector<std::string> extra) {
    std::vector<std::string> args{command, ref, "--trusted-root", sigstore_->trusted_root().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_sigil(args, std::chrono::seconds(120), env_);
  }
  RunResult verify(std::vector<std::string> extra, const std::string& command = "verify") {
    return sigil(command, ref_, std::move(extra));
  }
  static std::vector<std::string> identity(const std::string& id = kIdentity, const std::string& issuer = kIssuer) {
    return {"--certificate-identity", id, "--certificate-oidc-issuer", issuer};
  }

  TempDir dir_;
  std::unique_ptr<SigstoreMock> sigstore_;
  std::unique_ptr<oci::LayoutStore> store_;
  oci::Descriptor image_;
  std::string ref_;
  std::vector<std::string> env_;
  int files_ = 0;
};

void expect_refused(const RunResult& r, const std::string& reason) {
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find(reason), std::string::npos) << "expected \"" << reason << "\" in: " << r.err;
  EXPECT_NE(r.err.find("no valid signature"), std::string::npos) << r.err;
}

TEST_F(VerifyKeylessE2e, ReferrerVerifiesWithTheRightIdentityAndIssuerAndReportsTheSigner) {
  attach_signature(*store_);
  auto ok = verify(identity());
  ASSERT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_NE(ok.out.find("sigstore-bundle"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(kIdentity), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(kIssuer), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("logIndex"), std::string::npos) << ok.out;
  EXPECT_NE(ok.err.find("Fulcio"), std::string::npos) << ok.err;

  auto j = verify({"--certificate-identity", kIdentity, "--certificate-oidc-issuer", kIssuer, "-o", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.describe();
  auto doc = parse_json(j.out, "verify output");
  ASSERT_TRUE(doc) << j.out;
  const Json& sig = (*doc)[0]["signatures"][0];
  EXPECT_EQ(sig["verified"], true);
  EXPECT_EQ(sig["identity"], kIdentity);
  EXPECT_EQ(sig["issuer"], kIssuer);
  EXPECT_EQ(sig["extensions"]["issuer"], kIssuer);
  EXPECT_TRUE(sig["logIndexes"].is_array() && sig["logIndexes"].size() == 1) << sig.dump();
  EXPECT_TRUE(sig.contains("signedAt")) << sig.dump();
  EXPECT_EQ(sig["annotations"]["env"], "prod");
  // Signed annotations are still required with -a.
  EXPECT_EQ(verify({"--certificate-identity", kIdentity, "--certificate-oidc-issuer", kIssuer, "-a", "env=prod"}).exit_code, 0);
  expect_refused(verify({"--certificate-identity", kIdentity, "--certificate-oidc-issuer", kIssuer, "-a", "env=dev"}),
                 "annotation \"env\"");
}

TEST_F(VerifyKeylessE2e, WrongIdentityOrIssuerIsRefusedWithTheReason) {
  attach_signature(*store_);
  auto wrong_id = verify(identity("https://github.com/other/repo/.github/workflows/ci.yml@refs/heads/main"));
  expect_refused(wrong_id, "identity");
  EXPECT_NE(wrong_id.err.find("https://github.com/other/repo"), std::string::npos) << wrong_id.err;
  auto wrong_issuer = verify(identity(kIdentity, "https://token.actions.githubusercontent.com"));
  expect_refused(wrong_issuer, "issuer");
  EXPECT_NE(wrong_issuer.err.find("https://token.actions.githubusercontent.com"), std::string::npos)
      << wrong_issuer.err;
  // A signature by another identity next to the right one: the right one still verifies.
  TokenClaims other;
  other.subject = "https://github.com/mallory/repo/.github/workflows/ci.yml@refs/heads/main";
  attach_signature(*store_, other);
  auto both = verify(identity());
  ASSERT_EQ(both.exit_code, 0) << both.describe();
  EXPECT_EQ(both.out.find("mallory"), std::string::npos) << both.out;
}

TEST_F(VerifyKeylessE2e, RegexpFlagsMatchAnywhereAndRefuseWhatDoesNotMatch) {
  attach_signature(*store_);
  auto anchored = verify({"--certificate-identity-regexp", "^https://github\\.com/sigil-test/.*$",
                          "--certificate-oidc-issuer-regexp", "^https://oidc\\.sigil\\.test$"});
  ASSERT_EQ(anchored.exit_code, 0) << anchored.describe();
  auto unanchored = verify({"--certificate-identity-regexp", "sigil-test/repo", "--certificate-oidc-issuer", kIssuer});
  ASSERT_EQ(unanchored.exit_code, 0) << unanchored.describe();
  EXPECT_NE(unanchored.err.find("anchor"), std::string::npos) << unanchored.err;
  expect_refused(verify({"--certificate-identity-regexp", "^https://github\\.com/other/", "--certificate-oidc-issuer", kIssuer}),
                 "identity");
  expect_refused(verify({"--certificate-identity", kIdentity, "--certificate-oidc-issuer-regexp", "^https://accounts\\.google\\.com$"}),
                 "issuer");
  auto bad = verify({"--certificate-identity-regexp", "([", "--certificate-oidc-issuer", kIssuer});
  EXPECT_EQ(bad.exit_code, 2) << bad.describe();
}

TEST_F(VerifyKeylessE2e, LegacySigLayerVerifiesAndATamperedSetIsRefused) {
  write_legacy(*store_, image_.digest);
  auto ok = verify(identity());
  ASSERT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_NE(ok.out.find("simple-signing"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(kIdentity), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(".sig layer 0"), std::string::npos) << ok.out;
  expect_refused(verify(identity(kIdentity, "https://accounts.google.com")), "issuer");

  // The SET signs the body, integrated time, index and log id: changing the time breaks it.
  write_legacy(*store_, image_.digest, [](oci::Annotations& a) {
    auto rekor = Ordered::parse(a["dev.sigstore.cosign/bundle"]);
    rekor["Payload"]["integratedTime"] = rekor["Payload"]["integratedTime"].get<std::int64_t>() - 1;
    a["dev.sigstore.cosign/bundle"] = dump(rekor);
  });
  expect_refused(verify(identity()), "signed entry timestamp");

  write_legacy(*store_, image_.digest, [](oci::Annotations& a) {
    auto rekor = Ordered::parse(a["dev.sigstore.cosign/bundle"]);
    auto set = *base64_decode(rekor["SignedEntryTimestamp"].get<std::string>());
    set[set.size() / 2] = static_cast<char>(set[set.size() / 2] ^ 0x01);
    rekor["SignedEntryTimestamp"] = base64_encode(set);
    a["dev.sigstore.cosign/bundle"] = dump(rekor);
  });
  expect_refused(verify(identity()), "signed entry timestamp");

  // Without its Rekor bundle a keyless layer cannot be verified offline.
  write_legacy(*store_, image_.digest, [](oci::Annotations& a) { a.erase("dev.sigstore.cosign/bundle"); });
  expect_refused(verify(identity()), "dev.sigstore.cosign/bundle");
}

TEST_F(VerifyKeylessE2e, LegacyPayloadOfAnotherImageIsRefused) {
  write_legacy(*store_, oci::Digest::of("another image"));
  expect_refused(verify(identity()), "signature is for " + oci::Digest::of("another image").str());
}

TEST_F(VerifyKeylessE2e, KeyAndIdentityFlagsExcludeEachOtherAndOneIsRequired) {
  auto gen = run_sigil({"generate-key-pair", "--output-key-prefix", (dir_ / "k").string()}, std::chrono::seconds(60),
                       {"SIGIL_PASSWORD=x"});
  ASSERT_EQ(gen.exit_code, 0) << gen.describe();
  for (const std::string command : {"verify", "verify-attestation"}) {
    std::vector<std::string> both = identity();
    both.insert(both.end(), {"--key", (dir_ / "k.pub").string()});
    auto r = verify(both, command);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.describe();
    EXPECT_NE(r.err.find("exclude each other"), std::string::npos) << r.err;
    auto none = run_sigil({command, ref_});
    EXPECT_EQ(none.exit_code, 2) << command << ": " << none.describe();
    EXPECT_NE(none.err.find("--certificate-identity"), std::string::npos) << none.err;
    auto half = verify({"--certificate-identity", kIdentity}, command);
    EXPECT_EQ(half.exit_code, 2) << command << ": " << half.describe();
  }
  // A keyless signature does not verify with a key, nor a key signature keylessly.
  attach_signature(*store_);
  auto with_key = run_sigil({"verify", ref_, "--key", (dir_ / "k.pub").string()});
  EXPECT_EQ(with_key.exit_code, 1) << with_key.describe();
}

TEST_F(VerifyKeylessE2e, VerifyAttestationKeyless) {
  std::string st = statement(image_.digest, "https://cyclonedx.org/bom", R"({"bomFormat":"CycloneDX","specVersion":"1.6"})");
  attach_keyless(*store_, st, "https://cyclonedx.org/bom");
  auto ok = verify(identity(), "verify-attestation");
  ASSERT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_NE(ok.out.find("https://cyclonedx.org/bom"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(kIdentity), std::string::npos) << ok.out;
  auto wrong = verify(identity("someone@example.com"), "verify-attestation");
  EXPECT_EQ(wrong.exit_code, 1) << wrong.describe();
  EXPECT_NE(wrong.err.find("identity"), std::string::npos) << wrong.err;
  // An attestation is not an image signature.
  expect_refused(verify(identity()), "no signatures found");
}

TEST_F(VerifyKeylessE2e, VerifyProvenanceKeyless) {
  attach_keyless(*store_, statement(image_.digest, provenance::kPredicateTypeV1, provenance_predicate()),
                 provenance::kPredicateTypeV1);
  std::vector<std::string> args = identity();
  args.insert(args.end(), {"--source-uri", "github.com/org/app", "--source-tag", "v1.2.0"});
  auto ok = verify(args, "verify-provenance");
  ASSERT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_NE(ok.out.find(kIdentity), std::string::npos) << ok.out;
  EXPECT_NE(ok.err.find("PASSED"), std::string::npos) << ok.err;
  args.insert(args.end(), {"-o", "json"});
  auto j = verify(args, "verify-provenance");
  ASSERT_EQ(j.exit_code, 0) << j.describe();
  auto doc = parse_json(j.out, "verify-provenance output");
  ASSERT_TRUE(doc) << j.out;
  EXPECT_EQ((*doc)["provenance"][0]["identity"], kIdentity);
  EXPECT_EQ((*doc)["provenance"][0]["issuer"], kIssuer);

  std::vector<std::string> wrong = identity(kIdentity, "https://accounts.google.com");
  wrong.insert(wrong.end(), {"--source-uri", "github.com/org/app"});
  auto refused = verify(wrong, "verify-provenance");
  EXPECT_EQ(refused.exit_code, 1) << refused.describe();
  EXPECT_NE(refused.err.find("issuer"), std::string::npos) << refused.err;
}

// The same on a real registry (distribution 2.8: referrers through the fallback tag schema).
class VerifyKeylessRegistryE2e : public VerifyKeylessE2e {
 protected:
  void SetUp() override {
    VerifyKeylessE2e::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::none);
    registry_ = std::make_unique<RegistryServer>();
    ASSERT_TRUE(registry_->running()) << registry_->failure();
    auto ref = oci::Reference::parse(registry_->host_port() + "/app/img");
    ASSERT_TRUE(ref) << ref.error().message;
    oci::RegistryOptions options;
    options.docker_config_dir = dir_.path();
    auto store = oci::RegistryStore::open(*ref, options);
    ASSERT_TRUE(store) << store.error().message;
    registry_store_ = std::move(*store);
    TestImageOptions image_options;
    image_options.tag = "v1";
    auto image = write_test_image(*registry_store_, image_options);
    ASSERT_TRUE(image) << image.error().message;
    image_ = image->manifest;
    ref_ = registry_->host_port() + "/app/img@" + image_.digest.str();
    env_ = {"DOCKER_CONFIG=" + dir_.path().string()};
  }

  std::unique_ptr<RegistryServer> registry_;
  std::unique_ptr<oci::RegistryStore> registry_store_;
};

TEST_F(VerifyKeylessRegistryE2e, ReferrerAndLegacySignaturesVerify) {
  attach_signature(*registry_store_);
  auto ok = verify(identity());
  ASSERT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_NE(ok.out.find("sigstore-bundle"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(kIdentity), std::string::npos) << ok.out;

  write_legacy(*registry_store_, image_.digest);
  auto j = verify({"--certificate-identity", kIdentity, "--certificate-oidc-issuer", kIssuer, "-o", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.describe();
  auto doc = parse_json(j.out, "verify output");
  ASSERT_TRUE(doc) << j.out;
  ASSERT_EQ((*doc)[0]["signatures"].size(), 2u) << j.out;
  for (const auto& sig : (*doc)[0]["signatures"]) {
    EXPECT_EQ(sig["verified"], true) << sig.dump();
    EXPECT_EQ(sig["identity"], kIdentity) << sig.dump();
  }
  expect_refused(verify(identity("https://github.com/other/repo")), "identity");

  attach_keyless(*registry_store_, statement(image_.digest, provenance::kPredicateTypeV1, provenance_predicate()),
                 provenance::kPredicateTypeV1);
  std::vector<std::string> args = identity();
  args.insert(args.end(), {"--source-uri", "github.com/org/app"});
  auto prov = verify(args, "verify-provenance");
  EXPECT_EQ(prov.exit_code, 0) << prov.describe();
  auto att = verify(identity(), "verify-attestation");
  EXPECT_EQ(att.exit_code, 0) << att.describe();
}

}  // namespace
}  // namespace sigil::test
