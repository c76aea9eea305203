// sigil sbom lists a Go binary's digests as sha1sum/sha256sum print them: on the main module's
// component in CycloneDX ("hashes", alg SHA-1/SHA-256) and package in SPDX ("checksums",
// SHA1/SHA256), for a directory and for an image, with the binary installed executable or as a
// shared object without the exec bit.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/json.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/layout_store.hpp"
#include "support/go_build.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/sbom_image.hpp"

namespace sigil {
namespace {

namespace fs = std::filesystem;

using test::run_shell;

std::string sum(const std::string& tool, const fs::path& file) {
  std::string out = run_shell(tool + " '" + file.string() + "'");
  return out.substr(0, out.find(' '));
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class SbomBinaryHash : public ::testing::Test {
 protected:
  void SetUp() override {
    SIGIL_REQUIRE_GO();
    fs::create_directories(work_ / "app");
    std::ofstream(work_ / "app/go.mod") << "module example.com/e2ehash\n\ngo 1.19\n";
    std::ofstream(work_ / "app/main.go") << "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"e2e\") }\n";
    bin_ = work_ / "e2ehash";
    std::string log = test::go_build(work_ / "app", work_.path(), bin_);
    ASSERT_TRUE(fs::exists(bin_)) << log;
    sha1_ = sum("sha1sum", bin_);
    sha256_ = sum("sha256sum", bin_);
    ASSERT_EQ(sha256_.size(), 64u);
  }

  // Runs sigil sbom on `source` into both formats and checks the main module's digests.
  void expect_hashes(const std::string& source) {
    fs::path cdx = work_ / "out.cdx.json";
    fs::path spdx = work_ / "out.spdx.json";
    auto r = test::run_sigil({"sbom", source, "-o", "cyclonedx-json=" + cdx.string(), "-o", "spdx-json=" + spdx.string()});
    ASSERT_EQ(r.exit_code, 0) << r.describe();

    auto doc = parse_json(slurp(cdx), "cdx");
    ASSERT_TRUE(doc) << doc.error().message;
    const Json* main = nullptr;
    for (const auto& c : (*doc)["components"]) {
      if (c.value("name", "") == "example.com/e2ehash") main = &c;
    }
    ASSERT_NE(main, nullptr);
    ASSERT_TRUE(main->contains("hashes"));
    EXPECT_EQ((*main)["hashes"], Json::array({Json{{"alg", "SHA-1"}, {"content", sha1_}},
                                              Json{{"alg", "SHA-256"}, {"content", sha256_}}}));

    auto sdoc = parse_json(slurp(spdx), "spdx");
    ASSERT_TRUE(sdoc) << sdoc.error().message;
    const Json* pkg = nullptr;
    for (const auto& p : (*sdoc)["packages"]) {
      if (p.value("name", "") == "example.com/e2ehash") pkg = &p;
    }
    ASSERT_NE(pkg, nullptr);
    ASSERT_TRUE(pkg->contains("checksums"));
    EXPECT_EQ((*pkg)["checksums"], Json::array({Json{{"algorithm", "SHA1"}, {"checksumValue", sha1_}},
                                                Json{{"algorithm", "SHA256"}, {"checksumValue", sha256_}}}));
  }

  test::TempDir work_;
  fs::path bin_;
  std::string sha1_;
  std::string sha256_;
};

TEST_F(SbomBinaryHash, Directory) {
  test::TempDir root;
  fs::create_directories(root / "usr/bin");
  fs::copy_file(bin_, root / "usr/bin/e2ehash");
  expect_hashes("dir:" + root.path().string());
}

TEST_F(SbomBinaryHash, DirectorySharedObjectWithoutExecBit) {
  test::TempDir root;
  fs::create_directories(root / "usr/lib");
  fs::copy_file(bin_, root / "usr/lib/libe2ehash.so");
  fs::permissions(root / "usr/lib/libe2ehash.so", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  expect_hashes("dir:" + root.path().string());
}

TEST_F(SbomBinaryHash, Image) {
  test::TempDir dir;
  auto store = oci::LayoutStore::open(dir.path() / "layout", true);
  ASSERT_TRUE(store) << store.error().message;
  std::string whole = slurp(bin_);
  auto desc = test::write_sbom_image(**store,
                                     {{test::file("etc/os-release", "ID=debian\nVERSION_ID=12\n")},
                                      {test::executable("usr/bin/e2ehash", whole), test::file("usr/lib/libcopy.so", whole)}},
                                     "v1");
  ASSERT_TRUE(desc) << desc.error().message;
  expect_hashes("oci:" + (dir.path() / "layout").string() + ":v1");
}

}  // namespace
}  // namespace sigil
