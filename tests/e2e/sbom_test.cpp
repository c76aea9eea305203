// sigil sbom end to end: this machine's dpkg database against dpkg-query, an image whose upper
// layer whites out a package, deterministic output, and usage errors that write nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "common/file.hpp"
#include "common/json.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/layout_store.hpp"
#include "sbom/formats/spdx.hpp"
#include "sign/bundle.hpp"
#include "sign/dsse.hpp"
#include "sign/keys.hpp"
#include "sign/statement.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/sbom_image.hpp"

namespace sigil {
namespace {

namespace fs = std::filesystem;
using test::file;

std::string property(const Json& component, const std::string& name) {
  if (!component.contains("properties")) return "";
  for (const auto& p : component["properties"]) {
    if (p["name"] == name) return p["value"].get<std::string>();
  }
  return "";
}

TEST(SbomCli, DirRootListsExactlyTheInstalledDebs) {
  if (!fs::exists("/var/lib/dpkg/status") || !test::on_path("dpkg-query")) GTEST_SKIP() << "not a dpkg system";
  auto oracle = test::run_program(
      {"dpkg-query", "-W", "-f", "${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\n"});
  ASSERT_EQ(oracle.exit_code, 0) << oracle.describe();
  std::set<std::string> expected;
  std::size_t start = 0;
  while (start < oracle.out.size()) {
    auto end = oracle.out.find('\n', start);
    std::string line = oracle.out.substr(start, end - start);
    start = end == std::string::npos ? oracle.out.size() : end + 1;
    if (line.size() < 3 || line[1] != 'i' || (line[0] != 'i' && line[0] != 'h')) continue;
    expected.insert(line.substr(line.find('\t') + 1));
  }
  ASSERT_FALSE(expected.empty());
  auto r = test::run_sigil({"sbom", "dir:/"}, std::chrono::seconds(600));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out, "sbom");
  ASSERT_TRUE(doc) << doc.error().message;
  std::set<std::string> got;
  for (const auto& c : (*doc)["components"]) {
    if (property(c, "sigil:package:type") != "deb") continue;
    got.insert(c["name"].get<std::string>() + "\t" + c["version"].get<std::string>() + "\t" +
               property(c, "sigil:metadata:architecture"));
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ((*doc)["metadata"]["component"]["type"], "file");
}

class SbomImage : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = oci::LayoutStore::open(dir.path() / "layout", true);
    ASSERT_TRUE(store);
    std::string status_ab =
        "Package: keep\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\nMaintainer: K <k@example.org>\n"
        "Depends: gone\n\n"
        "Package: gone\nStatus: install ok installed\nVersion: 2.0\nArchitecture: amd64\n";
    std::string status_a = "Package: keep\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n";
    std::vector<std::vector<test::LayerEntry>> layers = {
        {file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
         file("var/lib/dpkg/status", status_ab), file("var/lib/dpkg/info/keep.list", "/usr/bin/keep\n"),
         file("var/lib/dpkg/info/gone.list", "/usr/bin/gone\n/usr/lib/python3/dist-packages/gone_py-1.0.dist-info/METADATA\n"),
         file("usr/bin/keep", "k"), file("usr/bin/gone", "g"),
         file("usr/lib/python3/dist-packages/gone_py-1.0.dist-info/METADATA", "Name: gone_py\nVersion: 1.0\n"),
         file("usr/lib/python3/dist-packages/kept-2.0.dist-info/METADATA", "Name: kept\nVersion: 2.0\nLicense: MIT\n")},
        {file("var/lib/dpkg/status", status_a), file("var/lib/dpkg/info/.wh.gone.list", ""), file("usr/bin/.wh.gone", ""),
         file("usr/lib/python3/dist-packages/.wh.gone_py-1.0.dist-info", "")},
    };
    auto desc = test::write_sbom_image(**store, layers, "v1");
    ASSERT_TRUE(desc) << desc.error().message;
    digest = desc->digest.str();
    ref = "oci:" + (dir.path() / "layout").string() + ":v1";
  }
  test::TempDir dir;
  std::string ref;
  std::string digest;
};

TEST_F(SbomImage, CatalogsOnlyTheFinalFilesystem) {
  auto r = test::run_sigil({"sbom", ref, "-o", "cyclonedx-json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out, "sbom");
  ASSERT_TRUE(doc) << doc.error().message;
  std::set<std::string> names;
  for (const auto& c : (*doc)["components"]) names.insert(c["name"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"keep", "kept", "debian"}));
  EXPECT_EQ((*doc)["metadata"]["component"]["type"], "container");
  EXPECT_EQ((*doc)["metadata"]["component"]["version"], digest);
  for (const auto& c : (*doc)["components"]) {
    if (c["name"] == "keep") {
      EXPECT_EQ(c["purl"], "pkg:deb/debian/keep@1.0?arch=amd64&distro=debian-12");
      EXPECT_EQ(property(c, "sigil:location:0:path"), "/var/lib/dpkg/status");
      EXPECT_FALSE(property(c, "sigil:location:0:layerID").empty());
    }
  }
  EXPECT_FALSE(doc->contains("dependencies"));  // "gone" is gone, and so is the edge
}

TEST_F(SbomImage, DeterministicOutputInEveryFormat) {
  fs::path out = dir.path() / "out";
  fs::create_directories(out);
  std::vector<std::string> args{"sbom", ref};
  for (const char* f : {"cyclonedx-json", "cyclonedx-json@1.5", "cyclonedx-json@1.7", "spdx-json"}) {
    args.push_back("-o");
    args.push_back(std::string(f) + "=" + (out / (std::string(f) + ".json")).string());
  }
  auto first = test::run_sigil(args, std::chrono::seconds(120), {"SOURCE_DATE_EPOCH=1700000000"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(first.out.empty());
  std::map<std::string, std::string> docs;
  for (const auto& e : fs::directory_iterator(out)) docs[e.path().filename()] = read_file(e.path(), 1 << 24).value();
  ASSERT_EQ(docs.size(), 4u);
  auto second = test::run_sigil(args, std::chrono::seconds(120), {"SOURCE_DATE_EPOCH=1700000000"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  for (const auto& [name, text] : docs) EXPECT_EQ(read_file(out / name, 1 << 24).value(), text) << name;

  auto cdx = parse_json(docs["cyclonedx-json.json"], "cdx").value();
  EXPECT_EQ(cdx["specVersion"], "1.6");
  EXPECT_EQ(cdx["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
  auto cdx15 = parse_json(docs["cyclonedx-json@1.5.json"], "cdx").value();
  EXPECT_EQ(cdx15["specVersion"], "1.5");
  EXPECT_NE(cdx15["serialNumber"], cdx["serialNumber"]);  // unique per format
  auto spdx = parse_json(docs["spdx-json.json"], "spdx").value();
  EXPECT_TRUE(sbom::check_spdx(spdx)) << docs["spdx-json.json"];
  EXPECT_EQ(spdx["creationInfo"]["created"], "2023-11-14T22:13:20Z");
  int describes = 0;
  for (const auto& rel : spdx["relationships"]) describes += rel["relationshipType"] == "DESCRIBES";
  EXPECT_EQ(describes, 1);
}

TEST_F(SbomImage, AttachPushesEachDocumentAsAReferrer) {
  fs::path file = dir.path() / "sbom.spdx.json";
  auto r = test::run_sigil({"sbom", ref, "--attach", "-o", "spdx-json=" + file.string(), "-o", "cyclonedx-json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.stderr_lines(), 2u) << r.err;
  auto store = oci::LayoutStore::open(dir.path() / "layout", false);
  ASSERT_TRUE(store);
  auto subject = oci::Digest::parse(digest).value();
  for (const char* type : {"application/spdx+json", "application/vnd.cyclonedx+json"}) {
    auto refs = (*store)->referrers(subject, type);
    ASSERT_TRUE(refs) << refs.error().message;
    ASSERT_EQ(refs->size(), 1u) << type;
    EXPECT_EQ((*refs)[0].artifact_type, type);
    auto raw = (*store)->fetch_manifest((*refs)[0]);
    ASSERT_TRUE(raw);
    auto manifest = oci::Manifest::parse(*raw);
    ASSERT_TRUE(manifest);
    ASSERT_EQ(manifest->layers.size(), 1u);
    auto bytes = (*store)->fetch_blob_bytes(manifest->layers[0], 1 << 24);
    ASSERT_TRUE(bytes);
    if (std::string(type) == "application/spdx+json") {
      EXPECT_EQ(*bytes, read_file(file, 1 << 24).value());
    } else {
      EXPECT_EQ(*bytes, r.out);
    }
  }
  auto on_dir = test::run_sigil({"sbom", "dir:" + dir.path().string(), "--attach"});
  EXPECT_EQ(on_dir.exit_code, 2);
}

TEST_F(SbomImage, AttestPushesASignedStatementPerFormat) {
  std::string prefix = (dir.path() / "cosign").string();
  std::vector<std::string> env{"SIGIL_PASSWORD=pw"};
  ASSERT_EQ(test::run_sigil({"generate-key-pair", "--output-key-prefix", prefix}, std::chrono::seconds(60), env).exit_code, 0);
  auto r = test::run_sigil({"sbom", ref, "--attest", "--key", prefix + ".key", "-o", "cyclonedx-json", "-o",
                            "spdx-json=" + (dir.path() / "s.json").string()},
                           std::chrono::seconds(120), env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto public_key = sign::load_public_key(read_file(prefix + ".pub", 1 << 16).value());
  ASSERT_TRUE(public_key) << public_key.error().message;
  auto store = oci::LayoutStore::open(dir.path() / "layout", false);
  ASSERT_TRUE(store);
  auto refs = (*store)->referrers(oci::Digest::parse(digest).value(), "application/vnd.dev.sigstore.bundle.v0.3+json");
  ASSERT_TRUE(refs) << refs.error().message;
  std::set<std::string> types;
  for (const auto& d : *refs) {
    types.insert(d.annotations.at("dev.sigstore.bundle.predicateType"));
    auto m = oci::Manifest::parse((*store)->fetch_manifest(d).value()).value();
    auto bundle = sign::parse_bundle((*store)->fetch_blob_bytes(m.layers.at(0), 1 << 24).value());
    ASSERT_TRUE(bundle) << bundle.error().message;
    const auto* envelope = std::get_if<sign::Envelope>(&bundle->content);
    ASSERT_NE(envelope, nullptr);
    EXPECT_TRUE(sign::verify_envelope(public_key->get(), *envelope));  // signed by our key
    auto statement = sign::parse_statement(envelope->payload);
    ASSERT_TRUE(statement) << statement.error().message;
    EXPECT_TRUE(sign::has_subject_digest(*statement, oci::Digest::parse(digest).value()));
    EXPECT_EQ(statement->predicate_type, d.annotations.at("dev.sigstore.bundle.predicateType"));
  }
  EXPECT_EQ(types, (std::set<std::string>{"https://cyclonedx.org/bom", "https://spdx.dev/Document"}));
  auto no_key = test::run_sigil({"sbom", ref, "--attest"});
  EXPECT_EQ(no_key.exit_code, 2);
}

TEST_F(SbomImage, UsageErrorsWriteNothing) {
  fs::path target = dir.path() / "x.json";
  auto r = test::run_sigil({"sbom", ref, "-o", "spdx-json=" + target.string(), "-o", "syft-json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  EXPECT_FALSE(fs::exists(target));
  r = test::run_sigil({"sbom", ref, "-o", "spdx-json", "-o", "cyclonedx-json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  r = test::run_sigil({"sbom", "dir:" + (dir.path() / "missing").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  r = test::run_sigil({"sbom", ref}, std::chrono::seconds(60), {"SOURCE_DATE_EPOCH=yesterday"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(SbomIndex, PlatformPicksTheManifest) {
  test::TempDir dir;
  auto store = oci::LayoutStore::open(dir.path(), true);
  ASSERT_TRUE(store);
  auto status = [](const std::string& name) {
    return test::file("var/lib/dpkg/status", "Package: " + name + "\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n");
  };
  auto amd = test::write_sbom_image(**store, {{status("only-on-amd64")}}, "amd");
  auto arm = test::write_sbom_image(**store, {{status("only-on-arm64")}}, "arm");
  ASSERT_TRUE(amd && arm);
  oci::Index index;
  index.media_type = std::string(oci::media_type::kOciIndex);
  oci::Descriptor a = *amd;
  a.platform = oci::Platform{"linux", "amd64", "", "", {}};
  oci::Descriptor b = *arm;
  b.platform = oci::Platform{"linux", "arm64", "v8", "", {}};
  index.manifests = {a, b};
  ASSERT_TRUE((*store)->push_manifest(index.serialize(), oci::media_type::kOciIndex, "multi"));
  std::string ref = "oci:" + dir.path().string() + ":multi";
  for (const auto& [platform, want] : std::vector<std::pair<std::string, std::string>>{
           {"linux/amd64", "only-on-amd64"}, {"linux/arm64", "only-on-arm64"}}) {
    auto r = test::run_sigil({"sbom", ref, "--platform", platform});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"" + want + "\""), std::string::npos) << platform;
  }
  auto none = test::run_sigil({"sbom", ref, "--platform", "linux/s390x"});
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_EQ(none.stderr_lines(), 1u) << none.err;
}

}  // namespace
}  // namespace sigil
