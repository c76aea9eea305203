// LayoutStore garbage collection and concurrent writers.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "common/file.hpp"
#include "oci/layout_store.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "support/layouts.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::oci {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

bool present(LayoutStore& store, const Descriptor& d) {
  auto has = store.has_blob(d);
  EXPECT_TRUE(has.has_value());
  return has.value_or(false);
}

// Sets a file's mtime an hour back, as if left by an interrupted run long ago.
void age(const fs::path& p) {
  struct timespec times[2];
  ::clock_gettime(CLOCK_REALTIME, &times[0]);
  times[0].tv_sec -= 3600;
  times[1] = times[0];
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, 0), 0) << p;
}

// File timestamps tick coarsely; let what the test wrote become "older than the run".
void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(50)); }

TEST(LayoutStoreGc, KeepsReachableAndRemovesUnreachable) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  auto kept = test::write_test_image(*store, {.layers = 2, .layer_bytes = 1000, .seed = 1, .tag = "kept"});
  ASSERT_TRUE(kept);
  auto replaced = test::write_test_image(*store, {.layers = 2, .layer_bytes = 1000, .seed = 2, .tag = "moving"});
  ASSERT_TRUE(replaced);
  auto now = test::write_test_image(*store, {.layers = 1, .layer_bytes = 1000, .seed = 3, .tag = "moving"});
  ASSERT_TRUE(now);
  // A referrer of the kept image (untagged entry) with its payload layer.
  auto sig = test::write_test_referrer(*store, kept->manifest, "application/example.sig", "signature bytes");
  ASSERT_TRUE(sig);
  // A multi-platform index whose child manifest has no entry of its own: the child and its
  // blobs are reachable through the index.
  auto child = test::write_test_image(*store, {.layers = 1, .layer_bytes = 500, .seed = 4, .tag = "tmp-child"});
  ASSERT_TRUE(child);
  Index multi;
  Descriptor child_desc = child->manifest;
  child_desc.platform = Platform{"linux", "arm64", "", "", {}};
  multi.manifests.push_back(child_desc);
  std::string multi_raw = multi.serialize();
  ASSERT_TRUE(store->push_manifest(multi_raw, media_type::kOciIndex, "multi"));
  // Drop the child's own tag by pointing it elsewhere.
  ASSERT_TRUE(store->push_manifest(kept->manifest_raw, media_type::kOciManifest, "tmp-child"));
  // An orphan blob and a blob layer shared with the kept image survive or go accordingly.
  Descriptor orphan = Descriptor::of("orphan", "application/octet-stream");
  ASSERT_TRUE(store->push_blob_bytes(orphan, "orphan"));
  // Stale temp files from an interrupted push; a file sigil does not know stays.
  fs::path stale_blob_tmp = tmp / "blobs/.tmp-0123456789abcdef";
  fs::path stale_root_tmp = tmp / ".tmp-fedcba9876543210";
  ASSERT_TRUE(write_file_atomic(stale_blob_tmp, "partial"));
  ASSERT_TRUE(write_file_atomic(stale_root_tmp, "partial"));
  age(stale_blob_tmp);
  age(stale_root_tmp);
  ASSERT_TRUE(write_file_atomic(tmp / "blobs/sha256/README", "not a digest"));
  settle();

  auto stats = store->garbage_collect();
  ASSERT_TRUE(stats) << stats.error().message;

  for (const auto& d : {kept->manifest, kept->config, kept->layers[0], kept->layers[1], now->manifest,
                        now->config, now->layers[0], *sig, child->manifest, child->layers[0], child->config}) {
    EXPECT_TRUE(present(*store, d)) << d.digest.str();
  }
  EXPECT_TRUE(present(*store, Descriptor::of(multi_raw, media_type::kOciIndex)));
  EXPECT_TRUE(present(*store, Descriptor::of("signature bytes", "application/octet-stream")));
  EXPECT_TRUE(present(*store, Descriptor::of("{}", media_type::kOciEmpty)));
  for (const auto& d : {replaced->manifest, replaced->config, replaced->layers[0], replaced->layers[1], orphan}) {
    EXPECT_FALSE(present(*store, d)) << d.digest.str();
  }
  std::uint64_t expected_bytes = static_cast<std::uint64_t>(replaced->manifest.size + replaced->config.size +
                                                            replaced->layers[0].size + replaced->layers[1].size +
                                                            orphan.size);
  EXPECT_EQ(stats->blobs_removed, 5u);
  EXPECT_EQ(stats->bytes_removed, expected_bytes);
  EXPECT_FALSE(fs::exists(stale_blob_tmp));
  EXPECT_FALSE(fs::exists(stale_root_tmp));
  EXPECT_TRUE(fs::exists(tmp / "blobs/sha256/README"));

  // Everything still reads, and a second run removes nothing.
  auto refs = store->referrers(kept->manifest.digest);
  ASSERT_TRUE(refs);
  EXPECT_EQ(refs->size(), 1u);
  settle();
  auto again = store->garbage_collect();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->blobs_removed, 0u);
}

TEST(LayoutStoreGc, SubjectIsNotFollowed) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  auto image = test::write_test_image(*store, {.layers = 1, .layer_bytes = 100, .seed = 1, .tag = "app"});
  ASSERT_TRUE(image);
  auto sig = test::write_test_referrer(*store, image->manifest, "application/example.sig", "sig");
  ASSERT_TRUE(sig);
  auto other = test::write_test_image(*store, {.layers = 1, .layer_bytes = 100, .seed = 2, .tag = "app"});
  ASSERT_TRUE(other);
  settle();
  auto stats = store->garbage_collect();
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_TRUE(present(*store, *sig));
  EXPECT_FALSE(present(*store, image->manifest));
  EXPECT_FALSE(present(*store, image->layers[0]));
}

TEST(LayoutStoreGc, SparesBlobsWrittenAfterItStarted) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  Descriptor fresh = Descriptor::of("fresh", "application/octet-stream");
  ASSERT_TRUE(store->push_blob_bytes(fresh, "fresh"));
  fs::path path = tmp / "blobs/sha256" / fresh.digest.hex();
  // Modified in the future relative to the run: a concurrent push's blob.
  struct timespec times[2];
  ::clock_gettime(CLOCK_REALTIME, &times[0]);
  times[0].tv_sec += 60;
  times[1] = times[0];
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  auto stats = store->garbage_collect();
  ASSERT_TRUE(stats);
  EXPECT_TRUE(fs::exists(path));
  age(path);
  stats = store->garbage_collect();
  ASSERT_TRUE(stats);
  EXPECT_FALSE(fs::exists(path));
}

TEST(LayoutStoreGc, CorruptReachableManifestAbortsWithoutDeleting) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  auto image = test::write_test_image(*store, {.layers = 1, .layer_bytes = 100, .seed = 1, .tag = "app"});
  ASSERT_TRUE(image);
  Descriptor orphan = Descriptor::of("orphan", "application/octet-stream");
  ASSERT_TRUE(store->push_blob_bytes(orphan, "orphan"));
  ASSERT_TRUE(write_file_atomic(tmp / "blobs/sha256" / image->manifest.digest.hex(),
                                std::string(static_cast<std::size_t>(image->manifest.size), ' ')));
  settle();
  auto stats = store->garbage_collect();
  ASSERT_FALSE(stats);
  EXPECT_EQ(stats.error().category, ErrorCategory::integrity);
  EXPECT_TRUE(fs::exists(tmp / "blobs/sha256" / orphan.digest.hex()));
}

// Two processes pushing different tags into one layout at once never lose an entry.
TEST(LayoutStoreConcurrency, TwoProcessesPushingTagsLoseNothing) {
  TempDir tmp;
  ASSERT_TRUE(test::open_layout(tmp.path()));
  constexpr int kChildren = 2;
  constexpr int kPushes = 50;
  std::vector<pid_t> pids;
  for (int c = 0; c < kChildren; ++c) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int status = 0;
      auto store = LayoutStore::open(tmp.path(), false);
      if (!store) ::_exit(10);
      for (int i = 0; i < kPushes && status == 0; ++i) {
        std::string n = std::to_string(c) + "-" + std::to_string(i);
        std::string raw = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
                          R"("manifests":[],"annotations":{"n":")" + n + "\"}}";
        if (!(*store)->push_manifest(raw, media_type::kOciIndex, "tag-" + n)) status = 11;
      }
      ::_exit(status);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  auto tags = store->tags();
  ASSERT_TRUE(tags);
  EXPECT_EQ(tags->size(), static_cast<std::size_t>(kChildren * kPushes));
  std::set<std::string> got(tags->begin(), tags->end());
  for (int c = 0; c < kChildren; ++c) {
    for (int i = 0; i < kPushes; ++i) {
      EXPECT_TRUE(got.contains("tag-" + std::to_string(c) + "-" + std::to_string(i)));
    }
  }
}

// Two processes creating the same layout at once end with one valid layout holding both tags.
TEST(LayoutStoreConcurrency, ConcurrentCreateKeepsBothPushes) {
  for (int round = 0; round < 5; ++round) {
    TempDir tmp;
    fs::path dir = tmp / "layout";
    std::vector<pid_t> pids;
    for (int c = 0; c < 2; ++c) {
      pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        auto store = LayoutStore::open(dir, true);
        if (!store) ::_exit(10);
        std::string raw = R"({"schemaVersion":2,"manifests":[],"annotations":{"c":")" + std::to_string(c) + "\"}}";
        ::_exit((*store)->push_manifest(raw, media_type::kOciIndex, "c" + std::to_string(c)) ? 0 : 11);
      }
      pids.push_back(pid);
    }
    for (pid_t pid : pids) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      ASSERT_TRUE(WIFEXITED(status));
      EXPECT_EQ(WEXITSTATUS(status), 0);
    }
    auto store = test::open_layout(dir);
    ASSERT_TRUE(store);
    auto tags = store->tags();
    ASSERT_TRUE(tags);
    EXPECT_EQ(*tags, (std::vector<std::string>{"c0", "c1"}));
  }
}

}  // namespace
}  // namespace sigil::oci
