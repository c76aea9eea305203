// The process-wide memo behind certificate and CT-log parsing: one object per content, failures
// never remembered, bounded size.
#include "sign/detail/shared_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sigil::sign::detail {
namespace {

TEST(SharedCache, MakesOncePerKey) {
  SharedCache<std::string> cache(4);
  int made = 0;
  auto make = [&]() -> Result<std::shared_ptr<std::string>> {
    ++made;
    return std::make_shared<std::string>("value " + std::to_string(made));
  };
  auto first = cache.get("a", make);
  auto second = cache.get("a", make);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->get(), second->get());
  EXPECT_EQ(made, 1);
  auto other = cache.get("b", make);
  ASSERT_TRUE(other);
  EXPECT_NE(other->get(), first->get());
  EXPECT_EQ(made, 2);
}

TEST(SharedCache, FailuresAreNotRemembered) {
  SharedCache<std::string> cache(4);
  auto failing = []() -> Result<std::shared_ptr<std::string>> { return fail(ErrorCategory::input, "bad"); };
  auto refused = cache.get("k", failing);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "bad");
  auto made = cache.get("k", []() -> Result<std::shared_ptr<std::string>> { return std::make_shared<std::string>("ok"); });
  ASSERT_TRUE(made);
  EXPECT_EQ(**made, "ok");
}

TEST(SharedCache, StaysBoundedAndKeepsHandedOutObjectsAlive) {
  SharedCache<std::string> cache(2);
  int made = 0;
  auto make = [&]() -> Result<std::shared_ptr<std::string>> {
    ++made;
    return std::make_shared<std::string>("v");
  };
  auto a = cache.get("a", make);
  ASSERT_TRUE(cache.get("b", make));
  ASSERT_TRUE(cache.get("c", make));  // full: everything dropped, then c kept
  EXPECT_EQ(made, 3);
  ASSERT_TRUE(cache.get("a", make));  // made again after the drop
  EXPECT_EQ(made, 4);
  ASSERT_TRUE(a);
  EXPECT_EQ(**a, "v");  // the caller's reference outlives the cache entry
}

}  // namespace
}  // namespace sigil::sign::detail
