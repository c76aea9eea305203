// Source resolution in a directory context: parent navigation stripped, symlinks resolved
// inside the root (never outside, whatever they point at), wildcards, .dockerignore.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "build/context/build_context.hpp"
#include "support/temp_dir.hpp"

namespace sigil::build {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

class ContextResolve : public ::testing::Test {
 protected:
  void SetUp() override {
    root = dir / "ctx";
    fs::create_directories(root);
    write(dir / "outside.txt", "SECRET");  // beside the context: must never be reachable
    write(dir / "etc/passwd", "SECRET");
    write(root / "a.txt", "a");
    write(root / "b.txt", "b");
    write(root / "c.md", "c");
    write(root / "src/main.go", "package main");
    write(root / "src/util/x.go", "package util");
    write(root / "etc/passwd", "inside");
  }
  BuildContext open(const std::vector<std::string>& ignore = {}) {
    auto ctx = BuildContext::open(root, ignore);
    EXPECT_TRUE(ctx.has_value()) << ctx.error().message;
    return std::move(*ctx);
  }
  test::TempDir dir;
  fs::path root;
};

TEST_F(ContextResolve, PlainPathsAndParentNavigationStripped) {
  auto ctx = open();
  for (std::string_view source : {"a.txt", "/a.txt", "./a.txt", "../a.txt", "../../x/../a.txt", "src/../a.txt"}) {
    auto r = ctx.resolve_source(source);
    ASSERT_TRUE(r.has_value()) << source << ": " << r.error().message;
    ASSERT_EQ(r->size(), 1U);
    EXPECT_EQ((*r)[0].path, "a.txt") << source;
    EXPECT_EQ((*r)[0].name, "a.txt");
    EXPECT_FALSE((*r)[0].is_dir);
  }
  auto dot = ctx.resolve_source(".");
  ASSERT_TRUE(dot.has_value());
  EXPECT_EQ((*dot)[0].path, "");
  EXPECT_TRUE((*dot)[0].is_dir);
}

TEST_F(ContextResolve, MissingSourceNamesThePath) {
  auto ctx = open();
  for (std::string_view source : {"nope.txt", "../outside.txt", "../../outside.txt", "a.txt/x"}) {
    auto r = ctx.resolve_source(source);
    ASSERT_FALSE(r.has_value()) << source;
    EXPECT_EQ(r.error().category, ErrorCategory::input);
    EXPECT_NE(r.error().message.find(std::string(source)), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("not found"), std::string::npos) << r.error().message;
  }
}

TEST_F(ContextResolve, AbsoluteSymlinkResolvesInsideTheRoot) {
  fs::create_symlink("/etc", root / "link_etc");
  fs::create_symlink("/etc/passwd", root / "passwd_link");
  auto ctx = open();
  for (std::string_view source : {"link_etc/passwd", "passwd_link"}) {
    auto r = ctx.resolve_source(source);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ((*r)[0].path, "etc/passwd") << source;
    auto collected = ctx.collect((*r)[0]);
    ASSERT_TRUE(collected.has_value()) << collected.error().message;
    ASSERT_EQ(collected->entries.size(), 1U);
    const auto& content = std::get<FileContent>(collected->entries[0].content);
    EXPECT_EQ(content.path, fs::canonical(root) / "etc/passwd");
    EXPECT_EQ(collected->entries[0].size, 6U);  // "inside", not the host's or the neighbour's
  }
}

TEST_F(ContextResolve, RelativeSymlinksClimbingOutStopAtTheRoot) {
  fs::create_symlink("../../../../..", root / "up");
  fs::create_symlink("../outside.txt", root / "out_link");
  fs::create_symlink("src/../../outside.txt", root / "sneaky");
  auto ctx = open();
  auto up = ctx.resolve_source("up/etc/passwd");
  ASSERT_TRUE(up.has_value()) << up.error().message;
  EXPECT_EQ((*up)[0].path, "etc/passwd");
  for (std::string_view source : {"out_link", "sneaky", "up/outside.txt", "up/../outside.txt"}) {
    auto r = ctx.resolve_source(source);
    EXPECT_FALSE(r.has_value()) << source << " resolved to " << (r ? (*r)[0].path : "");
  }
  auto to_root = ctx.resolve_source("up");
  ASSERT_TRUE(to_root.has_value());
  EXPECT_EQ((*to_root)[0].path, "");
  EXPECT_TRUE((*to_root)[0].is_dir);
}

TEST_F(ContextResolve, SymlinkLoopIsAnError) {
  fs::create_symlink("loop2", root / "loop1");
  fs::create_symlink("loop1", root / "loop2");
  auto ctx = open();
  auto r = ctx.resolve_source("loop1");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("loop1"), std::string::npos) << r.error().message;
}

TEST_F(ContextResolve, DanglingSymlinkSourceIsNotFound) {
  fs::create_symlink("missing", root / "dangling");
  auto ctx = open();
  EXPECT_FALSE(ctx.resolve_source("dangling").has_value());
}

TEST_F(ContextResolve, WildcardsMatchInLexicalOrderWithoutCrossingSlashes) {
  auto ctx = open();
  auto txt = ctx.resolve_source("*.txt");
  ASSERT_TRUE(txt.has_value()) << txt.error().message;
  ASSERT_EQ(txt->size(), 2U);
  EXPECT_EQ((*txt)[0].path, "a.txt");
  EXPECT_EQ((*txt)[1].path, "b.txt");
  auto go = ctx.resolve_source("src/*.go");
  ASSERT_TRUE(go.has_value());
  ASSERT_EQ(go->size(), 1U);
  EXPECT_EQ((*go)[0].path, "src/main.go");
  auto nested = ctx.resolve_source("s?c/*/[x-y].go");
  ASSERT_TRUE(nested.has_value());
  ASSERT_EQ(nested->size(), 1U);
  EXPECT_EQ((*nested)[0].path, "src/util/x.go");
  EXPECT_EQ((*nested)[0].name, "x.go");
  auto none = ctx.resolve_source("*.none");
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
  auto dirs = ctx.resolve_source("sr*");
  ASSERT_TRUE(dirs.has_value());
  ASSERT_EQ(dirs->size(), 1U);
  EXPECT_TRUE((*dirs)[0].is_dir);
}

TEST_F(ContextResolve, WildcardMatchedSymlinkStaysInside) {
  fs::create_symlink("/outside.txt", root / "z_link.txt");  // means ROOT/outside.txt: missing
  fs::create_symlink("/a.txt", root / "y_link.txt");
  auto ctx = open();
  auto r = ctx.resolve_source("*_link.txt");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 1U);
  EXPECT_EQ((*r)[0].path, "a.txt");
  EXPECT_EQ((*r)[0].name, "y_link.txt");
}

TEST_F(ContextResolve, DockerignoredSourcesDoNotExist) {
  fs::create_symlink("c.md", root / "md_link");
  auto ctx = open({"*.md", "src/util"});
  auto md = ctx.resolve_source("c.md");
  ASSERT_FALSE(md.has_value());
  EXPECT_NE(md.error().message.find(".dockerignore"), std::string::npos) << md.error().message;
  EXPECT_FALSE(ctx.resolve_source("md_link").has_value());  // its target is not in the context
  EXPECT_FALSE(ctx.resolve_source("src/util/x.go").has_value());
  auto wildcard = ctx.resolve_source("*");
  ASSERT_TRUE(wildcard.has_value());
  for (const auto& source : *wildcard) EXPECT_NE(source.path, "c.md");
}

TEST_F(ContextResolve, ContextThatIsNotADirectoryIsRefused) {
  EXPECT_FALSE(BuildContext::open(root / "a.txt", {}).has_value());
  EXPECT_FALSE(BuildContext::open(root / "missing", {}).has_value());
  EXPECT_FALSE(BuildContext::open(root, {"!"}).has_value());
}

}  // namespace
}  // namespace sigil::build
