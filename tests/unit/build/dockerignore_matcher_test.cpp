// .dockerignore parsing and matching, with the cases of Docker's documentation.
#include <gtest/gtest.h>

#include <fstream>

#include "build/context/dockerignore.hpp"
#include "support/temp_dir.hpp"

namespace sigil::build {
namespace {

PatternMatcher matcher_of(std::string_view text) {
  auto patterns = parse_dockerignore(text);
  EXPECT_TRUE(patterns.has_value()) << patterns.error().message;
  auto matcher = PatternMatcher::create(*patterns);
  EXPECT_TRUE(matcher.has_value()) << matcher.error().message;
  return std::move(*matcher);
}

TEST(DockerignoreParse, CommentsBlankLinesWhitespaceAndCleaning) {
  auto patterns = parse_dockerignore("# comment\n\n  foo  \n\t/bar/\n./baz//qux/../x\n!  keep\n  # not a comment\r\n");
  ASSERT_TRUE(patterns.has_value()) << patterns.error().message;
  EXPECT_EQ(*patterns, (std::vector<std::string>{"foo", "bar", "baz/x", "!keep", "# not a comment"}));
}

TEST(DockerignoreParse, ByteOrderMarkIsDropped) {
  auto patterns = parse_dockerignore("\xEF\xBB\xBFnode_modules\n");
  ASSERT_TRUE(patterns.has_value());
  EXPECT_EQ(*patterns, (std::vector<std::string>{"node_modules"}));
}

TEST(DockerignoreParse, LoneExclamationMarkIsAnErrorWithTheLine) {
  auto patterns = parse_dockerignore("a\n!\n", "ctx/.dockerignore");
  ASSERT_FALSE(patterns.has_value());
  EXPECT_NE(patterns.error().message.find("ctx/.dockerignore:2"), std::string::npos) << patterns.error().message;
}

TEST(DockerignoreParse, UnterminatedClassIsAnError) {
  auto patterns = parse_dockerignore("ok\nfoo[ab\n");
  ASSERT_FALSE(patterns.has_value());
  EXPECT_NE(patterns.error().message.find(":2"), std::string::npos);
}

// https://docs.docker.com/build/concepts/context/#dockerignore-files
TEST(DockerignoreMatch, DocumentationExample) {
  auto m = matcher_of("# comment\n*/temp*\n*/*/temp*\ntemp?\n");
  EXPECT_TRUE(m.excluded("somedir/temporary.txt"));
  EXPECT_TRUE(m.excluded("somedir/temp"));
  EXPECT_TRUE(m.excluded("somedir/subdir/temporary.txt"));
  EXPECT_TRUE(m.excluded("tempa"));
  EXPECT_TRUE(m.excluded("tempb"));
  EXPECT_FALSE(m.excluded("temp"));
  EXPECT_FALSE(m.excluded("temporary.txt"));
  EXPECT_FALSE(m.excluded("a/b/c/temp"));
}

TEST(DockerignoreMatch, DoubleStarMatchesAnyDepth) {
  auto m = matcher_of("**/*.go\n");
  EXPECT_TRUE(m.excluded("main.go"));
  EXPECT_TRUE(m.excluded("a/b/c/main.go"));
  EXPECT_FALSE(m.excluded("a/b/main.gox"));
  auto prefix = matcher_of("build/**\n");
  EXPECT_TRUE(prefix.excluded("build/x"));
  EXPECT_TRUE(prefix.excluded("build/x/y"));
  EXPECT_FALSE(prefix.excluded("builder"));
  auto middle = matcher_of("a/**/z\n");
  EXPECT_TRUE(middle.excluded("a/z"));
  EXPECT_TRUE(middle.excluded("a/b/c/z"));
  EXPECT_FALSE(middle.excluded("a/bz"));
}

TEST(DockerignoreMatch, ExceptionsLastMatchWins) {
  auto readme = matcher_of("*.md\n!README.md\n");
  EXPECT_TRUE(readme.excluded("CHANGELOG.md"));
  EXPECT_FALSE(readme.excluded("README.md"));

  auto secret_last = matcher_of("*.md\n!README*.md\nREADME-secret.md\n");
  EXPECT_TRUE(secret_last.excluded("CHANGELOG.md"));
  EXPECT_FALSE(secret_last.excluded("README-public.md"));
  EXPECT_TRUE(secret_last.excluded("README-secret.md"));

  auto exception_last = matcher_of("*.md\nREADME-secret.md\n!README*.md\n");
  EXPECT_FALSE(exception_last.excluded("README-secret.md"));
  EXPECT_TRUE(exception_last.excluded("other.md"));
}

TEST(DockerignoreMatch, ParentDirectoryMatchExcludesEverythingBelow) {
  auto m = matcher_of("node_modules\n");
  EXPECT_TRUE(m.excluded("node_modules"));
  EXPECT_TRUE(m.excluded("node_modules/a/b.js"));
  EXPECT_FALSE(m.excluded("src/node_modules"));  // only at the root
  auto anywhere = matcher_of("**/node_modules\n");
  EXPECT_TRUE(anywhere.excluded("src/node_modules/x.js"));
}

TEST(DockerignoreMatch, ClassesEscapesAndQuestionMark) {
  auto m = matcher_of("file[0-9].txt\nx[^a]y\nlit\\*eral\na?c\n");
  EXPECT_TRUE(m.excluded("file7.txt"));
  EXPECT_FALSE(m.excluded("fileA.txt"));
  EXPECT_TRUE(m.excluded("xby"));
  EXPECT_FALSE(m.excluded("xay"));
  EXPECT_TRUE(m.excluded("lit*eral"));
  EXPECT_FALSE(m.excluded("litXeral"));
  EXPECT_TRUE(m.excluded("abc"));
  EXPECT_FALSE(m.excluded("a/c"));
}

TEST(DockerignoreMatch, ExcludedDirectoryIsWalkedOnlyWhenAnExceptionReachesBelowIt) {
  auto m = matcher_of("docs\n!docs/keep.md\n");
  EXPECT_TRUE(m.excluded("docs"));
  EXPECT_TRUE(m.excluded("docs/other.md"));
  EXPECT_FALSE(m.excluded("docs/keep.md"));
  EXPECT_TRUE(m.walk_excluded_dir("docs"));
  auto none = matcher_of("docs\n!src/keep\n");
  EXPECT_FALSE(none.walk_excluded_dir("docs"));
  auto wildcard = matcher_of("*\n!**/*.go\n");
  EXPECT_TRUE(wildcard.walk_excluded_dir("anything"));
}

TEST(Dockerignore, DockerfileSpecificIgnoreFileWins) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / ".dockerignore") << "common\n";
  EXPECT_EQ(find_dockerignore(dir.path(), dir / "sub/app.Dockerfile"), dir / ".dockerignore");
  std::ofstream(dir / "sub/app.Dockerfile.dockerignore") << "specific\n";
  EXPECT_EQ(find_dockerignore(dir.path(), dir / "sub/app.Dockerfile"), dir / "sub/app.Dockerfile.dockerignore");
  auto patterns = load_dockerignore(dir.path(), dir / "sub/app.Dockerfile");
  ASSERT_TRUE(patterns.has_value());
  EXPECT_EQ(*patterns, (std::vector<std::string>{"specific"}));
  std::filesystem::remove(dir / ".dockerignore");
  EXPECT_FALSE(find_dockerignore(dir.path(), dir / "Dockerfile").has_value());
}

}  // namespace
}  // namespace sigil::build
