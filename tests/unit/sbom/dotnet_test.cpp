// .NET cataloger: syft's dir-example-1 TestLibrary.deps.json (the 14 packages and 19 edges of
// syft's TestParseDotnetDeps), its reference-assembly fixture, its bogus glob-paths deps.json,
// and bad input.
#include <gtest/gtest.h>

#include <map>

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
  return test::run_cataloger(make_dotnet_cataloger(), root, kind);
}

TEST(Dotnet, DepsJsonAsSyftExpects) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  auto inv = run(test::syft_fixtures() / "dotnet/dir-example-1");
  EXPECT_TRUE(inv.warnings.empty()) << test::warnings_text(inv);
  std::set<std::string> want{"AWSSDK.Core@3.7.10.6",
                             "Microsoft.Extensions.DependencyInjection@6.0.0",
                             "Microsoft.Extensions.DependencyInjection.Abstractions@6.0.0",
                             "Microsoft.Extensions.Logging@6.0.0",
                             "Microsoft.Extensions.Logging.Abstractions@6.0.0",
                             "Microsoft.Extensions.Options@6.0.0",
                             "Microsoft.Extensions.Primitives@6.0.0",
                             "Newtonsoft.Json@13.0.1",
                             "Serilog@2.10.0",
                             "Serilog.Sinks.Console@4.0.1",
                             "System.Diagnostics.DiagnosticSource@6.0.0",
                             "System.Runtime.CompilerServices.Unsafe@6.0.0",
                             "TestCommon@1.0.0",
                             "TestLibrary@1.0.0"};
  EXPECT_EQ(test::name_versions(inv), want);
  for (const auto& p : inv.packages) {
    EXPECT_EQ(p.purl, "pkg:nuget/" + p.name + "@" + p.version);
    EXPECT_EQ(p.type, "dotnet");
    EXPECT_EQ(p.found_by, "dotnet-deps-cataloger");
    ASSERT_EQ(p.locations.size(), 1u);
    EXPECT_EQ(p.locations[0].path, "/TestLibrary.deps.json");
  }
  const Package* aws = find_package(inv, "AWSSDK.Core");
  ASSERT_NE(aws, nullptr);
  ASSERT_EQ(aws->hashes.size(), 1u);
  EXPECT_EQ(aws->hashes[0].first, "SHA-512");
  // sha512-kHBB+QmosVaG6Dpn... decoded from base64.
  EXPECT_EQ(aws->hashes[0].second,
            "907041f909a8b15686e83a6781743c3a52d554d33396d3484dfb11afaf19f74a"
            "8eedd4aa27610735df1db41535bb701040baaa147398d257e66e97b1787e8f7b");
  EXPECT_EQ(aws->metadata.at("path"), "awssdk.core/3.7.10.6");
  EXPECT_EQ(aws->metadata.at("hashPath"), "awssdk.core.3.7.10.6.nupkg.sha512");
  EXPECT_EQ(aws->metadata.at("type"), "package");
  // Projects carry no sha512: no hash.
  const Package* common = find_package(inv, "TestCommon");
  const Package* library = find_package(inv, "TestLibrary");
  ASSERT_TRUE(common != nullptr && library != nullptr);
  EXPECT_TRUE(common->hashes.empty());
  EXPECT_EQ(library->metadata.at("type"), "project");

  // syft's expected relationships, "X dependency-of Y" written here as "Y -> X".
  std::set<std::string> want_edges{
      "TestCommon@1.0.0 -> AWSSDK.Core@3.7.10.6",
      "Microsoft.Extensions.Logging@6.0.0 -> Microsoft.Extensions.DependencyInjection@6.0.0",
      "TestLibrary@1.0.0 -> Microsoft.Extensions.DependencyInjection@6.0.0",
      "Microsoft.Extensions.DependencyInjection@6.0.0 -> Microsoft.Extensions.DependencyInjection.Abstractions@6.0.0",
      "Microsoft.Extensions.Logging@6.0.0 -> Microsoft.Extensions.DependencyInjection.Abstractions@6.0.0",
      "Microsoft.Extensions.Options@6.0.0 -> Microsoft.Extensions.DependencyInjection.Abstractions@6.0.0",
      "TestLibrary@1.0.0 -> Microsoft.Extensions.Logging@6.0.0",
      "Microsoft.Extensions.Logging@6.0.0 -> Microsoft.Extensions.Logging.Abstractions@6.0.0",
      "Microsoft.Extensions.Logging@6.0.0 -> Microsoft.Extensions.Options@6.0.0",
      "Microsoft.Extensions.Options@6.0.0 -> Microsoft.Extensions.Primitives@6.0.0",
      "TestLibrary@1.0.0 -> Newtonsoft.Json@13.0.1",
      "Serilog.Sinks.Console@4.0.1 -> Serilog@2.10.0",
      "TestLibrary@1.0.0 -> Serilog@2.10.0",
      "TestLibrary@1.0.0 -> Serilog.Sinks.Console@4.0.1",
      "Microsoft.Extensions.Logging@6.0.0 -> System.Diagnostics.DiagnosticSource@6.0.0",
      "Microsoft.Extensions.DependencyInjection@6.0.0 -> System.Runtime.CompilerServices.Unsafe@6.0.0",
      "Microsoft.Extensions.Primitives@6.0.0 -> System.Runtime.CompilerServices.Unsafe@6.0.0",
      "System.Diagnostics.DiagnosticSource@6.0.0 -> System.Runtime.CompilerServices.Unsafe@6.0.0",
      "TestLibrary@1.0.0 -> TestCommon@1.0.0"};
  ASSERT_EQ(want_edges.size(), 19u);
  EXPECT_EQ(edges(inv), want_edges);

  // deps.json is installed content: an image yields the same packages.
  EXPECT_EQ(test::name_versions(run(test::syft_fixtures() / "dotnet/dir-example-1", Subject::Kind::image)), want);
}

TEST(Dotnet, ReferenceAssembliesWithoutShaAreNotPackages) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  auto inv = run(test::syft_fixtures() / "dotnet/deps-with-referenceassembly");
  std::set<std::string> want{"MyApp@1.0.0", "Newtonsoft.Json@13.0.3"};
  EXPECT_EQ(test::name_versions(inv), want);
  std::set<std::string> want_edges{"MyApp@1.0.0 -> Newtonsoft.Json@13.0.3"};
  EXPECT_EQ(edges(inv), want_edges);
}

TEST(Dotnet, SyftGlobPathsBogusDepsJsonWarns) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  // Only something.deps.json is a deps file there (the .dll/.exe/.bpl are not read).
  auto inv = run(test::syft_fixtures() / "dotnet/glob-paths");
  EXPECT_TRUE(inv.packages.empty());
  ASSERT_EQ(inv.warnings.size(), 1u) << test::warnings_text(inv);
  EXPECT_EQ(inv.warnings[0].path, "/src/something.deps.json");
}

TEST(Dotnet, MergesTargetFrameworksAndKeepsKeptReferenceAssemblies) {
  test::TempDir root;
  write_fixture(root.path(), "app/App.deps.json", R"({
    "targets": {
      ".NETCoreApp,Version=v6.0": {"App/1.0.0": {"dependencies": {"A": "1.0.0"}}, "A/1.0.0": {}},
      ".NETCoreApp,Version=v8.0": {"App/1.0.0": {"dependencies": {"B": "2.0.0"}}, "B/2.0.0": {},
                                   "Ref/3.0.0": {}}
    },
    "libraries": {"App/1.0.0": {"type": "project"}, "A/1.0.0": {"type": "package", "sha512": "sha512-bm90LTY0LWJ5dGVz"},
                  "Ref/3.0.0": {"type": "referenceassembly", "sha512": "sha512-eHl6", "path": "p"}}
  })");
  auto inv = run(root.path());
  std::set<std::string> want{"App@1.0.0", "A@1.0.0", "B@2.0.0", "Ref@3.0.0"};
  EXPECT_EQ(test::name_versions(inv), want) << test::warnings_text(inv);
  std::set<std::string> want_edges{"App@1.0.0 -> A@1.0.0", "App@1.0.0 -> B@2.0.0"};
  EXPECT_EQ(edges(inv), want_edges);
  // A sha512 that does not decode to 64 bytes is not reported as a hash.
  const Package* a = find_package(inv, "A");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->hashes.empty());
  EXPECT_TRUE(inv.warnings.empty()) << test::warnings_text(inv);
}

TEST(Dotnet, BadInputWarnsAndNeverCrashes) {
  test::TempDir root;
  write_fixture(root.path(), "a/A.deps.json", R"({"targets": {".NETCoreApp": {"X/1.0": )");
  write_fixture(root.path(), "b/B.deps.json", R"({"targets": ["X/1.0"]})");
  write_fixture(root.path(), "c/C.deps.json", R"([1, 2, 3])");
  // Wrong types inside: a framework that is not an object, keys without a version, a target that
  // is not an object, a dependency version that is not a string; the good entry is kept.
  write_fixture(root.path(), "d/D.deps.json", R"({"targets": {"f1": 7, "f2": {"NoVersion": {}, "/1.0": {},
      "Trailing/": {}, "Str/1.0": "x", "Good/1.0": {"dependencies": {"Str": 1, "Good": "1.0"}}}},
      "libraries": {"Good/1.0": {"type": 5, "sha512": ["x"]}}})");
  test::write_oversized(root.path(), "e/E.deps.json", limits::kMaxSbomFileBytes);
  auto inv = run(root.path());
  ASSERT_EQ(inv.packages.size(), 1u) << test::warnings_text(inv);
  EXPECT_EQ(inv.packages[0].purl, "pkg:nuget/Good@1.0");
  EXPECT_TRUE(inv.relationships.empty());  // a self edge is dropped
  std::map<std::string, std::string> warned;
  for (const auto& w : inv.warnings) warned[w.path] = w.message;
  EXPECT_EQ(warned.size(), 5u) << test::warnings_text(inv);
  EXPECT_NE(warned["/d/D.deps.json"].find("5 target entries"), std::string::npos) << test::warnings_text(inv);
  EXPECT_NE(warned["/e/E.deps.json"].find("larger than"), std::string::npos);
}

}  // namespace
}  // namespace sigil::sbom
