// Java cataloger against syft's fixtures (../shared/testdata/sbom-fixtures/syft/java) and the
// results syft's own tests expect: MANIFEST.MF and pom.properties parsing, archive file names,
// the jar-metadata archives (zipped here with `jar`, as syft's Makefile zips them), the archive
// globs, and a corrupt jar.
#include <gtest/gtest.h>

#include <set>

#include "common/file.hpp"
#include "sbom/catalogers/detail/java_manifest.hpp"
#include "sbom/catalogers/detail/java_names.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/fixtures.hpp"
#include "unit/sbom/java_support.hpp"

namespace sigil::sbom {
namespace {

namespace fs = std::filesystem;
using detail::JavaManifest;
using Pairs = std::vector<std::pair<std::string, std::string>>;

fs::path java_fixtures() { return test::syft_fixtures() / "java"; }

JavaManifest manifest_fixture(const std::string& name) {
  auto text = read_file(java_fixtures() / "manifest" / name, 1 << 20);
  EXPECT_TRUE(text) << name;
  return detail::parse_java_manifest(text ? *text : "");
}

TEST(JavaSyft, ManifestFixtures) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  EXPECT_EQ(manifest_fixture("small").main, (Pairs{{"Manifest-Version", "1.0"}}));
  auto standard = manifest_fixture("standard-info");
  ASSERT_EQ(standard.main.size(), 8u);
  EXPECT_EQ(standard.get("implementation-version"), "the-impl-version");  // names are case-insensitive
  EXPECT_EQ(standard.get("Specification-Vendor"), "the-spec-vendor");

  auto extra = manifest_fixture("extra-info");
  EXPECT_EQ(extra.main, (Pairs{{"Manifest-Version", "1.0"}, {"Archiver-Version", "Plexus Archiver"},
                               {"Created-By", "Apache Maven 3.6.3"}}));
  ASSERT_EQ(extra.sections.size(), 2u);
  EXPECT_EQ(extra.sections[0], (Pairs{{"Name", "thing-1"}, {"Built-By", "?"}}));
  EXPECT_EQ(extra.sections[1], (Pairs{{"Build-Jdk", "14.0.1"}, {"Main-Class", "hello.HelloWorld"}}));

  auto empty_lines = manifest_fixture("extra-empty-lines");
  ASSERT_EQ(empty_lines.sections.size(), 4u);
  EXPECT_EQ(empty_lines.sections[1], (Pairs{{"Name", "thing-2"}, {"Built-By", "someone!"}}));
  EXPECT_EQ(empty_lines.sections[2], (Pairs{{"Other", "things"}}));
  EXPECT_EQ(empty_lines.sections[3], (Pairs{{"Last", "item"}}));
  EXPECT_EQ(empty_lines.bad_lines, 4u);  // ".", " :" after a blank line, "junk", ":"

  EXPECT_EQ(manifest_fixture("continuation").get("Plugin-ScmUrl"),
            "https://github.com/jenkinsci/plugin-pom/example-jenkins-plugin");
  EXPECT_EQ(manifest_fixture("version-with-date").get("Implementation-Version"), "1.3 2244 October 5 2005");
  // syft trims every continuation line; the JAR specification removes only the one leading
  // space, so the three spaces after it belong to the value.
  auto leading = manifest_fixture("leading-space");
  EXPECT_EQ(leading.main,
            (Pairs{{"Key-keykeykey", "initialconfig:com   $    # aka not empty line"}, {"should", "parse"}}));
}

TEST(JavaSyft, PomPropertiesFixtures) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  struct Case {
    const char* file;
    const char* artifact;
    const char* version;
  };
  for (const auto& c : {Case{"small", "example-java-app-maven", "0.1.0"}, Case{"extra", "example-java-app-maven", "0.1.0"},
                        Case{"colon-delimited", "example-java-app-maven", "0.1.0"},
                        Case{"equals-delimited-with-colons", "example-java:app-maven", "0.1.0:something"},
                        Case{"colon-delimited-with-equals", "example-java=app-maven", "0.1.0=something"}}) {
    auto text = read_file(java_fixtures() / "pom" / (std::string(c.file) + ".pom.properties"), 1 << 20);
    ASSERT_TRUE(text) << c.file;
    auto p = detail::parse_pom_properties(*text);
    EXPECT_EQ(p.group_id, "org.anchore") << c.file;
    EXPECT_EQ(p.artifact_id, c.artifact) << c.file;
    EXPECT_EQ(p.version, c.version) << c.file;
  }
}

TEST(JavaSyft, ArchiveFileNames) {
  struct Case {
    const char* path;
    const char* name;
    const char* version;
  };
  // syft's archive_filename_test.go cases, plus the separators of its secondary pattern.
  for (const auto& c : {
           Case{"pkg-maven-4.3.2.jar", "pkg-maven", "4.3.2"},
           Case{"pkg-extra-field-maven-4.3.2-rc1.ear", "pkg-extra-field-maven", "4.3.2-rc1"},
           Case{"liferay-package.lpkg", "liferay-package", ""},
           Case{"/some/path-with-version-5.4.3/pkg-extra-field-maven-4.3.2-rc1.hpi", "pkg-extra-field-maven", "4.3.2-rc1"},
           Case{"/x/wagon-webdav-1.0.2-beta-2.2.3a-hudson.jar", "wagon-webdav", "1.0.2-beta-2.2.3a-hudson"},
           Case{"/x/wagon-http-lightweight-1.0.5-beta-2.jar", "wagon-http-lightweight", "1.0.5-beta-2"},
           Case{"/hudson.war:WEB-INF/lib/commons-jelly-1.1-hudson-20100305.jar", "commons-jelly", "1.1-hudson-20100305"},
           Case{"/hudson.war:WEB-INF/lib/jtidy-4aug2000r7-dev-hudson-1.jar", "jtidy", "4aug2000r7-dev-hudson-1"},
           Case{"/hudson.war:WEB-INF/lib/trilead-ssh2-build212-hudson-5.jar", "trilead-ssh2", "build212-hudson-5"},
           Case{"/hudson.war:WEB-INF/lib/guava-r06.jar", "guava", "r06"},
           Case{"BOOT-INF/lib/spring-data-r2dbc-1.1.0.RELEASE.jar", "spring-data-r2dbc", "1.1.0.RELEASE"},
           Case{"jboss-saaj-api_1.4_spec-1.0.2.Final.jar", "jboss-saaj-api_1.4_spec", "1.0.2.Final"},
           Case{"commons-lang3-3.12.0.jar", "commons-lang3", "3.12.0"},
           Case{"log4j.1.2.jar", "log4j", "1.2"},
           Case{"scala-library_2.13.jar", "scala-library", "2.13"},
           Case{"foo+bar-1.0.jar", "", ""},
       }) {
    auto f = detail::parse_archive_filename(c.path);
    EXPECT_EQ(f.name, c.name) << c.path;
    EXPECT_EQ(f.version, c.version) << c.path;
  }
  // syft's TestSelectName: a "group.artifact" file name keeps its artifact; Eclipse's do not.
  auto name = [](const char* file) { return detail::select_name(nullptr, detail::parse_archive_filename(file)); };
  EXPECT_EQ(name("/something/com.atlassian.gadgets.atlassian-gadgets-api.jar"), "atlassian-gadgets-api");
  EXPECT_EQ(name("/something/http4s-crypto_2.12-0.1.0.jar"), "http4s-crypto_2.12");
  EXPECT_EQ(name("/something/org.eclipse.ant.core-3.7.0.jar"), "org.eclipse.ant.core");
  JavaManifest oauth;
  oauth.main = {{"Bundle-SymbolicName", "com.google.oauth-client"}, {"Created-By", "Apache Maven Bundle Plugin"},
                {"Implementation-Vendor-Id", "com.google.oauth-client"}};
  EXPECT_EQ(detail::select_name(&oauth, detail::parse_archive_filename("google-oauth-client-1.25.0.jar")),
            "google-oauth-client");
}

// Zips a jar-metadata fixture directory as syft's Makefile does (no manifest added).
fs::path make_fixture_jar(const fs::path& root, const std::string& fixture, const std::string& file) {
  fs::path out = root / file;
  EXPECT_EQ(test::sh("jar --create --no-manifest --file " + test::quote(out) + " -C " +
                     test::quote(java_fixtures() / "jar-metadata" / fixture) + " ."),
            0);
  return out;
}

TEST(JavaSyft, JarMetadataFixtures) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  SIGIL_REQUIRE_JAR();
  test::TempDir t;
  fs::path root = t / "root";
  fs::create_directories(root);
  make_fixture_jar(root, "jackson-core-2.15.2", "jackson-core-2.15.2.jar");
  make_fixture_jar(root, "com.fasterxml.jackson.core.jackson-core-2.15.2", "com.fasterxml.jackson.core.jackson-core-2.15.2.jar");
  make_fixture_jar(root, "api-all-2.0.0-sources", "api-all-2.0.0-sources.jar");
  make_fixture_jar(root, "spring-instrumentation-4.3.0-1.0", "spring-instrumentation-4.3.0-1.0.jar");
  make_fixture_jar(root, "jenkins-plugins/gradle/2.11", "gradle.hpi");
  make_fixture_jar(root, "multiple-matching-2.11.5", "multiple-matching-2.11.5.jar");
  make_fixture_jar(root, "opensaml-core-3.4.6", "opensaml-core-3.4.6.jar");
  auto inv = test::run_java(root);
  EXPECT_TRUE(inv.warnings.empty()) << test::warnings_about(inv, "/");

  std::set<std::string> purls;
  for (const auto& p : inv.packages) purls.insert(p.purl);
  EXPECT_EQ(purls, (std::set<std::string>{
                       "pkg:maven/com.fasterxml.jackson.core/jackson-core@2.15.2",
                       "pkg:maven/org.apache.directory.api/api-all@2.0.0",
                       "pkg:maven/org.apache.directory.api/api-asn1-api@2.0.0",
                       "pkg:maven/org.jenkins-ci.plugins/gradle@2.11",
                       "pkg:maven/org.multiple/multiple-matching-1@2.11.5",
                       "pkg:maven/org.multiple/multiple-matching-2@2.11.5",
                       "pkg:maven/org.multiple/multiple-matching-3@2.11.5",
                       "pkg:maven/org.opensaml/opensaml-core@3.4.6",
                   }));
  // Both jackson-core jars are one package (same purl) with two locations.
  const auto* jackson = test::find_package(inv, "jackson-core");
  ASSERT_NE(jackson, nullptr);
  EXPECT_EQ(jackson->locations.size(), 2u);
  ASSERT_EQ(jackson->licenses.size(), 1u);
  EXPECT_EQ(jackson->licenses[0].value, "Apache-2.0");  // Bundle-License's Apache URL
  EXPECT_EQ(jackson->version, "2.15.2");
  const auto* gradle = test::find_package(inv, "gradle");
  ASSERT_NE(gradle, nullptr);
  EXPECT_EQ(gradle->type, "jenkins-plugin");
  EXPECT_TRUE(test::contains(inv, "api-all", "api-asn1-api"));
  // The New Relic weaver (Weave-Classes) yields nothing, as in syft.
  EXPECT_EQ(test::find_package(inv, "spring-instrumentation"), nullptr);
}

TEST(JavaSyft, OnlyJavaArchiveExtensionsMatch) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  // The fixture files are text, so each archive the cataloger picks up becomes a warning.
  auto inv = test::run_java(java_fixtures() / "glob-paths");
  std::set<std::string> warned;
  for (const auto& w : inv.warnings) warned.insert(w.path);
  std::set<std::string> expected;
  for (const char* ext : {"jar", "war", "ear", "par", "sar", "nar", "jpi", "hpi", "kar", "lpkg"}) {
    expected.insert(std::string("/java-archives/example.") + ext);
  }
  EXPECT_EQ(warned, expected);
  EXPECT_TRUE(inv.packages.empty());
}

TEST(JavaSyft, CorruptJar) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  auto inv = test::run_java(java_fixtures() / "corrupt");
  EXPECT_TRUE(inv.packages.empty());
  ASSERT_EQ(inv.warnings.size(), 1u);
  EXPECT_EQ(inv.warnings[0].path, "/example.jar");
  EXPECT_NE(inv.warnings[0].message.find("not a zip archive"), std::string::npos) << inv.warnings[0].message;
}

}  // namespace
}  // namespace sigil::sbom
