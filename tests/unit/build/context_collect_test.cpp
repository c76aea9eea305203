// Collecting a source: .dockerignore exceptions below excluded directories, COPY --exclude
// relative to the source, links kept as links, hardlinks, special files skipped.
#include <gtest/gtest.h>
#include <sys/stat.h>

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

std::vector<std::string> collect_paths(const BuildContext& ctx, std::string_view source,
                                       const std::vector<std::string>& excludes = {}) {
  auto resolved = ctx.resolve_source(source);
  EXPECT_TRUE(resolved.has_value()) << resolved.error().message;
  std::vector<std::string> out;
  if (!resolved) return out;
  for (const auto& r : *resolved) {
    auto collected = ctx.collect(r, excludes);
    EXPECT_TRUE(collected.has_value()) << collected.error().message;
    if (!collected) continue;
    for (const auto& e : collected->entries) out.push_back(e.path);
  }
  return out;
}

class ContextCollect : public ::testing::Test {
 protected:
  void SetUp() override {
    root = dir / "ctx";
    write(root / "Dockerfile", "FROM scratch\n");
    write(root / "docs/keep.md", "k");
    write(root / "docs/drop.md", "d");
    write(root / "docs/deep/other.md", "o");
    write(root / "src/a.go", "a");
    write(root / "src/a_test.go", "t");
    write(root / "src/gen/b.go", "b");
    write(root / "src/app.log", "l");
    write(root / "node_modules/x/index.js", "x");
  }
  test::TempDir dir;
  fs::path root;
};

TEST_F(ContextCollect, ExceptionBelowAnExcludedDirectoryKeepsItAsParentOnly) {
  auto ctx = BuildContext::open(root, {"docs", "!docs/keep.md", "node_modules"});
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(collect_paths(*ctx, "."),
            (std::vector<std::string>{"Dockerfile", "docs", "docs/keep.md", "src", "src/a.go", "src/a_test.go",
                                      "src/app.log", "src/gen", "src/gen/b.go"}));
  auto keep = ctx->resolve_source("docs/keep.md");
  EXPECT_TRUE(keep.has_value());
  EXPECT_FALSE(ctx->resolve_source("docs/drop.md").has_value());
  EXPECT_EQ(collect_paths(*ctx, "docs"), (std::vector<std::string>{"keep.md"}));
}

TEST_F(ContextCollect, CopyExcludeIsRelativeToTheSource) {
  auto ctx = BuildContext::open(root, {});
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(collect_paths(*ctx, "src", {"*_test.go", "*.log", "gen"}), (std::vector<std::string>{"a.go"}));
  EXPECT_EQ(collect_paths(*ctx, "src", {"**/*.go", "!gen/b.go"}),
            (std::vector<std::string>{"app.log", "gen", "gen/b.go"}));
  auto bad = ctx->resolve_source("src");
  ASSERT_TRUE(bad.has_value());
  EXPECT_FALSE(ctx->collect((*bad)[0], {"!"}).has_value());
}

TEST_F(ContextCollect, LinksStayLinksHardlinksLinkSpecialFilesAreSkipped) {
  fs::create_symlink("/etc/shadow", root / "src/abs_link");  // kept as a link, never read
  fs::create_symlink("../../..", root / "src/up");
  fs::create_hard_link(root / "src/a.go", root / "src/z_hard.go");
  ASSERT_EQ(::mkfifo((root / "src/fifo").c_str(), 0644), 0);
  auto ctx = BuildContext::open(root, {});
  ASSERT_TRUE(ctx.has_value());
  auto resolved = ctx->resolve_source("src");
  ASSERT_TRUE(resolved.has_value());
  auto collected = ctx->collect((*resolved)[0]);
  ASSERT_TRUE(collected.has_value()) << collected.error().message;
  EXPECT_TRUE(collected->is_dir);
  std::map<std::string, LayerEntry> by_path;
  for (auto& e : collected->entries) by_path[e.path] = e;
  EXPECT_EQ(by_path.count("fifo"), 0U);
  ASSERT_EQ(by_path.count("abs_link"), 1U);
  EXPECT_EQ(by_path["abs_link"].type, EntryType::symlink);
  EXPECT_EQ(by_path["abs_link"].link_target, "/etc/shadow");
  EXPECT_EQ(by_path["up"].type, EntryType::symlink);
  EXPECT_EQ(by_path["up"].link_target, "../../..");
  EXPECT_EQ(by_path["a.go"].type, EntryType::regular);
  EXPECT_EQ(by_path["z_hard.go"].type, EntryType::hardlink);
  EXPECT_EQ(by_path["z_hard.go"].link_target, "a.go");
  // Every regular file's content lies inside the context.
  const auto canonical_root = fs::canonical(root);
  for (const auto& [path, e] : by_path) {
    if (const auto* file = std::get_if<FileContent>(&e.content)) {
      EXPECT_TRUE(file->path.string().starts_with(canonical_root.string() + "/")) << file->path;
    }
  }
}

TEST_F(ContextCollect, FileSourceIsNamedAsMatched) {
  fs::create_symlink("src/a.go", root / "alias.go");
  auto ctx = BuildContext::open(root, {});
  ASSERT_TRUE(ctx.has_value());
  auto resolved = ctx->resolve_source("alias.go");
  ASSERT_TRUE(resolved.has_value());
  auto collected = ctx->collect((*resolved)[0]);
  ASSERT_TRUE(collected.has_value());
  ASSERT_EQ(collected->entries.size(), 1U);
  EXPECT_EQ(collected->entries[0].path, "alias.go");
  EXPECT_EQ(collected->entries[0].type, EntryType::regular);  // the source itself is followed
  EXPECT_EQ(std::get<FileContent>(collected->entries[0].content).path, fs::canonical(root) / "src/a.go");
}

}  // namespace
}  // namespace sigil::build
