#include "build/cache/local_cache.hpp"

#include <gtest/gtest.h>

#include "build/cache/cache_key.hpp"
#include "build/exec/detail/stage_runner.hpp"
#include "common/file.hpp"
#include "support/temp_dir.hpp"

namespace sigil::build {
namespace {

TEST(CacheKey, FieldsAreLengthPrefixed) {
  EXPECT_NE(CacheKeyBuilder().add("ab").add("c").finish(), CacheKeyBuilder().add("a").add("bc").finish());
  EXPECT_EQ(CacheKeyBuilder().add("x").finish(), CacheKeyBuilder().add("x").finish());
}

TEST(LocalCache, StoreLookupAndMissingBlob) {
  test::TempDir tmp;
  auto cache = LocalCache::open(tmp / "c");
  ASSERT_TRUE(cache);
  std::string blob = "layer bytes";
  oci::Descriptor desc = oci::Descriptor::of(blob, "application/vnd.oci.image.layer.v1.tar+gzip");
  oci::Digest key = CacheKeyBuilder().add("k").finish();
  ASSERT_TRUE(cache->store(CacheRecord{key, desc, oci::Digest::of("tar")}));
  EXPECT_FALSE(cache->lookup(key)) << "a record without its blob is a miss";
  ASSERT_TRUE(write_file_atomic(cache->blob_path(desc.digest), blob));
  auto hit = cache->lookup(key);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->layer, desc);
  EXPECT_EQ(hit->diff_id, oci::Digest::of("tar"));
  EXPECT_EQ(cache->records().size(), 1u);
  ASSERT_TRUE(write_file_atomic(tmp / "c" / "records" / (key.hex() + ".json"), "{not json"));
  EXPECT_FALSE(cache->lookup(key));
}

TEST(LocalCache, DefaultDirFollowsXdg) {
  ::setenv("XDG_CACHE_HOME", "/var/cache/x", 1);
  EXPECT_EQ(LocalCache::default_dir(), std::filesystem::path("/var/cache/x/sigil/build"));
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("HOME", "/home/u", 1);
  EXPECT_EQ(LocalCache::default_dir(), std::filesystem::path("/home/u/.cache/sigil/build"));
}

TEST(CacheKey, EntryDigestCoversBytesAndMetadataNotTimes) {
  test::TempDir tmp;
  ASSERT_TRUE(write_file_atomic(tmp / "f", "abc"));
  LayerEntry e;
  e.path = "f";
  e.size = 3;
  e.content = FileContent{tmp / "f"};
  auto a = detail::entries_digest({e});
  ASSERT_TRUE(a);
  LayerEntry mode = e;
  mode.mode = 0600;
  EXPECT_NE(*a, detail::entries_digest({mode}).value());
  LayerEntry owner = e;
  owner.uid = 5;
  EXPECT_NE(*a, detail::entries_digest({owner}).value());
  ASSERT_TRUE(write_file_atomic(tmp / "f", "abd"));
  EXPECT_NE(*a, detail::entries_digest({e}).value());
  ASSERT_TRUE(write_file_atomic(tmp / "f", "abc"));
  EXPECT_EQ(*a, detail::entries_digest({e}).value()) << "a rewritten file with the same bytes hits";
  ASSERT_TRUE(write_file_atomic(tmp / "f", "abcd"));
  EXPECT_FALSE(detail::entries_digest({e})) << "a file that changed size since collection is refused";
}

}  // namespace
}  // namespace sigil::build
