// Ruby cataloger: syft's gemspec fixtures installed under specifications/ (the packages syft's
// parse_gemspec_test.go expects), its Gemfile.lock (parse_gemfile_lock_test.go: 53 gems, the
// BAD-SECTION ignored, dependency edges), its glob-paths fixture, and bad input.
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

constexpr const char* kSpecs = "usr/lib/ruby/gems/3.1.0/specifications/";

std::string syft_file(const std::string& rel) {
  auto text = read_file(test::syft_fixtures() / "ruby" / rel, 1 << 20);
  EXPECT_TRUE(text) << rel;
  return text ? *text : "";
}

Inventory run(const fs::path& root, Subject::Kind kind = Subject::Kind::directory) {
  return test::run_cataloger(make_ruby_cataloger(), root, kind);
}

TEST(Ruby, InstalledGemspecsAsSyftExpects) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  test::TempDir root;
  write_fixture(root.path(), std::string(kSpecs) + "bundler-2.1.4.gemspec", syft_file("bundler.gemspec"));
  write_fixture(root.path(), std::string(kSpecs) + "formatador-1.1.0.gemspec", syft_file("formatador.gemspec"));
  auto inv = run(root.path());
  ASSERT_EQ(inv.packages.size(), 2u) << test::warnings_text(inv);
  EXPECT_TRUE(inv.warnings.empty()) << test::warnings_text(inv);

  const Package* bundler = find_package(inv, "bundler");
  ASSERT_NE(bundler, nullptr);
  EXPECT_EQ(bundler->version, "2.1.4");
  EXPECT_EQ(bundler->purl, "pkg:gem/bundler@2.1.4");
  EXPECT_EQ(bundler->type, "gem");
  EXPECT_EQ(bundler->found_by, "ruby-installed-gemspec-cataloger");
  ASSERT_EQ(bundler->licenses.size(), 1u);
  EXPECT_EQ(bundler->licenses[0].kind, License::Kind::spdx_id);
  EXPECT_EQ(bundler->licenses[0].value, "MIT");
  // Authors in order, with the \u00E9 escapes decoded to UTF-8 (syft: "André Arko", ...).
  EXPECT_TRUE(bundler->author.starts_with("Andr\xC3\xA9 Arko, Samuel Giddins, Colby Swandale")) << bundler->author;
  EXPECT_NE(bundler->author.find("David Rodr\xC3\xADguez"), std::string::npos);
  EXPECT_TRUE(bundler->author.ends_with("Carl Lerche, Yehuda Katz"));
  EXPECT_EQ(bundler->metadata.at("homepage"), "https://bundler.io");
  // s.files are relative to the installed gem directory beside specifications/.
  std::vector<std::string> files{"/usr/lib/ruby/gems/3.1.0/gems/bundler-2.1.4/exe/bundle",
                                 "/usr/lib/ruby/gems/3.1.0/gems/bundler-2.1.4/exe/bundler"};
  EXPECT_EQ(bundler->files, files);
  ASSERT_EQ(bundler->locations.size(), 1u);
  EXPECT_EQ(bundler->locations[0].path, "/" + std::string(kSpecs) + "bundler-2.1.4.gemspec");

  // syft's TestParseGemspec_ResolvesRubyInterpolation: "#{s.name}" in the homepage is resolved.
  const Package* formatador = find_package(inv, "formatador");
  ASSERT_NE(formatador, nullptr);
  EXPECT_EQ(formatador->version, "1.1.0");
  EXPECT_EQ(formatador->purl, "pkg:gem/formatador@1.1.0");
  EXPECT_EQ(formatador->metadata.at("homepage"), "https://github.com/geemus/formatador");
  EXPECT_EQ(formatador->author, "geemus (Wesley Beary)");
  ASSERT_EQ(formatador->licenses.size(), 1u);
  EXPECT_EQ(formatador->licenses[0].value, "MIT");
}

TEST(Ruby, GemspecsOutsideSpecificationsAreNotInstalledGems) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  // syft's ruby fixture dir holds bundler.gemspec and formatador.gemspec at its top: not installed.
  test::TempDir root;
  write_fixture(root.path(), "app/bundler.gemspec", syft_file("bundler.gemspec"));
  auto inv = run(root.path());
  EXPECT_TRUE(inv.packages.empty());
  EXPECT_TRUE(inv.warnings.empty());
}

TEST(Ruby, SyftGlobPathsFindNestedSpecsAndLockOnly) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  // glob-paths: specifications/root.gemspec, specifications/pkg/nested.gemspec, src/Gemfile.lock
  // (each a few bogus bytes) are read; src/Gemfile.next.lock is not.
  auto inv = run(test::syft_fixtures() / "ruby/glob-paths");
  EXPECT_TRUE(inv.packages.empty());
  std::set<std::string> warned;
  for (const auto& w : inv.warnings) warned.insert(w.path);
  std::set<std::string> want{"/specifications/root.gemspec", "/specifications/pkg/nested.gemspec", "/src/Gemfile.lock"};
  EXPECT_EQ(warned, want) << test::warnings_text(inv);
}

TEST(Ruby, GemfileLockAsSyftExpects) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  test::TempDir root;
  write_fixture(root.path(), "app/Gemfile.lock", syft_file("Gemfile.lock"));
  auto inv = run(root.path());
  std::set<std::string> want{
      "actionmailer@4.1.1", "actionpack@4.1.1", "actionview@4.1.1", "activemodel@4.1.1", "activerecord@4.1.1",
      "activesupport@4.1.1", "arel@5.0.1.20140414130214", "bootstrap-sass@3.1.1.1", "builder@3.2.2",
      "coffee-rails@4.0.1", "coffee-script@2.2.0", "coffee-script-source@1.7.0", "erubis@2.7.0", "execjs@2.0.2",
      "google-cloud-errors@1.3.0", "hike@1.2.3", "i18n@0.6.9", "jbuilder@2.0.7", "jquery-rails@3.1.0", "json@1.8.1",
      "kgio@2.9.2", "libv8@3.16.14.3", "mail@2.5.4", "mime-types@1.25.1", "minitest@5.3.4", "multi_json@1.10.1",
      "mysql2@0.3.16", "polyglot@0.3.4", "rack@1.5.2", "rack-test@0.6.2", "rails@4.1.1", "railties@4.1.1",
      "raindrops@0.13.0", "rake@10.3.2", "rdoc@4.1.1", "ref@1.0.5", "sass@3.2.19", "sass-rails@4.0.3",
      "sdoc@0.4.0", "spring@1.1.3", "sprockets@2.11.0", "sprockets-rails@2.1.3", "sqlite3@1.3.9",
      "therubyracer@0.12.1", "thor@0.19.1", "thread_safe@0.3.3", "tilt@1.4.1", "treetop@1.4.15",
      "turbolinks@3.0.0", "tzinfo@1.2.0", "uglifier@2.5.0", "unicorn@4.8.3"};
  ASSERT_EQ(want.size(), 52u);
  EXPECT_EQ(test::name_versions(inv), want);
  for (const auto& p : inv.packages) {
    EXPECT_EQ(p.purl, "pkg:gem/" + p.name + "@" + p.version);
    EXPECT_EQ(p.found_by, "ruby-gemfile-cataloger");
  }
  auto got = edges(inv);
  for (const char* e : {"rails@4.1.1 -> actionmailer@4.1.1", "rails@4.1.1 -> railties@4.1.1",
                        "turbolinks@3.0.0 -> coffee-rails@4.0.1", "treetop@1.4.15 -> polyglot@0.3.4",
                        "therubyracer@0.12.1 -> libv8@3.16.14.3", "unicorn@4.8.3 -> rack@1.5.2"}) {
    EXPECT_TRUE(got.contains(e)) << e;
  }
  // rails names bundler (not locked here): no edge to a package that is not in the lock.
  for (const auto& e : got) EXPECT_EQ(e.find("bundler"), std::string::npos) << e;
  EXPECT_FALSE(find_package(inv, "bad-entry"));

  // An image is cataloged for what is installed: the lock file is not read.
  auto image = run(root.path(), Subject::Kind::image);
  EXPECT_TRUE(image.packages.empty());
}

TEST(Ruby, BadGemspecsWarnAndNeverCrash) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  std::string bundler = syft_file("bundler.gemspec");
  test::TempDir root;
  // Truncated inside the name literal: no name, a warning.
  write_fixture(root.path(), std::string(kSpecs) + "cut-name.gemspec", bundler.substr(0, bundler.find("\"bundler\"") + 4));
  // Truncated inside the authors list: name and version are there, so the gem is kept.
  write_fixture(root.path(), std::string(kSpecs) + "cut-authors.gemspec", bundler.substr(0, bundler.find("Colby")));
  // Wrong types: the name is a number, the version a constant.
  write_fixture(root.path(), std::string(kSpecs) + "types.gemspec",
                "Gem::Specification.new do |s|\n  s.name = 42\n  s.version = Foo::VERSION\nend\n");
  // An unterminated \u{ escape and an open list at the end of the file.
  write_fixture(root.path(), std::string(kSpecs) + "escape.gemspec", "s.name = \"x\\u{41\n s.version = \"1\"\ns.files = [\"a\",");
  write_fixture(root.path(), std::string(kSpecs) + "binary.gemspec", std::string("s.name = \"a\"\0\xff\xfe", 15));
  test::write_oversized(root.path(), std::string(kSpecs) + "huge.gemspec", limits::kMaxSbomFileBytes);
  write_fixture(root.path(), "Gemfile.lock", "GEM\n  specs:\n    (\n      \n    x (1 2)\n");
  auto inv = run(root.path());
  ASSERT_EQ(inv.packages.size(), 1u) << test::warnings_text(inv);
  EXPECT_EQ(inv.packages[0].name, "bundler");
  EXPECT_EQ(inv.packages[0].author, "Andr\xC3\xA9 Arko, Samuel Giddins");
  std::map<std::string, std::string> warned;
  for (const auto& w : inv.warnings) warned[w.path.substr(w.path.rfind('/') + 1)] = w.message;
  EXPECT_EQ(warned.size(), 6u) << test::warnings_text(inv);
  for (const char* f : {"cut-name.gemspec", "types.gemspec", "escape.gemspec", "binary.gemspec", "huge.gemspec",
                        "Gemfile.lock"}) {
    EXPECT_TRUE(warned.contains(f)) << f << "\n" << test::warnings_text(inv);
  }
  EXPECT_NE(warned["huge.gemspec"].find("larger than"), std::string::npos) << warned["huge.gemspec"];
}

TEST(Ruby, GemspecVariantsRubyGemsWrites) {
  test::TempDir root;
  // Single quotes, a singular license and author, a list spread over lines, an unknown interpolation.
  write_fixture(root.path(), std::string(kSpecs) + "x-1.0-x86_64-linux.gemspec",
                "Gem::Specification.new do |spec|\n"
                "  spec.name    = 'x'\n"
                "  spec.version = '1.0'\n"
                "  spec.license = 'Apache-2.0'\n"
                "  spec.author = \"O'Brien \\\"Ob\\\"\"\n"
                "  spec.homepage = \"https://x.example/#{Time.now}\"\n"
                "  spec.files = [\"lib/x.rb\".freeze,\n    \"lib/x/y.rb\".freeze]\n"
                "  spec.name == 'ignored'\n"
                "end\n");
  auto inv = run(root.path());
  ASSERT_EQ(inv.packages.size(), 1u) << test::warnings_text(inv);
  const auto& p = inv.packages[0];
  EXPECT_EQ(p.purl, "pkg:gem/x@1.0");
  ASSERT_EQ(p.licenses.size(), 1u);
  EXPECT_EQ(p.licenses[0].value, "Apache-2.0");
  EXPECT_EQ(p.author, "O'Brien \"Ob\"");
  EXPECT_FALSE(p.metadata.contains("homepage"));  // unresolvable interpolation dropped, as syft
  std::vector<std::string> files{"/usr/lib/ruby/gems/3.1.0/gems/x-1.0-x86_64-linux/lib/x.rb",
                                 "/usr/lib/ruby/gems/3.1.0/gems/x-1.0-x86_64-linux/lib/x/y.rb"};
  EXPECT_EQ(p.files, files);
}

}  // namespace
}  // namespace sigil::sbom
