#include "build/image/platform.hpp"

#include <gtest/gtest.h>

#include "build/image/epoch.hpp"

namespace sigil::build {
namespace {

TEST(Platform, NormalizesLikeContainerd) {
  EXPECT_EQ(format_platform(parse_platform("linux/x86_64").value()), "linux/amd64");
  EXPECT_EQ(format_platform(parse_platform("linux/aarch64").value()), "linux/arm64");
  EXPECT_EQ(format_platform(parse_platform("linux/arm64/v8").value()), "linux/arm64");
  EXPECT_EQ(format_platform(parse_platform("linux/arm").value()), "linux/arm/v7");
  EXPECT_EQ(format_platform(parse_platform("linux/arm/v7").value()), "linux/arm/v7");
  EXPECT_EQ(format_platform(parse_platform("Linux/AMD64").value()), "linux/amd64");
  EXPECT_EQ(format_platform(parse_platform("linux/armhf").value()), "linux/arm/v7");
}

TEST(Platform, RejectsMalformed) {
  for (const char* bad : {"linux", "", "linux/", "/amd64", "linux/amd64/v1/x", "linux/am d64"}) {
    EXPECT_FALSE(parse_platform(bad)) << bad;
  }
  EXPECT_FALSE(parse_platform_list("linux/amd64,,linux/arm64"));
}

TEST(Platform, ListsDropDuplicatesAndKeepOrder) {
  auto list = parse_platform_list("linux/arm64, linux/amd64,linux/aarch64").value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(format_platform(list[0]), "linux/arm64");
  EXPECT_EQ(format_platform(list[1]), "linux/amd64");
}

TEST(Platform, AutomaticArgs) {
  auto args = platform_args(parse_platform("linux/arm/v7").value(), parse_platform("linux/amd64").value());
  ASSERT_EQ(args.size(), 8u);
  EXPECT_EQ(args[0], (std::pair<std::string, std::string>{"TARGETPLATFORM", "linux/arm/v7"}));
  EXPECT_EQ(args[2].second, "arm");
  EXPECT_EQ(args[3].second, "v7");
  EXPECT_EQ(args[4].second, "linux/amd64");
  EXPECT_EQ(args[7].second, "");
  EXPECT_FALSE(build_platform().architecture.empty());
}

TEST(Epoch, ParsesAndFormats) {
  EXPECT_EQ(parse_epoch("0", "x").value(), 0);
  EXPECT_EQ(parse_epoch("1700000000", "x").value(), 1700000000);
  for (const char* bad : {"", "-1", "12a", "1.5", "99999999999999"}) EXPECT_FALSE(parse_epoch(bad, "x")) << bad;
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339(1700000000), "2023-11-14T22:13:20Z");
}

TEST(Epoch, FlagWinsOverEnvironmentOverGit) {
  GitInfo git;
  git.commit_time = 42;
  ::setenv("SOURCE_DATE_EPOCH", "7", 1);
  EXPECT_EQ(resolve_epoch(std::string("5"), git).value(), 5);
  EXPECT_EQ(resolve_epoch(std::nullopt, git).value(), 7);
  ::setenv("SOURCE_DATE_EPOCH", "", 1);
  EXPECT_EQ(resolve_epoch(std::nullopt, git).value(), 42);
  EXPECT_EQ(resolve_epoch(std::nullopt, std::nullopt).value(), 0);
  ::setenv("SOURCE_DATE_EPOCH", "soon", 1);
  EXPECT_FALSE(resolve_epoch(std::nullopt, git));
  ::unsetenv("SOURCE_DATE_EPOCH");
}

}  // namespace
}  // namespace sigil::build
