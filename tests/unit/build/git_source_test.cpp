// Which ADD sources are git repositories, and how "#ref:subdir" splits, as BuildKit's
// gitutil.ParseGitRef decides (the fetching itself is covered by e2e/build_add_git_test).
#include "build/exec/detail/git_source.hpp"

#include <gtest/gtest.h>

namespace sigil::build::detail {
namespace {

TEST(GitSource, RecognisesTheFormsBuildKitTreatsAsGit) {
  for (const char* s : {"git://host/repo", "git://host:9418/repo.git#v1", "ssh://git@host/repo", "SSH://host/r",
                        "https://github.com/moby/buildkit.git", "http://host/r.git#main", "git@github.com:moby/buildkit.git",
                        "user_1@host.example:path/repo#v1:sub", "https://host/r.git?ref=x"}) {
    EXPECT_TRUE(parse_git_source(s)) << s;
  }
  for (const char* s : {"https://example.com/file.tar.gz", "http://host/r.git/x", "https://host/", "ftp://host/r.git",
                        "file:///tmp/r.git", "github.com/moby/buildkit", "./a@b:c", "../x@y:z", "hello.txt",
                        "dir/", "@host:path", "user@:path", "user@host/x:y"}) {
    EXPECT_FALSE(parse_git_source(s)) << s;
  }
}

TEST(GitSource, FragmentSplitsIntoRefAndCleanSubdir) {
  auto g = parse_git_source("https://github.com/foo/bar.git#baz/qux:quux/quuz");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->remote, "https://github.com/foo/bar.git");
  EXPECT_EQ(g->ref, "baz/qux");
  EXPECT_EQ(g->subdir, "quux/quuz");
  g = parse_git_source("git@host:r.git#:/../a/./b/");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->remote, "git@host:r.git");
  EXPECT_EQ(g->ref, "");
  EXPECT_EQ(g->subdir, "a/b");
  g = parse_git_source("git://h/r");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->ref, "");
  EXPECT_EQ(g->subdir, "");
  // The query is not part of the remote.
  EXPECT_EQ(parse_git_source("https://h/r.git?x=1#v2")->remote, "https://h/r.git");
}

TEST(GitSource, CommitShaIsFortyLowerHex) {
  EXPECT_TRUE(is_commit_sha(std::string(40, 'a')));
  EXPECT_FALSE(is_commit_sha(std::string(40, 'A')));
  EXPECT_FALSE(is_commit_sha(std::string(39, 'a')));
  EXPECT_FALSE(is_commit_sha(std::string(40, 'g')));
}

}  // namespace
}  // namespace sigil::build::detail
