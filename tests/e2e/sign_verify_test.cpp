// sigil sign / verify on image layouts: round trips for every key type, the tamper matrix (each
// case asserting the reason it is refused for), required annotations, --recursive, --legacy-tag,
// the candidate bound, and bad input that changes nothing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/file.hpp"
#include "common/json.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/artifact.hpp"
#include "oci/layout_store.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "sign/cosign_image.hpp"
#include "sign/keys.hpp"
#include "sign/signer.hpp"
#include "sign/statement.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

const std::string kPassword = "SIGIL_PASSWORD=sign-test";

void write_text(const fs::path& p, std::string_view text, int mode = 0600) {
  std::ofstream(p, std::ios::binary) << text;
  ::chmod(p.c_str(), static_cast<mode_t>(mode));
}

// A key pair written as cosign files (password from kPassword), kept in memory too for building
// tampered signatures in-process.
struct KeyFiles {
  fs::path key;
  fs::path pub;
  std::unique_ptr<sign::KeySigner> signer;
};

KeyFiles make_keys(const TempDir& dir, const std::string& name,
                   sign::KeyAlgorithm alg = sign::KeyAlgorithm::ecdsa_p256) {
  KeyFiles k;
  auto key = sign::generate_private_key(alg);
  EXPECT_TRUE(key);
  auto pem = sign::encrypt_cosign_private_key(*key, sign::SecretBytes("sign-test"));
  EXPECT_TRUE(pem);
  k.key = dir / (name + ".key");
  k.pub = dir / (name + ".pub");
  write_text(k.key, *pem);
  write_text(k.pub, key->public_key().to_pem(), 0644);
  k.signer = std::make_unique<sign::KeySigner>(std::move(*key));
  return k;
}

TestImageOptions image_options(std::uint64_t seed, std::optional<std::string> tag = std::nullopt,
                               const std::string& architecture = "amd64") {
  TestImageOptions o;
  o.seed = seed;
  o.tag = std::move(tag);
  o.architecture = architecture;
  return o;
}

// A layout holding one generated image tagged v1.
struct Layout {
  fs::path dir;
  std::unique_ptr<oci::LayoutStore> store;
  oci::Descriptor image;
  std::string ref;  // oci:DIR:v1
  std::string by_digest;
};

Layout make_layout(const TempDir& dir, const std::string& name = "layout", std::uint64_t seed = 1) {
  Layout l;
  l.dir = dir / name;
  auto s = oci::LayoutStore::open(l.dir, true);
  EXPECT_TRUE(s) << s.error().message;
  l.store = std::move(*s);
  auto image = write_test_image(*l.store, image_options(seed, "v1"));
  EXPECT_TRUE(image) << image.error().message;
  l.image = image->manifest;
  l.ref = "oci:" + l.dir.string() + ":v1";
  l.by_digest = "oci:" + l.dir.string() + "@" + l.image.digest.str();
  return l;
}

RunResult sign_cli(const std::vector<std::string>& args) {
  return run_sigil(args, std::chrono::seconds(120), {kPassword});
}

std::size_t referrer_count(oci::Store& store, const oci::Digest& subject) {
  auto r = store.referrers(subject);
  EXPECT_TRUE(r) << r.error().message;
  return r ? r->size() : 0;
}

// Pushes a bundle made from `statement` and signed by `signer` as a referrer of `subject`.
void push_statement(oci::Store& store, const oci::Descriptor& subject, sign::Signer& signer,
                    const std::string& statement, const std::string& predicate_annotation) {
  auto bundle = sign::sign_dsse_bundle(signer, sign::kInTotoPayloadType, statement);
  ASSERT_TRUE(bundle) << bundle.error().message;
  auto pushed = sign::attach_bundle(store, subject, *bundle, predicate_annotation, "");
  ASSERT_TRUE(pushed) << pushed.error().message;
}

// Pushes arbitrary bytes as a bundle referrer (artifactType bundle v0.3) with the given layer type.
void push_raw_bundle(oci::Store& store, const oci::Descriptor& subject, const std::string& bytes,
                     const std::string& layer_type = std::string(sign::kBundleMediaTypeV03)) {
  auto pushed =
      oci::attach_artifact(store, subject, sign::kBundleMediaTypeV03, {{layer_type, bytes, {}}},
                           {{"dev.sigstore.bundle.content", "dsse-envelope"}}, oci::ManifestStyle::cosign);
  ASSERT_TRUE(pushed) << pushed.error().message;
}

// Verifies `ref` with `pub` and expects a refusal whose reason contains `reason`.
void expect_refused(const std::string& ref, const fs::path& pub, const std::string& reason,
                    const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"verify", ref, "--key", pub.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_sigil(args);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find(reason), std::string::npos) << "expected reason \"" << reason << "\" in: " << r.err;
  EXPECT_NE(r.err.find("no valid signature"), std::string::npos) << r.err;
}

TEST(SignVerifyE2e, RoundTripForEveryKeyType) {
  for (std::string alg : {"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-3072"}) {
    SCOPED_TRACE(alg);
    TempDir dir;
    std::string prefix = (dir / "k").string();
    auto gen = run_sigil({"generate-key-pair", "--output-key-prefix", prefix, "--algorithm", alg},
                         std::chrono::seconds(120), {kPassword});
    ASSERT_EQ(gen.exit_code, 0) << gen.describe();
    Layout l = make_layout(dir);
    auto s = sign_cli({"sign", l.ref, "--key", prefix + ".key"});
    ASSERT_EQ(s.exit_code, 0) << s.describe();
    EXPECT_NE(s.err.find("uses a tag, not a digest"), std::string::npos) << s.err;
    EXPECT_NE(s.out.find(l.image.digest.str()), std::string::npos) << s.out;

    auto v = run_sigil({"verify", l.by_digest, "--key", prefix + ".pub"});
    ASSERT_EQ(v.exit_code, 0) << v.describe();
    EXPECT_NE(v.out.find("sigstore-bundle"), std::string::npos) << v.out;
    EXPECT_EQ(v.err.find("uses a tag"), std::string::npos)
        << "no tag warning for a digest reference: " << v.err;

    auto j = run_sigil({"verify", l.ref, "--key", prefix + ".pub", "--output", "json"});
    ASSERT_EQ(j.exit_code, 0) << j.describe();
    auto doc = parse_json(j.out, "verify output");
    ASSERT_TRUE(doc) << j.out;
    ASSERT_TRUE(doc->is_array());
    EXPECT_EQ((*doc)[0]["digest"], l.image.digest.str());
    EXPECT_EQ((*doc)[0]["verified"], true);
    EXPECT_EQ((*doc)[0]["signatures"][0]["format"], "sigstore-bundle");
    auto key = sign::load_public_key(*read_file(prefix + ".pub", 1 << 20));
    ASSERT_TRUE(key);
    EXPECT_EQ((*doc)[0]["signatures"][0]["keyId"], key->key_id());
  }
}

TEST(SignVerifyE2e, TamperedPayloadIsRefusedAtTheSignature) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  Layout l = make_layout(dir);
  auto bundle = sign::sign_dsse_bundle(*k.signer, sign::kInTotoPayloadType,
                                       sign::image_signature_statement(l.image.digest, {{"env", "dev"}}));
  ASSERT_TRUE(bundle);
  // Same signature, other claims: the PAE no longer matches.
  std::get<sign::Envelope>(bundle->content).payload =
      sign::image_signature_statement(l.image.digest, {{"env", "prod"}});
  ASSERT_TRUE(sign::attach_bundle(*l.store, l.image, *bundle, sign::kCosignSignPredicateType, ""));
  expect_refused(l.by_digest, k.pub, "no trusted key verifies the signature");
}

TEST(SignVerifyE2e, ChangedSignatureIsRefused) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  Layout l = make_layout(dir);
  auto bundle = sign::sign_dsse_bundle(*k.signer, sign::kInTotoPayloadType,
                                       sign::image_signature_statement(l.image.digest, {}));
  ASSERT_TRUE(bundle);
  auto& sig = std::get<sign::Envelope>(bundle->content).signatures[0].sig;
  sig[sig.size() / 2] = static_cast<char>(sig[sig.size() / 2] ^ 0x01);
  ASSERT_TRUE(sign::attach_bundle(*l.store, l.image, *bundle, sign::kCosignSignPredicateType, ""));
  expect_refused(l.by_digest, k.pub, "no trusted key verifies the signature");
}

TEST(SignVerifyE2e, WrongKeyIsRefused) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  KeyFiles other = make_keys(dir, "other");
  Layout l = make_layout(dir);
  ASSERT_EQ(sign_cli({"sign", l.by_digest, "--key", k.key.string()}).exit_code, 0);
  expect_refused(l.by_digest, other.pub, "no trusted key verifies the signature");
}

TEST(SignVerifyE2e, SignatureCopiedFromAnotherImageIsASubjectMismatch) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  Layout l = make_layout(dir);
  auto other = write_test_image(*l.store, image_options(99));
  ASSERT_TRUE(other);
  ASSERT_EQ(sign_cli({"sign", "oci:" + l.dir.string() + "@" + other->manifest.digest.str(), "--key",
                      k.key.string()})
                .exit_code,
            0);
  // The other image's valid referrer, re-attached (bundle bytes unchanged) to our image.
  auto refs = l.store->referrers(other->manifest.digest);
  ASSERT_TRUE(refs);
  ASSERT_EQ(refs->size(), 1u);
  auto raw = l.store->fetch_manifest((*refs)[0]);
  ASSERT_TRUE(raw);
  auto m = oci::Manifest::parse(*raw);
  ASSERT_TRUE(m);
  auto bytes = l.store->fetch_blob_bytes(m->layers[0], 1 << 20);
  ASSERT_TRUE(bytes);
  push_raw_bundle(*l.store, l.image, *bytes);
  expect_refused(l.by_digest, k.pub, "statement has no subject with digest " + l.image.digest.str());
}

TEST(SignVerifyE2e, TruncatedAndMalformedBundlesAreRefused) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  Layout l = make_layout(dir);
  auto bundle = sign::sign_dsse_bundle(*k.signer, sign::kInTotoPayloadType,
                                       sign::image_signature_statement(l.image.digest, {}));
  ASSERT_TRUE(bundle);
  std::string bytes = sign::serialize_bundle(*bundle);
  push_raw_bundle(*l.store, l.image, bytes.substr(0, bytes.size() / 2));
  expect_refused(l.by_digest, k.pub, "malformed bundle");

  TempDir dir2;
  Layout l2 = make_layout(dir2);
  push_raw_bundle(*l2.store, l2.image, R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"})");
  expect_refused(l2.by_digest, k.pub, "malformed bundle");
}

TEST(SignVerifyE2e, UnknownBundleMediaTypeIsRefused) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  Layout l = make_layout(dir);
  auto bundle = sign::sign_dsse_bundle(*k.signer, sign::kInTotoPayloadType,
                                       sign::image_signature_statement(l.image.digest, {}));
  ASSERT_TRUE(bundle);
  push_raw_bundle(*l.store, l.image, sign::serialize_bundle(*bundle),
                  "application/vnd.dev.sigstore.bundle.v0.9+json");
  expect_refused(l.by_digest, k.pub,
                 "unknown bundle media type \"application/vnd.dev.sigstore.bundle.v0.9+json\"");
}

TEST(SignVerifyE2e, AnotherPredicateTypeSignedBySameKeyDoesNotCount) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  Layout l = make_layout(dir);
  sign::Statement statement;
  statement.subjects.push_back(sign::Subject{"", {{"sha256", l.image.digest.hex()}}, nullptr});
  statement.predicate_type = "https://slsa.dev/provenance/v1";
  std::string provenance = sign::serialize_statement(statement);
  // Honestly labelled: an attestation, no candidate at all.
  push_statement(*l.store, l.image, *k.signer, provenance, "https://slsa.dev/provenance/v1");
  auto honest = run_sigil({"verify", l.by_digest, "--key", k.pub.string()});
  EXPECT_EQ(honest.exit_code, 1) << honest.describe();
  EXPECT_NE(honest.err.find("no signatures found"), std::string::npos) << honest.err;
  // Labelled as a signature: examined, and refused for what it signs.
  push_statement(*l.store, l.image, *k.signer, provenance, std::string(sign::kCosignSignPredicateType));
  expect_refused(l.by_digest, k.pub,
                 "predicateType \"https://slsa.dev/provenance/v1\" is not an image signature");
}

TEST(SignVerifyE2e, WrongPasswordIsOneClearErrorAndPushesNothing) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  Layout l = make_layout(dir);
  auto r = run_sigil({"sign", l.by_digest, "--key", k.key.string()}, std::chrono::seconds(60),
                     {"SIGIL_PASSWORD=nope"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  EXPECT_NE(r.err.find("wrong password"), std::string::npos) << r.err;
  EXPECT_EQ(referrer_count(*l.store, l.image.digest), 0u);
}

TEST(SignVerifyE2e, KeyReadableByOthersIsWarnedAbout) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  ::chmod(k.key.c_str(), 0644);
  Layout l = make_layout(dir);
  auto r = sign_cli({"sign", l.by_digest, "--key", k.key.string()});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("accessible by group or others"), std::string::npos) << r.err;
}

TEST(SignVerifyE2e, MoreCandidatesThanTheBound) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  KeyFiles other = make_keys(dir, "other");
  Layout l = make_layout(dir);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(sign_cli({"sign", l.by_digest, "--key", other.key.string()}).exit_code, 0);
  auto r = run_sigil({"verify", l.by_digest, "--key", k.pub.string(), "--max-candidates", "2"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("examined 2 of 3 signature candidates"), std::string::npos) << r.err;
  auto j =
      run_sigil({"verify", l.by_digest, "--key", other.pub.string(), "--max-candidates", "2", "-o", "json"});
  EXPECT_EQ(j.exit_code, 0) << j.describe();
  auto doc = parse_json(j.out, "verify output");
  ASSERT_TRUE(doc) << j.out;
  EXPECT_EQ((*doc)[0]["found"], 3);
  EXPECT_EQ((*doc)[0]["examined"], 2);
  auto bad = run_sigil({"verify", l.by_digest, "--key", k.pub.string(), "--max-candidates", "0"});
  EXPECT_EQ(bad.exit_code, 2) << bad.describe();
}

TEST(SignVerifyE2e, RequiredAnnotations) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  Layout l = make_layout(dir);
  ASSERT_EQ(
      sign_cli({"sign", l.by_digest, "--key", k.key.string(), "-a", "env=prod", "-a", "team=core"}).exit_code,
      0);
  auto ok = run_sigil({"verify", l.by_digest, "--key", k.pub.string(), "-a", "env=prod"});
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_NE(ok.out.find(R"({"env":"prod","team":"core"})"), std::string::npos) << ok.out;
  expect_refused(l.by_digest, k.pub, "annotation \"env\" is \"prod\", required \"dev\"", {"-a", "env=dev"});
  expect_refused(l.by_digest, k.pub, "annotation \"owner\" is missing", {"-a", "owner=me"});
  auto bad = sign_cli({"sign", l.by_digest, "--key", k.key.string(), "-a", "novalue"});
  EXPECT_EQ(bad.exit_code, 2) << bad.describe();
}

TEST(SignVerifyE2e, RecursiveSignsEveryPlatformOfAnIndex) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  Layout l = make_layout(dir);
  auto arm = write_test_image(*l.store, image_options(7, std::nullopt, "arm64"));
  ASSERT_TRUE(arm);
  oci::Index index;
  oci::Descriptor amd_entry = l.image;
  amd_entry.platform = oci::Platform{"linux", "amd64", "", "", {}};
  oci::Descriptor arm_entry = arm->manifest;
  arm_entry.platform = oci::Platform{"linux", "arm64", "", "", {}};
  index.manifests = {amd_entry, arm_entry};
  auto index_desc = l.store->push_manifest(index.serialize(), oci::media_type::kOciIndex, "multi");
  ASSERT_TRUE(index_desc) << index_desc.error().message;
  std::string multi = "oci:" + l.dir.string() + ":multi";
  auto digest_ref = [&](const oci::Digest& d) { return "oci:" + l.dir.string() + "@" + d.str(); };

  ASSERT_EQ(sign_cli({"sign", multi, "--key", k.key.string()}).exit_code, 0);
  EXPECT_EQ(run_sigil({"verify", multi, "--key", k.pub.string()}).exit_code, 0);
  EXPECT_EQ(run_sigil({"verify", digest_ref(arm->manifest.digest), "--key", k.pub.string()}).exit_code, 1);

  auto r = sign_cli({"sign", multi, "--key", k.key.string(), "--recursive"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
  EXPECT_EQ(run_sigil({"verify", digest_ref(arm->manifest.digest), "--key", k.pub.string()}).exit_code, 0);
  EXPECT_EQ(run_sigil({"verify", digest_ref(l.image.digest), "--key", k.pub.string()}).exit_code, 0);
}

TEST(SignVerifyE2e, LegacyTagIsWrittenAndVerifiedAndTheLayoutStaysReadable) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  Layout l = make_layout(dir);
  ASSERT_EQ(sign_cli({"sign", l.ref, "--key", k.key.string(), "--legacy-tag", "-a", "n=1"}).exit_code, 0);
  auto tags = l.store->tags();
  ASSERT_TRUE(tags);
  std::string tag = sign::legacy_signature_tag(l.image.digest);
  EXPECT_NE(std::find(tags->begin(), tags->end(), tag), tags->end());

  // Both formats verify and are reported, the legacy one with its (unenforced) docker-reference.
  auto v = run_sigil({"verify", l.by_digest, "--key", k.pub.string(), "-a", "n=1"});
  ASSERT_EQ(v.exit_code, 0) << v.describe();
  EXPECT_NE(v.out.find("simple-signing"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("sigstore-bundle"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("docker-reference"), std::string::npos) << v.out;

  // A second legacy signature is appended to the same tag.
  ASSERT_EQ(sign_cli({"sign", l.by_digest, "--key", k.key.string(), "--legacy-tag"}).exit_code, 0);
  std::size_t total = 0;
  auto layers = sign::read_legacy_layers(*l.store, tag, 10, total);
  ASSERT_TRUE(layers);
  EXPECT_EQ(total, 2u);

  if (!on_path("skopeo")) GTEST_SKIP() << "skopeo not installed";
  for (const std::string& t : {std::string("v1"), tag}) {
    auto inspect = run_program({"skopeo", "inspect", "--raw", "oci:" + l.dir.string() + ":" + t});
    EXPECT_EQ(inspect.exit_code, 0) << inspect.describe();
  }
  auto inspect = run_program({"skopeo", "inspect", "oci:" + l.dir.string() + ":v1"});
  EXPECT_EQ(inspect.exit_code, 0) << inspect.describe();
  EXPECT_NE(inspect.out.find(l.image.digest.str()), std::string::npos) << inspect.out;
}

TEST(SignVerifyE2e, BadInputChangesNothing) {
  TempDir dir;
  KeyFiles k = make_keys(dir, "k");
  Layout l = make_layout(dir);
  std::string missing = "oci:" + (dir / "nowhere").string() + ":v1";
  // A public key where a private one is expected (mode 0600, so the only line is the error).
  fs::path pub_as_key = dir / "pub-as-key.pem";
  write_text(pub_as_key, *read_file(k.pub, 1 << 20));
  struct Case {
    std::vector<std::string> args;
  };
  std::vector<Case> cases = {
      {{"sign", l.by_digest}},                                       // no --key
      {{"sign", "--key", k.key.string()}},                           // no image
      {{"sign", l.by_digest, missing, "--key", k.key.string()}},     // second image missing
      {{"sign", l.by_digest, "bad ref!", "--key", k.key.string()}},  // second image malformed
      {{"sign", l.by_digest, "--key", (dir / "nokey").string()}},    // key file missing
      {{"sign", l.by_digest, "--key", pub_as_key.string()}},         // a public key
      {{"sign", l.by_digest, "--key", k.key.string(), "--target-repository", missing}},  // tag in target
      {{"verify", l.by_digest, "--key", k.pub.string(), "--output", "yaml"}},
      {{"verify", missing, "--key", k.pub.string()}},
      {{"verify", l.by_digest}},
  };
  for (const auto& c : cases) {
    auto r = sign_cli(c.args);
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << r.describe();
    EXPECT_EQ(r.stderr_lines(), 1u) << joined << r.err;
    EXPECT_TRUE(r.err.starts_with("sigil: error: ")) << joined << r.err;
  }
  EXPECT_EQ(referrer_count(*l.store, l.image.digest), 0u);
  EXPECT_FALSE(fs::exists(dir / "nowhere"));
}

}  // namespace
}  // namespace sigil::test
