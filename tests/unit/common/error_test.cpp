#include "common/error.hpp"

#include <gtest/gtest.h>

namespace sigil {
namespace {

constexpr ErrorCategory kAll[] = {ErrorCategory::usage,  ErrorCategory::input,   ErrorCategory::integrity,
                                  ErrorCategory::denied, ErrorCategory::network, ErrorCategory::internal};

TEST(Error, ExitCodesFollowTheHouseRules) {
  EXPECT_EQ(exit_code(ErrorCategory::denied), 1);
  EXPECT_EQ(exit_code(ErrorCategory::usage), 2);
  EXPECT_EQ(exit_code(ErrorCategory::input), 2);
  EXPECT_EQ(exit_code(ErrorCategory::integrity), 2);
  EXPECT_EQ(exit_code(ErrorCategory::network), 3);
  EXPECT_EQ(exit_code(ErrorCategory::internal), 4);
  for (auto c : kAll) EXPECT_NE(exit_code(c), 0);
}

TEST(Error, CategoryNames) {
  EXPECT_EQ(category_name(ErrorCategory::usage), "usage");
  EXPECT_EQ(category_name(ErrorCategory::input), "input");
  EXPECT_EQ(category_name(ErrorCategory::integrity), "integrity");
  EXPECT_EQ(category_name(ErrorCategory::denied), "denied");
  EXPECT_EQ(category_name(ErrorCategory::network), "network");
  EXPECT_EQ(category_name(ErrorCategory::internal), "internal");
}

Result<int> parse_port(int value) {
  if (value <= 0) return fail(ErrorCategory::input, "port " + std::to_string(value) + " is not positive");
  return value;
}

TEST(Error, ContextIsPrependedPerLayerAndKeepsTheCategory) {
  auto r = parse_port(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::input);
  Error lvalue = r.error();
  Error with = lvalue.with_context("read config");
  EXPECT_EQ(with.message, "read config: port -1 is not positive");
  EXPECT_EQ(lvalue.message, "port -1 is not positive");  // the const& overload leaves the original alone
  Error moved = std::move(with).with_context("open store");
  EXPECT_EQ(moved.message, "open store: read config: port -1 is not positive");
  EXPECT_EQ(moved.category, ErrorCategory::input);
  EXPECT_EQ(parse_port(5000).value(), 5000);
}

}  // namespace
}  // namespace sigil
