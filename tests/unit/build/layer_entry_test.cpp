// COPY transformations: --chmod (octal and symbolic, as BuildKit accepts), --chown, and how
// sources land under a destination.
#include <gtest/gtest.h>

#include "build/layer/layer_entry.hpp"

namespace sigil::build {
namespace {

LayerEntry file(std::string path, std::uint32_t mode = 0644) {
  LayerEntry e;
  e.path = std::move(path);
  e.mode = mode;
  e.content = std::string("x");
  e.size = 1;
  return e;
}

LayerEntry dir(std::string path, std::uint32_t mode = 0700) {
  LayerEntry e;
  e.path = std::move(path);
  e.type = EntryType::directory;
  e.mode = mode;
  return e;
}

std::uint32_t chmod(std::string_view spec, std::uint32_t mode, bool is_dir = false) {
  auto parsed = Chmod::parse(spec);
  EXPECT_TRUE(parsed.has_value()) << spec << ": " << parsed.error().message;
  return parsed ? parsed->apply(mode, is_dir) : 0xFFFFFFFF;
}

TEST(LayerEntryPath, CleanRelativePath) {
  EXPECT_EQ(clean_relative_path("../../x"), "x");
  EXPECT_EQ(clean_relative_path("/a//b/./c/../d/"), "a/b/d");
  EXPECT_EQ(clean_relative_path("."), "");
  EXPECT_EQ(clean_relative_path("/"), "");
  EXPECT_EQ(clean_relative_path("a/../../.."), "");
}

TEST(LayerEntryChmod, OctalModes) {
  EXPECT_EQ(chmod("755", 0600), 0755U);
  EXPECT_EQ(chmod("0644", 0777, true), 0644U);
  EXPECT_EQ(chmod("4755", 0), 04755U);
  EXPECT_EQ(chmod("07777", 0), 07777U);
  for (std::string_view bad : {"8", "0789", "17777", "", "u+q", "u+", "z+x", "+x,", "755x"}) {
    if (bad == "u+") continue;  // "u+" is valid (adds nothing), as in chmod(1)
    auto parsed = Chmod::parse(bad);
    EXPECT_FALSE(parsed.has_value()) << bad;
    if (!parsed) {
      EXPECT_NE(parsed.error().message.find(std::string(bad)), std::string::npos);
    }
  }
}

TEST(LayerEntryChmod, SymbolicModesAsChmodDoes) {
  EXPECT_EQ(chmod("u+x", 0644), 0744U);
  EXPECT_EQ(chmod("+x", 0644), 0755U);
  EXPECT_EQ(chmod("go-w", 0666), 0644U);
  EXPECT_EQ(chmod("a=r", 0755), 0444U);
  EXPECT_EQ(chmod("u=rwx,g=rx,o=", 0600), 0750U);
  EXPECT_EQ(chmod("a+X", 0644), 0644U);         // a plain file without x stays so
  EXPECT_EQ(chmod("a+X", 0744), 0755U);         // ... one with x gets it everywhere
  EXPECT_EQ(chmod("a+X", 0700, true), 0711U);   // directories always
  EXPECT_EQ(chmod("u+s", 0755), 04755U);
  EXPECT_EQ(chmod("g+s", 0755), 02755U);
  EXPECT_EQ(chmod("o+s", 0755), 0755U);         // set-id means nothing for others
  EXPECT_EQ(chmod("+t", 0755, true), 01755U);
  EXPECT_EQ(chmod("g=u", 0740), 0770U);
  EXPECT_EQ(chmod("u-s", 04755), 0755U);
}

TEST(LayerEntryChmod, AppliesToFilesAndDirsButNotSymlinks) {
  LayerEntry link;
  link.path = "l";
  link.type = EntryType::symlink;
  link.mode = 0777;
  std::vector<LayerEntry> entries = {file("f"), dir("d"), link};
  apply_chmod(entries, *Chmod::parse("640"));
  EXPECT_EQ(entries[0].mode, 0640U);
  EXPECT_EQ(entries[1].mode, 0640U);
  EXPECT_EQ(entries[2].mode, 0777U);
  apply_chown(entries, Chown{1000, 2000});
  for (const auto& e : entries) {
    EXPECT_EQ(e.uid, 1000U);
    EXPECT_EQ(e.gid, 2000U);
  }
}

std::vector<std::string> paths(const std::vector<LayerEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.path);
  return out;
}

CollectedSource dir_source(std::vector<LayerEntry> entries) {
  CollectedSource s;
  s.is_dir = true;
  s.self = dir("", 0700);
  s.entries = std::move(entries);
  return s;
}

CollectedSource file_source(std::string name) {
  CollectedSource s;
  s.entries.push_back(file(std::move(name)));
  return s;
}

TEST(LayerEntryPlacement, DirectoryContentsGoIntoDestCreatedWith0755AndOwner) {
  std::vector<CollectedSource> sources;
  LayerEntry hard;
  hard.path = "sub/h";
  hard.type = EntryType::hardlink;
  hard.link_target = "sub/f";
  sources.push_back(dir_source({dir("sub"), file("sub/f"), hard}));
  auto placed = place_sources(std::move(sources), Placement{.dest = "/opt/app", .created_owner = {7, 8}, .existing = nullptr});
  ASSERT_TRUE(placed.has_value()) << placed.error().message;
  EXPECT_EQ(paths(*placed), (std::vector<std::string>{"opt", "opt/app", "opt/app/sub", "opt/app/sub/f", "opt/app/sub/h"}));
  EXPECT_EQ((*placed)[0].mode, 0755U);
  EXPECT_EQ((*placed)[1].mode, 0755U) << "the source directory's own mode is not copied";
  EXPECT_EQ((*placed)[1].uid, 7U);
  EXPECT_EQ((*placed)[2].mode, 0700U);
  EXPECT_EQ((*placed)[4].link_target, "opt/app/sub/f");
}

TEST(LayerEntryPlacement, FileToFileOrIntoDirectory) {
  {
    std::vector<CollectedSource> sources;
    sources.push_back(file_source("a.txt"));
    auto placed = place_sources(std::move(sources), Placement{.dest = "/etc/b.conf", .created_owner = {}, .existing = nullptr});
    ASSERT_TRUE(placed.has_value());
    EXPECT_EQ(paths(*placed), (std::vector<std::string>{"etc", "etc/b.conf"}));
  }
  {
    std::vector<CollectedSource> sources;
    sources.push_back(file_source("a.txt"));
    sources.push_back(file_source("b.txt"));
    auto placed = place_sources(std::move(sources), Placement{.dest = "/dst/", .created_owner = {}, .existing = nullptr});
    ASSERT_TRUE(placed.has_value());
    EXPECT_EQ(paths(*placed), (std::vector<std::string>{"dst", "dst/a.txt", "dst/b.txt"}));
  }
  {
    // An existing directory of the stage receives the file by name; its metadata is kept.
    LayerEntry usr_bin = dir("usr/bin", 0751);
    usr_bin.uid = 5;
    auto existing = [&](std::string_view p) -> std::optional<LayerEntry> {
      if (p == "/usr") return dir("usr", 0755);
      if (p == "/usr/bin") return usr_bin;
      return std::nullopt;
    };
    std::vector<CollectedSource> sources;
    sources.push_back(file_source("tool"));
    auto placed = place_sources(std::move(sources), Placement{.dest = "/usr/bin", .created_owner = {9, 9}, .existing = existing});
    ASSERT_TRUE(placed.has_value());
    EXPECT_EQ(paths(*placed), (std::vector<std::string>{"usr", "usr/bin", "usr/bin/tool"}));
    EXPECT_EQ((*placed)[1].mode, 0751U);
    EXPECT_EQ((*placed)[1].uid, 5U);
  }
}

TEST(LayerEntryNormalize, SortsBytewiseDedupesAndAddsParents) {
  std::vector<LayerEntry> entries = {file("a-b"), file("a/b/c"), file("a/b/c", 0600), dir("a", 0700)};
  normalize_entries(entries);
  EXPECT_EQ(paths(entries), (std::vector<std::string>{"a", "a-b", "a/b", "a/b/c"}));
  EXPECT_EQ(entries[0].mode, 0700U);
  EXPECT_EQ(entries[2].mode, 0755U);
  EXPECT_EQ(entries[3].mode, 0600U) << "the last entry of a path wins";
}

}  // namespace
}  // namespace sigil::build
