#include <gtest/gtest.h>

#include "sbom/catalogers/detail/debian_copyright.hpp"
#include "sbom/license.hpp"
#include "common/file.hpp"

namespace sigil::sbom {
namespace {

TEST(License, SpdxIdsAndDebianNames) {
  EXPECT_EQ(spdx_license_id("MIT"), "MIT");
  EXPECT_EQ(spdx_license_id("mit"), "MIT");
  EXPECT_EQ(spdx_license_id("Expat"), "MIT");
  EXPECT_EQ(spdx_license_id("GPL-2+"), "GPL-2.0-or-later");
  EXPECT_EQ(spdx_license_id("GPL-2"), "GPL-2.0-only");
  EXPECT_EQ(spdx_license_id("LGPL-2.1+"), "LGPL-2.1-or-later");
  EXPECT_EQ(spdx_license_id("LGPL-2.1"), "LGPL-2.1-only");
  EXPECT_EQ(spdx_license_id("BSD-3-clause"), "BSD-3-Clause");
  EXPECT_EQ(spdx_license_id("Apache-2.0"), "Apache-2.0");
  EXPECT_EQ(spdx_license_id("public-domain"), std::nullopt);
  EXPECT_EQ(spdx_license_id("permissive-fsf"), std::nullopt);
}

TEST(License, Classify) {
  EXPECT_EQ(classify_license("MIT").kind, License::Kind::spdx_id);
  auto e = classify_license("MIT or Apache-2.0");
  EXPECT_EQ(e.kind, License::Kind::expression);
  EXPECT_EQ(e.value, "MIT OR Apache-2.0");
  auto t = classify_license("Some Custom License");
  EXPECT_EQ(t.kind, License::Kind::text);
  EXPECT_EQ(t.value, "Some Custom License");
  EXPECT_EQ(classify_license("(MIT AND Zlib)").value, "(MIT AND Zlib)");
}

// syft's parse_copyright_test expectations for the same fixtures.
TEST(License, DebianCopyrightFixtures) {
  std::string dir = SIGIL_SOURCE_DIR "/../shared/testdata/sbom-fixtures/syft/debian/copyright/";
  auto lzma = read_file(dir + "liblzma5", 1 << 20);
  if (!lzma) {
    if (std::getenv("CI")) FAIL() << "../shared/testdata missing";
    GTEST_SKIP() << "../shared/testdata missing";
  }
  std::vector<std::string> want{"Autoconf", "GPL-2", "GPL-2+", "GPL-3", "LGPL-2", "LGPL-2.1", "LGPL-2.1+", "PD",
                                "PD-debian", "config-h", "noderivs", "permissive-fsf", "permissive-nowarranty", "probably-PD"};
  EXPECT_EQ(detail::debian_copyright_licenses(*lzma), want);
  auto audit = read_file(dir + "libaudit-common", 1 << 20);
  ASSERT_TRUE(audit);
  EXPECT_EQ(detail::debian_copyright_licenses(*audit), (std::vector<std::string>{"GPL-1", "GPL-2", "LGPL-2.1"}));
  for (const char* free_form : {"libc6", "trilicense", "python", "cuda", "microsoft"}) {
    auto text = read_file(dir + free_form, 4 << 20);
    ASSERT_TRUE(text) << free_form;
    EXPECT_TRUE(detail::debian_copyright_licenses(*text).empty()) << free_form;
  }
}

}  // namespace
}  // namespace sigil::sbom
