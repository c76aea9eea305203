// Reproducible layers: the same tree with other mtimes and owners, written again later, gives
// the same bytes; GNU tar, gzip and zstd (programs we did not write) read what we wrote.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "build/context/build_context.hpp"
#include "build/layer/layer_writer.hpp"
#include "common/file.hpp"
#include "support/temp_dir.hpp"

namespace sigil::build {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kEpoch = 1700000000;  // 2023-11-14 22:13:20 UTC

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  ::pclose(pipe);
  return out;
}

void write(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string pseudo_random(std::size_t size, std::uint64_t seed) {
  std::string out(size, '\0');
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (std::size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x & 0xff);
  }
  return out;
}

// The same tree every time, with the given mtime and owner on every path.
void make_tree(const fs::path& root, std::int64_t mtime, uid_t owner, bool large) {
  write(root / "README.md", "hello\n");
  write(root / "bin/tool", "#!/bin/sh\necho tool\n");
  fs::permissions(root / "bin/tool", static_cast<fs::perms>(04755));
  write(root / "data/random.bin", pseudo_random(200000, 1));
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + " of some compressible text\n";
  write(root / "data/text.txt", text);
  if (large) write(root / "data/large.bin", pseudo_random(6 * 1024 * 1024, 2) + text + pseudo_random(13 * 1024 * 1024, 3));
  fs::create_directories(root / "empty/dir");
  write(root / "links/h1", "hardlinked");
  fs::create_hard_link(root / "links/h1", root / "links/h2");
  fs::create_symlink("../README.md", root / "links/readme");
  fs::create_symlink("/no/such/target", root / "links/dangling");
  fs::create_directories(root / "sticky");
  fs::permissions(root / "sticky", static_cast<fs::perms>(01777));
  // Different owners and times everywhere, links included.
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    (void)::lchown(it->path().c_str(), owner, owner);
    const struct timespec times[2] = {{mtime, 0}, {mtime, 0}};
    (void)::utimensat(AT_FDCWD, it->path().c_str(), times, AT_SYMLINK_NOFOLLOW);
  }
  // chown clears set-id bits: set the mode last (and the times again, chmod keeps them).
  fs::permissions(root / "bin/tool", static_cast<fs::perms>(04755));
}

std::vector<LayerEntry> entries_of(const fs::path& root) {
  auto ctx = BuildContext::open(root, {});
  EXPECT_TRUE(ctx.has_value()) << ctx.error().message;
  auto sources = ctx->resolve_source(".");
  EXPECT_TRUE(sources.has_value());
  auto collected = ctx->collect((*sources)[0]);
  EXPECT_TRUE(collected.has_value()) << collected.error().message;
  std::vector<CollectedSource> list;
  list.push_back(std::move(*collected));
  auto placed = place_sources(std::move(list), Placement{.dest = "/app/", .created_owner = {}, .existing = nullptr});
  EXPECT_TRUE(placed.has_value()) << placed.error().message;
  return std::move(*placed);
}

LayerResult write_ok(std::vector<LayerEntry> entries, const fs::path& out, Compression compression) {
  fs::create_directories(out);
  auto result = write_layer(std::move(entries), out, LayerOptions{compression, -1, kEpoch});
  EXPECT_TRUE(result.has_value()) << result.error().message;
  return result.value_or(LayerResult{});
}

std::string read_all(const fs::path& path) {
  auto bytes = read_file(path, 1ULL << 30);
  EXPECT_TRUE(bytes.has_value());
  return bytes.value_or("");
}

class LayerWriter : public ::testing::TestWithParam<Compression> {};

TEST_P(LayerWriter, SameTreeOtherTimesAndOwnersGivesSameBytesTwiceApart) {
  test::TempDir dir;
  make_tree(dir / "old", 1000000000, 1000, true);                                     // older than the epoch
  make_tree(dir / "new", std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1), 0, true);
  const auto first = write_ok(entries_of(dir / "old"), dir / "out1", GetParam());
  const auto second = write_ok(entries_of(dir / "new"), dir / "out2", GetParam());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  const auto third = write_ok(entries_of(dir / "old"), dir / "out3", GetParam());
  EXPECT_EQ(first.diff_id, second.diff_id);
  EXPECT_EQ(first.digest, second.digest);
  EXPECT_EQ(first.size, second.size);
  EXPECT_EQ(first.digest, third.digest);
  EXPECT_EQ(read_all(first.path), read_all(third.path));
  EXPECT_EQ(first.path, dir / "out1" / first.digest.hex());
  EXPECT_EQ(fs::file_size(first.path), first.size);
  EXPECT_NE(first.diff_id, first.digest);

  // An independent decompressor gives back the tar whose sha256 is the diff_id.
  const std::string tool = GetParam() == Compression::gzip ? "gzip -dc " : "zstd -dcq ";
  const std::string sum = run(tool + first.path.string() + " | sha256sum");
  EXPECT_EQ(sum.substr(0, 64), first.diff_id.hex());
  EXPECT_EQ(run("sha256sum " + first.path.string()).substr(0, 64), first.digest.hex());
}

TEST_P(LayerWriter, ParallelLayersDoNotInterfere) {
  test::TempDir dir;
  make_tree(dir / "tree", 1000000000, 0, false);
  const auto reference = write_ok(entries_of(dir / "tree"), dir / "ref", GetParam());
  std::vector<std::thread> threads;
  std::vector<LayerResult> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      results[static_cast<std::size_t>(i)] = write_ok(entries_of(dir / "tree"), dir / ("p" + std::to_string(i)), GetParam());
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r.digest, reference.digest);
}

INSTANTIATE_TEST_SUITE_P(Compressions, LayerWriter, ::testing::Values(Compression::gzip, Compression::zstd),
                         [](const auto& param_info) { return std::string(compression_name(param_info.param)); });

TEST(LayerWriterGzip, FixedHeaderAndMediaType) {
  test::TempDir dir;
  make_tree(dir / "tree", 1000000000, 0, false);
  const auto layer = write_ok(entries_of(dir / "tree"), dir / "out", Compression::gzip);
  const std::string bytes = read_all(layer.path);
  ASSERT_GT(bytes.size(), 18U);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(bytes[1]), 0x8b);
  EXPECT_EQ(bytes[3], 0) << "no FNAME, FCOMMENT or FEXTRA";
  for (int i = 4; i < 8; ++i) EXPECT_EQ(bytes[static_cast<std::size_t>(i)], 0) << "MTIME byte " << i;
  EXPECT_EQ(static_cast<unsigned char>(bytes[9]), 255) << "OS byte";
  EXPECT_EQ(layer.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  auto zstd = write_ok(entries_of(dir / "tree"), dir / "outz", Compression::zstd);
  EXPECT_EQ(zstd.media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
  EXPECT_EQ(zstd.diff_id, layer.diff_id);  // same tar, other compression
}

TEST(LayerWriterGzip, CompressionLevelChangesBytesNotContent) {
  test::TempDir dir;
  make_tree(dir / "tree", 1000000000, 0, false);
  fs::create_directories(dir / "l1");
  auto fast = write_layer(entries_of(dir / "tree"), dir / "l1", LayerOptions{Compression::gzip, 1, kEpoch});
  ASSERT_TRUE(fast.has_value());
  const auto normal = write_ok(entries_of(dir / "tree"), dir / "l6", Compression::gzip);
  EXPECT_EQ(fast->diff_id, normal.diff_id);
  EXPECT_NE(fast->digest, normal.digest);
  EXPECT_FALSE(write_layer(entries_of(dir / "tree"), dir / "l1", LayerOptions{Compression::gzip, 12, kEpoch}));
}

TEST(LayerWriterTar, GnuTarListsWhatWasWritten) {
  test::TempDir dir;
  make_tree(dir / "tree", 1000000000, 1234, false);
  const auto layer = write_ok(entries_of(dir / "tree"), dir / "out", Compression::gzip);
  // Columns collapsed to single spaces (GNU tar pads them to varying widths).
  const std::string listing =
      run("TZ=UTC tar --numeric-owner --full-time -tvzf " + layer.path.string() + " 2>&1 | tr -s ' '");
  const auto has = [&](const std::string& needle) {
    return listing.find(needle) != std::string::npos;
  };
  EXPECT_TRUE(has("drwxr-xr-x 0/0 0 2023-11-14 22:13:20 app/\n")) << listing;
  EXPECT_TRUE(has("-rwsr-xr-x 0/0 20 2023-11-14 22:13:20 app/bin/tool\n")) << listing;
  EXPECT_TRUE(has(" app/empty/dir/\n")) << listing;
  EXPECT_TRUE(has("drwxrwxrwt 0/0 0 2023-11-14 22:13:20 app/sticky/\n")) << listing;
  EXPECT_TRUE(has("app/links/dangling -> /no/such/target\n")) << listing;
  EXPECT_TRUE(has("app/links/readme -> ../README.md\n")) << listing;
  EXPECT_TRUE(has("app/links/h2 link to app/links/h1\n")) << listing;
  EXPECT_FALSE(has("1234")) << "owners of the context never reach the layer";
  EXPECT_FALSE(has("2001-")) << "file times never reach the layer";
  // Bytewise order, parents first.
  EXPECT_LT(listing.find(" app/\n"), listing.find(" app/README.md\n"));
  EXPECT_LT(listing.find(" app/README.md\n"), listing.find(" app/bin/\n"));
  EXPECT_LT(listing.find(" app/links/h1\n"), listing.find(" app/links/h2 link"));

  // The uncompressed tar: 512-byte records, two zero blocks at the end, no user or group names.
  const std::string tar = run("gzip -dc " + layer.path.string());
  ASSERT_EQ(tar.size() % 512, 0U);
  ASSERT_GE(tar.size(), 1024U);
  EXPECT_EQ(tar.substr(tar.size() - 1024), std::string(1024, '\0'));
  EXPECT_EQ(tar.substr(257, 6), std::string("ustar\0", 6));
  EXPECT_EQ(tar.substr(265, 32), std::string(32, '\0')) << "uname";
  EXPECT_EQ(tar.substr(297, 32), std::string(32, '\0')) << "gname";
}

TEST(LayerWriterTar, CapabilityXattrIsKept) {
  test::TempDir dir;
  write(dir / "tree/ping", "binary");
  const std::string set = run("setcap cap_net_raw+ep " + (dir / "tree/ping").string() + " 2>&1 && echo OK");
  if (set.find("OK") == std::string::npos) GTEST_SKIP() << "setcap failed here (" << set << "): capability not tested";
  auto entries = entries_of(dir / "tree");
  const LayerEntry* ping = nullptr;
  for (const auto& e : entries) {
    if (e.path == "app/ping") ping = &e;
  }
  ASSERT_NE(ping, nullptr);
  ASSERT_EQ(ping->xattrs.count("security.capability"), 1U);
  const auto layer = write_ok(entries, dir / "out", Compression::gzip);
  const std::string tar = run("gzip -dc " + layer.path.string());
  EXPECT_NE(tar.find("SCHILY.xattr.security.capability="), std::string::npos);
  EXPECT_EQ(tar.find("LIBARCHIVE.xattr"), std::string::npos);
  // GNU tar restores it, and getcap reads it back.
  fs::create_directories(dir / "x");
  run("tar --xattrs --xattrs-include='security.*' -xpzf " + layer.path.string() + " -C " + (dir / "x").string());
  EXPECT_NE(run("getcap " + (dir / "x/app/ping").string()).find("cap_net_raw"), std::string::npos);
}

TEST(LayerWriterTar, InMemoryContentLongNamesAndBigIds) {
  test::TempDir dir;
  LayerEntry file;
  file.path = std::string(150, 'n') + "/" + std::string(120, 'f');
  file.mode = 0600;
  file.uid = 3000000;  // beyond ustar's 7 octal digits
  file.gid = 42;
  file.content = std::string("in memory");
  file.size = 9;
  const auto layer = write_ok({file}, dir / "out", Compression::gzip);
  const std::string listing = run("tar --numeric-owner -tvzf " + layer.path.string() + " 2>&1");
  EXPECT_NE(listing.find("-rw------- 3000000/42"), std::string::npos) << listing;
  EXPECT_NE(listing.find(file.path), std::string::npos) << listing;
  EXPECT_NE(listing.find(std::string(150, 'n') + "/\n"), std::string::npos) << "parent added: " << listing;
  EXPECT_EQ(run("tar -xzOf " + layer.path.string() + " " + file.path), "in memory");
}

TEST(LayerWriterErrors, RefusesBadEntriesAndChangedFiles) {
  test::TempDir dir;
  fs::create_directories(dir / "out");
  LayerEntry bad;
  bad.path = "../escape";
  bad.content = std::string();
  EXPECT_FALSE(write_layer({bad}, dir / "out", {}).has_value());
  LayerEntry link;
  link.path = "b";
  link.type = EntryType::hardlink;
  link.link_target = "missing";
  EXPECT_FALSE(write_layer({link}, dir / "out", {}).has_value());
  write(dir / "f", "12345");
  LayerEntry changed;
  changed.path = "f";
  changed.size = 3;
  changed.content = FileContent{dir / "f"};
  auto r = write_layer({changed}, dir / "out", {});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("changed size"), std::string::npos) << r.error().message;
  fs::create_symlink(dir / "f", dir / "lnk");
  LayerEntry swapped;
  swapped.path = "f";
  swapped.size = 5;
  swapped.content = FileContent{dir / "lnk"};  // a file replaced by a link is never followed
  EXPECT_FALSE(write_layer({swapped}, dir / "out", {}).has_value());
  // Nothing half-written is left behind.
  EXPECT_TRUE(fs::is_empty(dir / "out"));
}

}  // namespace
}  // namespace sigil::build
