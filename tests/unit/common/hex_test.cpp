#include "common/hex.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sigil {
namespace {

std::vector<unsigned char> bytes(std::initializer_list<int> values) {
  std::vector<unsigned char> out;
  for (int v : values) out.push_back(static_cast<unsigned char>(v));
  return out;
}

TEST(Hex, EncodesLowerCase) {
  EXPECT_EQ(hex_encode(bytes({})), "");
  EXPECT_EQ(hex_encode(bytes({0x00, 0x01, 0x7f, 0x80, 0xab, 0xff})), "00017f80abff");
}

TEST(Hex, DecodesEitherCase) {
  EXPECT_EQ(hex_decode(""), bytes({}));
  EXPECT_EQ(hex_decode("00017f80abff"), bytes({0x00, 0x01, 0x7f, 0x80, 0xab, 0xff}));
  EXPECT_EQ(hex_decode("ABFF"), bytes({0xab, 0xff}));
}

TEST(Hex, RoundTripsEveryByte) {
  std::vector<unsigned char> all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<unsigned char>(i));
  EXPECT_EQ(hex_decode(hex_encode(all)), all);
}

TEST(Hex, RejectsOddLengthAndForeignCharacters) {
  EXPECT_FALSE(hex_decode("abc"));
  EXPECT_FALSE(hex_decode("0g"));
  EXPECT_FALSE(hex_decode("0x00"));
  EXPECT_FALSE(hex_decode(" 0"));
  EXPECT_FALSE(hex_decode(std::string("0\0", 2)));
}

TEST(Hex, LowerHexPredicate) {
  EXPECT_TRUE(is_lower_hex(""));
  EXPECT_TRUE(is_lower_hex("0123456789abcdef"));
  EXPECT_FALSE(is_lower_hex("ABCDEF"));
  EXPECT_FALSE(is_lower_hex("abcdeg"));
  EXPECT_FALSE(is_lower_hex("ab cd"));
}

}  // namespace
}  // namespace sigil
