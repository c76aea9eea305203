// Where the SBOM tests find upstream fixtures (../shared/testdata/sbom-fixtures/syft) and the
// project's own (tests/data/sbom); missing upstream data skips locally and fails under CI=true.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#define SIGIL_REQUIRE_SYFT_FIXTURES()                                                         \
  do {                                                                                        \
    if (!std::filesystem::exists(sigil::test::syft_fixtures())) {                             \
      if (std::getenv("CI") != nullptr) FAIL() << "missing " << sigil::test::syft_fixtures(); \
      GTEST_SKIP() << "missing " << sigil::test::syft_fixtures();                             \
    }                                                                                         \
  } while (0)

namespace sigil::test {

inline std::filesystem::path syft_fixtures() {
  return std::filesystem::path(SIGIL_SOURCE_DIR) / ".." / "shared" / "testdata" / "sbom-fixtures" / "syft";
}

inline std::filesystem::path sbom_data() { return std::filesystem::path(SIGIL_SOURCE_DIR) / "tests" / "data" / "sbom"; }

}  // namespace sigil::test
