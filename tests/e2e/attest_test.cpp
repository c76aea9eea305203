// sigil attest / verify-attestation on image layouts: a round trip for every cosign predicate type
// (and a URI), the refusal matrix (tampered statement, statement moved from another image, wrong
// key, wrong --type, mislabelled referrer), bad input that changes nothing, and BuildKit's
// unsigned attestation manifests reported as unsigned.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>

#include "common/base64.hpp"
#include "common/file.hpp"
#include "common/json.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/artifact.hpp"
#include "oci/layout_store.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "sign/cosign_image.hpp"
#include "sign/dsse.hpp"
#include "sign/keys.hpp"
#include "sign/signer.hpp"
#include "sign/statement.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;
using Ordered = nlohmann::ordered_json;

const std::string kPassword = "SIGIL_PASSWORD=attest-test";

void write_text(const fs::path& p, std::string_view text) { std::ofstream(p, std::ios::binary) << text; }

// Every file of a directory tree with its bytes: "the layout is unchanged" compares two of these.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    out[fs::relative(e.path(), dir).string()] = read_file(e.path(), 1 << 26).value_or("<unreadable>");
  }
  return out;
}

// One predicate file per cosign type, valid for it.
struct TypeCase {
  std::string type;
  std::string uri;
  std::string predicate;
};

const std::string kSlsa02 = R"({"builder":{"id":"https://example.com/builder"},"buildType":"https://example.com/bt","invocation":{}})";
const std::string kSlsa1 =
    R"({"buildDefinition":{"buildType":"https://example.com/bt/v1","externalParameters":{"x":1.50},"resolvedDependencies":[{"uri":"git+https://github.com/org/repo","digest":{"gitCommit":"0123456789abcdef0123456789abcdef01234567"}}]},"runDetails":{"builder":{"id":"https://example.com/builder"},"metadata":{"invocationId":"run-1","startedOn":"2024-01-02T03:04:05Z","finishedOn":"2024-01-02T03:05:05Z"}}})";
const std::string kLink =
    R"({"_type":"link","name":"build","materials":{},"products":{},"byproducts":{},"command":["make"],"environment":{}})";
const std::string kCycloneDx = R"({"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]})";
const std::string kSpdx = R"({"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"x","packages":[]})";
const std::string kOpenVex = R"({"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1","statements":[]})";
const std::string kVuln = R"({"invocation":{"uri":"x"},"scanner":{"uri":"trivy","version":"0.50","result":{}},"metadata":{}})";

std::vector<TypeCase> type_cases() {
  return {
      {"custom", "https://cosign.sigstore.dev/attestation/v1", "free text\nwith \"quotes\" and é\n"},
      {"slsaprovenance", "https://slsa.dev/provenance/v0.2", kSlsa02},
      {"slsaprovenance02", "https://slsa.dev/provenance/v0.2", kSlsa02},
      {"slsaprovenance1", "https://slsa.dev/provenance/v1", kSlsa1},
      {"link", "https://in-toto.io/Link/v1", kLink},
      {"spdx", "https://spdx.dev/Document", kSpdx},
      {"spdxjson", "https://spdx.dev/Document", kSpdx},
      {"cyclonedx", "https://cyclonedx.org/bom", kCycloneDx},
      {"vuln", "https://cosign.sigstore.dev/attestation/vuln/v1", kVuln},
      {"openvex", "https://openvex.dev/ns", kOpenVex},
      {"https://example.com/predicates/custom/v1", "https://example.com/predicates/custom/v1", R"({"b":2,"a":[1,2.5]})"},
  };
}

class AttestE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string name : {"k", "other"}) {
      auto gen = run_sigil({"generate-key-pair", "--output-key-prefix", (dir_ / name).string()},
                           std::chrono::seconds(60), {kPassword});
      ASSERT_EQ(gen.exit_code, 0) << gen.describe();
    }
    key_ = (dir_ / "k.key").string();
    pub_ = (dir_ / "k.pub").string();
    other_pub_ = (dir_ / "other.pub").string();
    auto pem = read_file(key_, 1 << 16);
    ASSERT_TRUE(pem);
    auto private_key = sign::load_private_key(*pem, sign::SecretBytes("attest-test"));
    ASSERT_TRUE(private_key) << private_key.error().message;
    signer_ = std::make_unique<sign::KeySigner>(std::move(*private_key));
    layout_ = dir_ / "layout";
    auto store = oci::LayoutStore::open(layout_, true);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    TestImageOptions options;
    options.tag = "v1";
    auto image = write_test_image(*store_, options);
    ASSERT_TRUE(image) << image.error().message;
    image_ = image->manifest;
    ref_ = "oci:" + layout_.string() + ":v1";
    by_digest_ = "oci:" + layout_.string() + "@" + image_.digest.str();
  }

  RunResult sigil(const std::vector<std::string>& args) {
    return run_sigil(args, std::chrono::seconds(120), {kPassword, "SOURCE_DATE_EPOCH=1700000000"});
  }

  fs::path predicate_file(const std::string& name, std::string_view text) {
    fs::path p = dir_ / name;
    write_text(p, text);
    return p;
  }

  // The statements verify-attestation --output json printed, one envelope per line.
  std::vector<sign::Statement> json_statements(const RunResult& r) {
    std::vector<sign::Statement> out;
    std::size_t start = 0;
    while (start < r.out.size()) {
      std::size_t end = r.out.find('\n', start);
      std::string line = r.out.substr(start, end - start);
      start = end == std::string::npos ? r.out.size() : end + 1;
      auto envelope = sign::parse_envelope(line);
      EXPECT_TRUE(envelope) << line;
      if (!envelope) continue;
      EXPECT_EQ(envelope->payload_type, "application/vnd.in-toto+json");
      auto statement = sign::parse_statement(envelope->payload);
      EXPECT_TRUE(statement) << envelope->payload;
      if (statement) out.push_back(std::move(*statement));
    }
    return out;
  }

  // Pushes `statement` signed by our key as a bundle referrer of `subject`, announced as `announced`.
  void push_signed(const oci::Descriptor& subject, const std::string& statement, const std::string& announced) {
    auto bundle = sign::sign_dsse_bundle(*signer_, sign::kInTotoPayloadType, statement);
    ASSERT_TRUE(bundle) << bundle.error().message;
    ASSERT_TRUE(sign::attach_bundle(*store_, subject, *bundle, announced, ""));
  }

  std::string statement_about(const oci::Digest& digest, const std::string& type, const Ordered& predicate) {
    sign::Statement s;
    s.subjects.push_back(sign::Subject{"x", {{"sha256", digest.hex()}}, nullptr});
    s.predicate_type = type;
    s.predicate = predicate;
    return sign::serialize_statement(s);
  }

  void expect_denied(const std::vector<std::string>& args, const std::string& reason) {
    auto r = sigil(args);
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find(reason), std::string::npos) << "expected \"" << reason << "\" in: " << r.err;
    EXPECT_NE(r.err.find("no valid attestation"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }

  TempDir dir_;
  std::string key_, pub_, other_pub_;
  std::unique_ptr<sign::KeySigner> signer_;
  fs::path layout_;
  std::unique_ptr<oci::LayoutStore> store_;
  oci::Descriptor image_;
  std::string ref_, by_digest_;
};

TEST_F(AttestE2e, RoundTripForEveryPredicateType) {
  auto cases = type_cases();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.type);
    fs::path file = predicate_file("pred-" + std::to_string(&c - cases.data()), c.predicate);
    auto a = sigil({"attest", ref_, "--predicate", file.string(), "--type", c.type, "--key", key_});
    ASSERT_EQ(a.exit_code, 0) << a.describe();
    EXPECT_NE(a.err.find("uses a tag, not a digest"), std::string::npos) << a.err;
    EXPECT_EQ(a.out.substr(0, a.out.find(' ')), image_.digest.str()) << a.out;

    auto t = sigil({"verify-attestation", by_digest_, "--key", pub_, "--type", c.type});
    ASSERT_EQ(t.exit_code, 0) << t.describe();
    EXPECT_NE(t.out.find(c.uri), std::string::npos) << t.out;
    EXPECT_NE(t.err.find("The following checks were performed"), std::string::npos) << t.err;

    auto j = sigil({"verify-attestation", by_digest_, "--key", pub_, "--type", c.uri, "--output", "json"});
    ASSERT_EQ(j.exit_code, 0) << j.describe();
    auto statements = json_statements(j);
    ASSERT_FALSE(statements.empty());
    const sign::Statement& s = statements.back();
    EXPECT_EQ(s.type, "https://in-toto.io/Statement/v1");
    EXPECT_EQ(s.predicate_type, c.uri);
    ASSERT_EQ(s.subjects.size(), 1u);
    EXPECT_EQ(s.subjects[0].name, layout_.string());
    EXPECT_EQ(s.subjects[0].digest.at("sha256"), image_.digest.hex());
    if (c.type == "custom") {
      EXPECT_EQ(s.predicate["Data"], c.predicate);
      EXPECT_EQ(s.predicate["Timestamp"], "2023-11-14T22:13:20Z");  // SOURCE_DATE_EPOCH
    } else {
      // The predicate is the file's JSON as written, member order kept.
      EXPECT_EQ(s.predicate.dump(), Ordered::parse(c.predicate).dump());
    }
  }
  // Stored as cosign v3 does: bundle referrers announcing their predicate type.
  auto refs = store_->referrers(image_.digest);
  ASSERT_TRUE(refs);
  ASSERT_EQ(refs->size(), cases.size());
  for (const auto& r : *refs) {
    EXPECT_EQ(r.artifact_type, "application/vnd.dev.sigstore.bundle.v0.3+json");
    EXPECT_FALSE(r.annotations.at("dev.sigstore.bundle.predicateType").empty());
    EXPECT_EQ(r.annotations.at("dev.sigstore.bundle.content"), "dsse-envelope");
  }
  // Without --type every attestation is listed; a signature check ignores them all.
  auto all = sigil({"verify-attestation", ref_, "--key", pub_});
  ASSERT_EQ(all.exit_code, 0) << all.describe();
  EXPECT_NE(all.out.find(std::to_string(cases.size()) + " attestations"), std::string::npos) << all.out;
  auto verify = sigil({"verify", by_digest_, "--key", pub_});
  EXPECT_EQ(verify.exit_code, 1) << verify.describe();
}

TEST_F(AttestE2e, SignedAnnotationsAreRequiredOnRequest) {
  fs::path file = predicate_file("sbom.json", kCycloneDx);
  ASSERT_EQ(sigil({"attest", by_digest_, "--predicate", file.string(), "--type", "cyclonedx", "--key", key_, "-a",
                   "env=prod"})
                .exit_code,
            0);
  EXPECT_EQ(sigil({"verify-attestation", by_digest_, "--key", pub_, "-a", "env=prod"}).exit_code, 0);
  expect_denied({"verify-attestation", by_digest_, "--key", pub_, "-a", "env=dev"},
                "annotation \"env\" is \"prod\", required \"dev\"");
}

TEST_F(AttestE2e, TamperedStatementIsRefusedAtTheSignature) {
  auto bundle = sign::sign_dsse_bundle(*signer_, sign::kInTotoPayloadType,
                                       statement_about(image_.digest, "https://cyclonedx.org/bom", {{"a", 1}}));
  ASSERT_TRUE(bundle);
  // Same signature, other claims: the PAE no longer matches.
  std::get<sign::Envelope>(bundle->content).payload =
      statement_about(image_.digest, "https://cyclonedx.org/bom", {{"a", 2}});
  ASSERT_TRUE(sign::attach_bundle(*store_, image_, *bundle, "https://cyclonedx.org/bom", ""));
  expect_denied({"verify-attestation", by_digest_, "--key", pub_}, "no trusted key verifies the signature");
}

TEST_F(AttestE2e, StatementMovedFromAnotherImageIsASubjectMismatch) {
  TestImageOptions options;
  options.seed = 77;
  auto other = write_test_image(*store_, options);
  ASSERT_TRUE(other);
  fs::path file = predicate_file("sbom.json", kCycloneDx);
  std::string other_ref = "oci:" + layout_.string() + "@" + other->manifest.digest.str();
  ASSERT_EQ(sigil({"attest", other_ref, "--predicate", file.string(), "--type", "cyclonedx", "--key", key_}).exit_code, 0);
  ASSERT_EQ(sigil({"verify-attestation", other_ref, "--key", pub_}).exit_code, 0);
  // The other image's valid bundle, bytes unchanged, attached to our image.
  auto refs = store_->referrers(other->manifest.digest);
  ASSERT_TRUE(refs);
  ASSERT_EQ(refs->size(), 1u);
  auto m = oci::Manifest::parse(store_->fetch_manifest((*refs)[0]).value());
  ASSERT_TRUE(m);
  auto bytes = store_->fetch_blob_bytes(m->layers.at(0), 1 << 20);
  ASSERT_TRUE(bytes);
  ASSERT_TRUE(oci::attach_artifact(*store_, image_, sign::kBundleMediaTypeV03,
                                   {{std::string(sign::kBundleMediaTypeV03), *bytes, {}}},
                                   {{"dev.sigstore.bundle.predicateType", "https://cyclonedx.org/bom"}},
                                   oci::ManifestStyle::cosign));
  expect_denied({"verify-attestation", by_digest_, "--key", pub_},
                "statement has no subject with digest " + image_.digest.str());
}

TEST_F(AttestE2e, WrongKeyIsRefused) {
  fs::path file = predicate_file("sbom.json", kCycloneDx);
  ASSERT_EQ(sigil({"attest", by_digest_, "--predicate", file.string(), "--type", "cyclonedx", "--key", key_}).exit_code, 0);
  expect_denied({"verify-attestation", by_digest_, "--key", other_pub_}, "no trusted key verifies the signature");
}

TEST_F(AttestE2e, WrongTypeIsRefused) {
  fs::path file = predicate_file("sbom.json", kCycloneDx);
  ASSERT_EQ(sigil({"attest", by_digest_, "--predicate", file.string(), "--type", "cyclonedx", "--key", key_}).exit_code, 0);
  expect_denied({"verify-attestation", by_digest_, "--key", pub_, "--type", "spdxjson"}, "1 of another type");
  // A referrer announcing one type but signing another is examined, and refused for what it signs.
  push_signed(image_, statement_about(image_.digest, "https://cyclonedx.org/bom", {{"a", 1}}),
              "https://spdx.dev/Document");
  expect_denied({"verify-attestation", by_digest_, "--key", pub_, "--type", "spdxjson"},
                "statement predicateType \"https://cyclonedx.org/bom\" is not the requested \"https://spdx.dev/Document\"");
  // An image signature is not an attestation.
  push_signed(image_, sign::image_signature_statement(image_.digest, {}), "");
  auto r = sigil({"verify-attestation", by_digest_, "--key", pub_, "--type", "cyclonedx", "-v"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("is an image signature"), std::string::npos) << r.err;
}

TEST_F(AttestE2e, BadInputIsOneLineExitTwoAndChangesNothing) {
  fs::path good = predicate_file("good.json", kCycloneDx);
  fs::path malformed = predicate_file("bad.json", R"({"bomFormat": )");
  fs::path array = predicate_file("array.json", "[1,2]");
  fs::path big = predicate_file("big.json", R"({"pad":")" + std::string(4096, 'x') + R"("})");
  fs::path no_run = predicate_file("norun.json", R"({"buildDefinition":{}})");
  fs::path tag_value = predicate_file("doc.spdx", "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n");
  fs::path binary = predicate_file("bin.dat", std::string("\xff\xfe\x00\x01", 4));
  fs::path deep = predicate_file("deep.json", std::string(5000, '[') + std::string(5000, ']'));
  auto before = snapshot(layout_);
  struct Case {
    std::string name;
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {"malformed predicate", {"--predicate", malformed.string(), "--type", "cyclonedx", "--key", key_}, "bad.json"},
      {"not an object", {"--predicate", array.string(), "--type", "cyclonedx", "--key", key_}, "must be a JSON object"},
      {"oversized predicate",
       {"--predicate", big.string(), "--type", "cyclonedx", "--key", key_, "--max-predicate-bytes", "1024"},
       "larger than the limit of 1024 bytes"},
      {"unknown type", {"--predicate", good.string(), "--type", "bogus", "--key", key_}, "unknown predicate type \"bogus\""},
      {"missing --key", {"--predicate", good.string(), "--type", "cyclonedx"}, "--key is required"},
      {"missing key file", {"--predicate", good.string(), "--type", "cyclonedx", "--key", (dir_ / "nope.key").string()},
       "nope.key"},
      {"missing predicate file", {"--predicate", (dir_ / "nope.json").string(), "--key", key_}, "nope.json"},
      {"missing --predicate", {"--type", "cyclonedx", "--key", key_}, "--predicate FILE is required"},
      {"SLSA v1 without runDetails", {"--predicate", no_run.string(), "--type", "slsaprovenance1", "--key", key_},
       "runDetails"},
      {"SPDX tag-value", {"--predicate", tag_value.string(), "--type", "spdx", "--key", key_}, "SPDX JSON only"},
      {"custom binary", {"--predicate", binary.string(), "--type", "custom", "--key", key_}, "not UTF-8"},
      {"too deep", {"--predicate", deep.string(), "--type", "cyclonedx", "--key", key_}, "deep.json"},
      {"zero bound", {"--predicate", good.string(), "--key", key_, "--max-predicate-bytes", "0"}, "--max-predicate-bytes"},
      {"--replace", {"--predicate", good.string(), "--type", "cyclonedx", "--key", key_, "--replace"}, "--replace"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> args{"attest", by_digest_};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = sigil(args);
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(snapshot(layout_), before) << "the layout changed";
  }
  // A wrong password is an input error too, before anything is pushed.
  auto r = run_sigil({"attest", by_digest_, "--predicate", good.string(), "--type", "cyclonedx", "--key", key_},
                     std::chrono::seconds(60), {"SIGIL_PASSWORD=wrong"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(snapshot(layout_), before);
}

TEST_F(AttestE2e, VerifyAttestationUsageErrors) {
  EXPECT_EQ(sigil({"verify-attestation", by_digest_}).exit_code, 2);
  EXPECT_EQ(sigil({"verify-attestation", by_digest_, "--key", pub_, "--type", "bogus"}).exit_code, 2);
  EXPECT_EQ(sigil({"verify-attestation", by_digest_, "--key", pub_, "--output", "yaml"}).exit_code, 2);
  EXPECT_EQ(sigil({"verify-attestation", by_digest_, "--key", pub_, "--max-candidates", "0"}).exit_code, 2);
  auto none = sigil({"verify-attestation", by_digest_, "--key", pub_});
  EXPECT_EQ(none.exit_code, 1) << none.describe();
  EXPECT_NE(none.err.find("no signed attestations found"), std::string::npos) << none.err;
}

// Pushes a blob held in memory and returns its descriptor.
oci::Descriptor push_blob(oci::Store& store, const std::string& bytes, std::string_view media_type,
                          oci::Annotations annotations = {}) {
  oci::Descriptor d = oci::Descriptor::of(bytes, media_type);
  d.annotations = std::move(annotations);
  EXPECT_TRUE(store.push_blob_bytes(d, bytes));
  return d;
}

TEST_F(AttestE2e, BuildKitAttestationManifestsAreReportedUnsigned) {
  // An index as BuildKit writes it: the image, and an attestation manifest about it holding an
  // unsigned SLSA provenance statement (platform unknown/unknown, vnd.docker.reference.* annotations).
  std::string statement = statement_about(image_.digest, "https://slsa.dev/provenance/v0.2",
                                          Ordered::parse(kSlsa02));
  oci::Descriptor layer = push_blob(*store_, statement, "application/vnd.in-toto+json",
                                    {{"in-toto.io/predicate-type", "https://slsa.dev/provenance/v0.2"}});
  oci::Descriptor config = push_blob(*store_, R"({"architecture":"unknown","os":"unknown","rootfs":{"type":"layers","diff_ids":[]}})",
                                     oci::media_type::kOciConfig);
  oci::Manifest att;
  att.media_type = std::string(oci::media_type::kOciManifest);
  att.config = config;
  att.layers = {layer};
  std::string att_raw = att.serialize();
  auto att_desc = store_->push_manifest(att_raw, oci::media_type::kOciManifest, std::nullopt);
  ASSERT_TRUE(att_desc) << att_desc.error().message;
  oci::Index index;
  index.media_type = std::string(oci::media_type::kOciIndex);
  oci::Descriptor image_entry = image_;
  image_entry.platform = oci::Platform{"linux", "amd64", "", "", {}};
  oci::Descriptor att_entry = oci::Descriptor::of(att_raw, oci::media_type::kOciManifest);
  att_entry.platform = oci::Platform{"unknown", "unknown", "", "", {}};
  att_entry.annotations = {{"vnd.docker.reference.type", "attestation-manifest"},
                           {"vnd.docker.reference.digest", image_.digest.str()}};
  index.manifests = {image_entry, att_entry};
  std::string index_raw = index.serialize();
  ASSERT_TRUE(store_->push_manifest(index_raw, oci::media_type::kOciIndex, std::string("multi")));
  std::string index_ref = "oci:" + layout_.string() + ":multi";

  auto r = sigil({"verify-attestation", index_ref, "--key", pub_});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(r.out.empty()) << "an unsigned statement is never printed as verified: " << r.out;
  EXPECT_NE(r.err.find("unsigned BuildKit attestation https://slsa.dev/provenance/v0.2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not verified (unsigned)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 unsigned"), std::string::npos) << r.err;

  // A signed attestation of the index verifies; the BuildKit one is still reported unsigned.
  fs::path file = predicate_file("sbom.json", kCycloneDx);
  ASSERT_EQ(sigil({"attest", index_ref, "--predicate", file.string(), "--type", "cyclonedx", "--key", key_}).exit_code, 0);
  auto j = sigil({"verify-attestation", index_ref, "--key", pub_, "--output", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.describe();
  auto statements = json_statements(j);
  ASSERT_EQ(statements.size(), 1u) << j.out;
  EXPECT_EQ(statements[0].predicate_type, "https://cyclonedx.org/bom");
  EXPECT_NE(j.err.find("unsigned BuildKit attestation"), std::string::npos) << j.err;
  // --type filters the unsigned ones too.
  auto spdx = sigil({"verify-attestation", index_ref, "--key", pub_, "--type", "spdxjson"});
  EXPECT_EQ(spdx.exit_code, 1);
  EXPECT_EQ(spdx.err.find("unsigned BuildKit"), std::string::npos) << spdx.err;
}

}  // namespace
}  // namespace sigil::test
