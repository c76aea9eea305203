#include "common/file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "support/temp_dir.hpp"

namespace sigil {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

void put(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

// Names in `dir` starting with ".tmp-": what a crashed or failed write would leave behind.
int temp_leftovers(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().starts_with(".tmp-");
  return n;
}

TEST(File, ReadFileHonoursTheLimit) {
  TempDir dir;
  put(dir / "f", std::string(100, 'x'));
  auto exact = read_file(dir / "f", 100);
  ASSERT_TRUE(exact) << exact.error().message;
  EXPECT_EQ(exact->size(), 100u);
  auto over = read_file(dir / "f", 99);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().category, ErrorCategory::input);
  EXPECT_NE(over.error().message.find((dir / "f").string()), std::string::npos);
  EXPECT_NE(over.error().message.find("limit of 99 bytes"), std::string::npos) << over.error().message;
}

TEST(File, ReadFileLargerThanOneBuffer) {
  TempDir dir;
  std::string big(200'000, 'a');
  big[150'000] = 'b';
  put(dir / "big", big);
  auto r = read_file(dir / "big", big.size());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, big);
  EXPECT_FALSE(read_file(dir / "big", 150'000));
}

TEST(File, ReadMissingFileNamesIt) {
  TempDir dir;
  auto r = read_file(dir / "absent.json", 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::input);
  EXPECT_NE(r.error().message.find("absent.json"), std::string::npos);
  EXPECT_NE(r.error().message.find("No such file"), std::string::npos) << r.error().message;
}

TEST(File, WriteAtomicCreatesAndReplacesWithoutLeftovers) {
  TempDir dir;
  fs::path target = dir / "index.json";
  ASSERT_TRUE(write_file_atomic(target, "first"));
  EXPECT_EQ(read_file(target, 100).value(), "first");

  // A reader holding the old file keeps seeing the old bytes: the new content arrives by
  // rename of a different inode, never by rewriting the file in place.
  int old_fd = ::open(target.c_str(), O_RDONLY);
  ASSERT_GE(old_fd, 0);
  struct stat before {};
  ASSERT_EQ(::fstat(old_fd, &before), 0);
  ASSERT_TRUE(write_file_atomic(target, "second, longer"));
  char buf[16] = {};
  ASSERT_EQ(::pread(old_fd, buf, sizeof buf, 0), 5);
  EXPECT_EQ(std::string(buf, 5), "first");
  ::close(old_fd);
  struct stat after {};
  ASSERT_EQ(::stat(target.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
  EXPECT_EQ(read_file(target, 100).value(), "second, longer");
  EXPECT_EQ(temp_leftovers(dir.path()), 0);
}

TEST(File, WriteAtomicFailureLeavesNothing) {
  TempDir dir;
  fs::create_directory(dir / "target-is-a-dir");
  put(dir / "target-is-a-dir" / "inside", "x");
  auto r = write_file_atomic(dir / "target-is-a-dir", "bytes");
  ASSERT_FALSE(r);
  EXPECT_EQ(temp_leftovers(dir.path()), 0);
  EXPECT_TRUE(fs::is_directory(dir / "target-is-a-dir"));
  EXPECT_FALSE(write_file_atomic(dir / "no-such-dir" / "f", "bytes"));
}

TEST(File, TempFileIsDiscardedUnlessCommitted) {
  TempDir dir;
  fs::path temp_path;
  {
    auto tmp = TempFile::create(dir.path());
    ASSERT_TRUE(tmp) << tmp.error().message;
    ASSERT_TRUE(tmp->write("partial"));
    temp_path = tmp->path();
    EXPECT_TRUE(fs::exists(temp_path));
    EXPECT_EQ(temp_path.parent_path(), dir.path());
  }
  EXPECT_FALSE(fs::exists(temp_path));
  EXPECT_EQ(temp_leftovers(dir.path()), 0);
}

TEST(File, TempFileCommitAndMove) {
  TempDir dir;
  auto tmp = TempFile::create(dir.path());
  ASSERT_TRUE(tmp);
  TempFile moved = std::move(*tmp);  // the moved-from object must not delete the file
  ASSERT_TRUE(moved.write("blob "));
  ASSERT_TRUE(moved.write("bytes"));
  ASSERT_TRUE(moved.commit(dir / "blob"));
  EXPECT_EQ(read_file(dir / "blob", 100).value(), "blob bytes");
  EXPECT_EQ(temp_leftovers(dir.path()), 0);
}

TEST(File, FileLockExcludesASecondLockerInTheProcess) {
  TempDir dir;
  fs::path lock_path = dir / "index.json.lock";
  auto first = std::make_optional(FileLock::acquire(lock_path));
  ASSERT_TRUE(*first);
  std::atomic<bool> acquired{false};
  std::thread second([&] {
    auto lock = FileLock::acquire(lock_path);  // its own open: flock applies between them
    acquired = lock.has_value();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(acquired.load()) << "second locker got the lock while the first held it";
  first.reset();
  second.join();
  EXPECT_TRUE(acquired.load());
}

TEST(File, FileLockExcludesAnotherProcess) {
  TempDir dir;
  fs::path lock_path = dir / "lock";
  auto held = FileLock::acquire(lock_path);
  ASSERT_TRUE(held);
  auto child_can_lock = [&] {
    pid_t pid = ::fork();
    if (pid == 0) {
      int fd = ::open(lock_path.c_str(), O_RDWR);
      _exit(fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  };
  EXPECT_FALSE(child_can_lock());
  { FileLock release = std::move(*held); }
  EXPECT_TRUE(child_can_lock());
}

}  // namespace
}  // namespace sigil
