#include "build/cache/checksum_memo.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

#include "build/exec/detail/stage_runner.hpp"
#include "common/file.hpp"
#include "support/temp_dir.hpp"

namespace sigil::build {
namespace {

using namespace std::chrono_literals;

// Lets the kernel's coarse file clock move past the last change, so the file is not "racy"
// for a memo with no margin.
void let_clock_tick() { std::this_thread::sleep_for(30ms); }

struct stat stat_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st;
}

// Overwrites one byte in place (same inode, same size) and puts the old mtime back, as
// `touch -d` after an edit would.
void edit_keeping_mtime(const std::filesystem::path& p, char byte) {
  const struct stat before = stat_of(p);
  int fd = ::open(p.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, &byte, 1, 0), 1);
  ::close(fd);
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, 0), 0);
  const struct stat after = stat_of(p);
  ASSERT_EQ(after.st_ino, before.st_ino);
  ASSERT_EQ(after.st_size, before.st_size);
  ASSERT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  ASSERT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
}

TEST(ChecksumMemo, DigestsAreSha256OfTheBytesInOrder) {
  test::TempDir tmp;
  std::vector<FileToHash> files;
  std::vector<std::string> contents;
  // Enough bytes for the second hashing thread.
  for (int i = 0; i < 6; ++i) {
    contents.push_back(std::string(std::size_t{3} << 20, static_cast<char>('a' + i)) + std::to_string(i));
    ASSERT_TRUE(write_file_atomic(tmp / std::to_string(i), contents.back()));
    files.push_back(FileToHash{tmp / std::to_string(i), contents.back().size()});
  }
  ChecksumMemo memo;
  auto digests = memo.digest_files(files);
  ASSERT_TRUE(digests) << digests.error().message;
  ASSERT_EQ(digests->size(), 6u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ((*digests)[static_cast<std::size_t>(i)], oci::Digest::of(contents[static_cast<std::size_t>(i)]));
}

TEST(ChecksumMemo, UnchangedFileIsNotReadAgain) {
  test::TempDir tmp;
  ASSERT_TRUE(write_file_atomic(tmp / "f", "hello"));
  let_clock_tick();
  ChecksumMemo memo(0ns);
  ASSERT_TRUE(memo.digest_files({{tmp / "f", 5}}));
  EXPECT_EQ(memo.files_read(), 1u);
  auto again = memo.digest_files({{tmp / "f", 5}});
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)[0], oci::Digest::of("hello"));
  EXPECT_EQ(memo.files_read(), 1u) << "the stat matched: answered from the memo";
}

TEST(ChecksumMemo, RacyFilesAreReadEveryTime) {
  test::TempDir tmp;
  ASSERT_TRUE(write_file_atomic(tmp / "f", "hello"));
  ChecksumMemo memo;  // the default 2 s margin: a file written just now could change unseen
  ASSERT_TRUE(memo.digest_files({{tmp / "f", 5}}));
  ASSERT_TRUE(memo.digest_files({{tmp / "f", 5}}));
  EXPECT_EQ(memo.files_read(), 2u);
}

TEST(ChecksumMemo, SameSizeEditWithRestoredMtimeIsSeen) {
  test::TempDir tmp;
  ASSERT_TRUE(write_file_atomic(tmp / "f", "hello"));
  let_clock_tick();
  ChecksumMemo memo(0ns);
  ASSERT_EQ(memo.digest_files({{tmp / "f", 5}}).value()[0], oci::Digest::of("hello"));
  edit_keeping_mtime(tmp / "f", 'j');
  auto after = memo.digest_files({{tmp / "f", 5}});
  ASSERT_TRUE(after);
  EXPECT_EQ((*after)[0], oci::Digest::of("jello")) << "ctime changed: the memo must not answer";
}

TEST(ChecksumMemo, ReplacedFileWithSameTimesIsSeen) {
  test::TempDir tmp;
  ASSERT_TRUE(write_file_atomic(tmp / "f", "hello"));
  let_clock_tick();
  ChecksumMemo memo(0ns);
  ASSERT_TRUE(memo.digest_files({{tmp / "f", 5}}));
  const struct stat old = stat_of(tmp / "f");
  ASSERT_TRUE(write_file_atomic(tmp / "g", "world"));
  const struct timespec times[2] = {old.st_atim, old.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, (tmp / "g").c_str(), times, 0), 0);
  std::filesystem::rename(tmp / "g", tmp / "f");
  EXPECT_EQ(memo.digest_files({{tmp / "f", 5}}).value()[0], oci::Digest::of("world"));
}

TEST(ChecksumMemo, PersistsAcrossBuildsButNotScratchFiles) {
  test::TempDir tmp;
  std::filesystem::create_directories(tmp / "scratch");
  ASSERT_TRUE(write_file_atomic(tmp / "f", "hello"));
  ASSERT_TRUE(write_file_atomic(tmp / "scratch" / "x", "extracted"));
  let_clock_tick();
  {
    ChecksumMemo memo(0ns);
    ASSERT_TRUE(memo.digest_files({{tmp / "f", 5}, {tmp / "scratch" / "x", 9}}));
    ASSERT_TRUE(memo.save(tmp / "memo", tmp / "scratch"));
  }
  ChecksumMemo loaded(0ns);
  loaded.load(tmp / "memo");
  auto d = loaded.digest_files({{tmp / "f", 5}});
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)[0], oci::Digest::of("hello"));
  EXPECT_EQ(loaded.files_read(), 0u);
  ASSERT_TRUE(loaded.digest_files({{tmp / "scratch" / "x", 9}}));
  EXPECT_EQ(loaded.files_read(), 1u) << "scratch files are never saved";

  // A corrupt or foreign memo is an empty one.
  std::string text = read_file(tmp / "memo", 1 << 20).value();
  ASSERT_TRUE(write_file_atomic(tmp / "memo", text.substr(0, text.size() - 3)));
  ChecksumMemo truncated(0ns);
  truncated.load(tmp / "memo");
  ASSERT_TRUE(truncated.digest_files({{tmp / "f", 5}}));
  EXPECT_EQ(truncated.files_read(), 1u);
  ASSERT_TRUE(write_file_atomic(tmp / "memo", "not a memo\n"));
  ChecksumMemo foreign(0ns);
  foreign.load(tmp / "memo");
  ASSERT_TRUE(foreign.digest_files({{tmp / "f", 5}}));
  EXPECT_EQ(foreign.files_read(), 1u);
}

TEST(ChecksumMemo, ChangedSizeOrMissingFileIsAnError) {
  test::TempDir tmp;
  ASSERT_TRUE(write_file_atomic(tmp / "f", "hello"));
  ChecksumMemo memo;
  auto changed = memo.digest_files({{tmp / "f", 4}});
  ASSERT_FALSE(changed);
  EXPECT_NE(changed.error().message.find((tmp / "f").string()), std::string::npos);
  EXPECT_EQ(changed.error().category, ErrorCategory::input);
  auto missing = memo.digest_files({{tmp / "f", 5}, {tmp / "gone", 1}});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("gone"), std::string::npos);
}

// What the cache relies on: keys follow content through the memo, never times.
TEST(ChecksumMemo, CacheKeysFollowContentNotTimes) {
  test::TempDir tmp;
  ASSERT_TRUE(write_file_atomic(tmp / "f", "hello"));
  let_clock_tick();
  LayerEntry e;
  e.path = "f";
  e.size = 5;
  e.content = FileContent{tmp / "f"};
  ChecksumMemo memo(0ns);
  auto key = detail::entries_digest({e}, &memo);
  ASSERT_TRUE(key);
  EXPECT_EQ(*key, detail::entries_digest({e}).value()) << "the memo does not change keys";
  ASSERT_EQ(::utimensat(AT_FDCWD, (tmp / "f").c_str(), nullptr, 0), 0);  // touch
  EXPECT_EQ(detail::entries_digest({e}, &memo).value(), *key) << "a touched but unchanged file still hits";
  let_clock_tick();
  edit_keeping_mtime(tmp / "f", 'j');
  EXPECT_NE(detail::entries_digest({e}, &memo).value(), *key) << "a same-size edit with mtime restored misses";
}

}  // namespace
}  // namespace sigil::build
