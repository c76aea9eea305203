// PHP cataloger: syft's Composer 1 and Composer 2 installed.json fixtures and composer.lock
// (the packages syft's parse_installed_json_test.go and parse_composer_lock_test.go expect),
// its glob-paths fixture (bogus files), provide/replace edges, and bad input.
#include <gtest/gtest.h>

#include <map>

#include "common/file.hpp"
#include "common/limits.hpp"
#include "sbom/catalogers/registry.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/cataloger_run.hpp"
#include "unit/sbom/fixtures.hpp"

namespace sigil::sbom {
namespace {

namespace fs = std::filesystem;
using test::edges;
using test::find_package;
using test::write_fixture;

Inventory run(const fs::path& root, Subject::Kind kind = Subject::Kind::directory) {
  return test::run_cataloger(make_php_cataloger(), root, kind);
}

class PhpInstalled : public testing::TestWithParam<const char*> {};

TEST_P(PhpInstalled, AsSyftExpects) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  auto text = read_file(test::syft_fixtures() / "php/vendor" / GetParam() / "installed.json", 1 << 20);
  ASSERT_TRUE(text);
  test::TempDir root;
  write_fixture(root.path(), "var/www/vendor/composer/installed.json", *text);
  // Composer's installed.json describes what is installed: images read it too.
  for (auto kind : {Subject::Kind::directory, Subject::Kind::image}) {
    auto inv = run(root.path(), kind);
    ASSERT_EQ(inv.packages.size(), 2u) << test::warnings_text(inv);
    EXPECT_TRUE(inv.warnings.empty()) << test::warnings_text(inv);

    const Package* cors = find_package(inv, "asm89/stack-cors");
    ASSERT_NE(cors, nullptr);
    EXPECT_EQ(cors->version, "1.3.0");
    EXPECT_EQ(cors->purl, "pkg:composer/asm89/stack-cors@1.3.0");
    EXPECT_EQ(cors->type, "php-composer");
    EXPECT_EQ(cors->found_by, "php-composer-installed-cataloger");
    ASSERT_EQ(cors->licenses.size(), 1u);
    EXPECT_EQ(cors->licenses[0].value, "MIT");
    EXPECT_EQ(cors->author, "Alexander <iam.asm89@gmail.com>");
    EXPECT_EQ(cors->description, "Cross-origin resource sharing library and stack middleware");
    EXPECT_EQ(cors->metadata.at("homepage"), "https://github.com/asm89/stack-cors");
    EXPECT_EQ(cors->metadata.at("source-url"), "https://github.com/asm89/stack-cors.git");
    EXPECT_EQ(cors->metadata.at("source-reference"), "b9c31def6a83f84b4d4a40d35996d375755f0e08");
    ASSERT_EQ(cors->locations.size(), 1u);
    EXPECT_EQ(cors->locations[0].path, "/var/www/vendor/composer/installed.json");

    const Package* mink = find_package(inv, "behat/mink");
    ASSERT_NE(mink, nullptr);
    EXPECT_EQ(mink->version, "v1.8.1");
    EXPECT_EQ(mink->purl, "pkg:composer/behat/mink@v1.8.1");
    EXPECT_EQ(mink->author, "Konstantin Kudryashov <ever.zet@gmail.com>");
    EXPECT_EQ(mink->metadata.at("homepage"), "http://mink.behat.org/");
    // Both require php and symfony packages that are not installed here: no edges.
    EXPECT_TRUE(inv.relationships.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Syft, PhpInstalled, testing::Values("composer_1", "composer_2"));

TEST(Php, ComposerLockAsSyftExpects) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  auto text = read_file(test::syft_fixtures() / "php/composer.lock", 1 << 20);
  ASSERT_TRUE(text);
  test::TempDir root;
  write_fixture(root.path(), "src/app/composer.lock", *text);
  auto inv = run(root.path());
  // "packages" only, as syft: behat/gherkin and codeception/codeception are packages-dev.
  std::set<std::string> want{"adoy/fastcgi-client@1.0.2", "alcaeus/mongo-php-adapter@1.1.11"};
  EXPECT_EQ(test::name_versions(inv), want) << test::warnings_text(inv);
  const Package* adapter = find_package(inv, "alcaeus/mongo-php-adapter");
  ASSERT_NE(adapter, nullptr);
  EXPECT_EQ(adapter->purl, "pkg:composer/alcaeus/mongo-php-adapter@1.1.11");
  EXPECT_EQ(adapter->found_by, "php-composer-lock-cataloger");
  EXPECT_EQ(adapter->author, "alcaeus <alcaeus@alcaeus.org>, Olivier Lechevalier <olivier.lechevalier@gmail.com>");
  ASSERT_EQ(adapter->licenses.size(), 1u);
  EXPECT_EQ(adapter->licenses[0].value, "MIT");
  const Package* fastcgi = find_package(inv, "adoy/fastcgi-client");
  ASSERT_NE(fastcgi, nullptr);
  EXPECT_EQ(fastcgi->purl, "pkg:composer/adoy/fastcgi-client@1.0.2");

  // A lock file says what would be installed: not read in images.
  EXPECT_TRUE(run(root.path(), Subject::Kind::image).packages.empty());
}

TEST(Php, SyftGlobPathsBogusFilesWarn) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  // syft's Test_corruptInstalledJSON / Test_corruptComposerLock: errors, no packages.
  auto inv = run(test::syft_fixtures() / "php/glob-paths");
  EXPECT_TRUE(inv.packages.empty());
  std::set<std::string> warned;
  for (const auto& w : inv.warnings) warned.insert(w.path);
  std::set<std::string> want{"/src/composer.lock", "/src/installed.json"};
  EXPECT_EQ(warned, want) << test::warnings_text(inv);
}

TEST(Php, RequiresResolveThroughNamesProvidesAndReplaces) {
  // syft's installed.replace.json case: ramsey/uuid replaces rhumsaa/uuid, which rhubarb requires.
  test::TempDir root;
  write_fixture(root.path(), "vendor/composer/installed.json", R"({"packages": [
    {"name": "paragonie/random_compat", "version": "v2.0.21", "require": {"php": ">=5.2.0"}},
    {"name": "ramsey/uuid", "version": "3.9.7", "license": "MIT",
     "require": {"paragonie/random_compat": "^1 | ^2", "php": "^5.4 | ^7 | ^8"},
     "replace": {"rhumsaa/uuid": "self.version"}},
    {"name": "zircote/rhubarb", "version": "1.0.0", "require": {"rhumsaa/uuid": "~2", "ext-json": "*"},
     "provide": {"psr/log-implementation": "1.0"}},
    {"name": "monolog/consumer", "version": "2.0.0", "require": {"psr/log-implementation": "*"}}
  ], "dev": false})");
  auto inv = run(root.path());
  ASSERT_EQ(inv.packages.size(), 4u) << test::warnings_text(inv);
  std::set<std::string> want{"ramsey/uuid@3.9.7 -> paragonie/random_compat@v2.0.21",
                             "zircote/rhubarb@1.0.0 -> ramsey/uuid@3.9.7",
                             "monolog/consumer@2.0.0 -> zircote/rhubarb@1.0.0"};
  EXPECT_EQ(edges(inv), want);
  const Package* uuid = find_package(inv, "ramsey/uuid");
  ASSERT_NE(uuid, nullptr);
  EXPECT_EQ(uuid->licenses.size(), 1u);  // a bare string license
}

TEST(Php, BadInputWarnsAndNeverCrashes) {
  test::TempDir root;
  write_fixture(root.path(), "a/vendor/composer/installed.json", "{\"packages\": [ {\"name\": \"x/y\", ");
  write_fixture(root.path(), "b/vendor/composer/installed.json", R"({"packages": "x/y"})");
  write_fixture(root.path(), "c/vendor/composer/installed.json", R"("just a string")");
  // Wrong types inside entries: those entries are skipped with one warning, the good one kept.
  write_fixture(root.path(), "d/vendor/composer/installed.json",
                R"([{"name": 42, "version": "1.0"}, "nope", {"name": "ok/pkg", "version": "1.0", "license": [1, null],
                    "authors": "me", "require": ["not", "an", "object"], "source": "x"},
                   {"name": "no/version"}])");
  write_fixture(root.path(), "e/composer.lock", "{\"packages\": [1, 2]}");
  test::write_oversized(root.path(), "f/vendor/composer/installed.json", limits::kMaxSbomFileBytes);
  auto inv = run(root.path());
  ASSERT_EQ(inv.packages.size(), 1u) << test::warnings_text(inv);
  EXPECT_EQ(inv.packages[0].purl, "pkg:composer/ok/pkg@1.0");
  EXPECT_TRUE(inv.packages[0].licenses.empty());
  std::map<std::string, std::string> warned;
  for (const auto& w : inv.warnings) warned[w.path] = w.message;
  EXPECT_EQ(warned.size(), 6u) << test::warnings_text(inv);
  EXPECT_NE(warned["/d/vendor/composer/installed.json"].find("3 package entries"), std::string::npos)
      << test::warnings_text(inv);
  EXPECT_NE(warned["/f/vendor/composer/installed.json"].find("larger than"), std::string::npos);
}

}  // namespace
}  // namespace sigil::sbom
