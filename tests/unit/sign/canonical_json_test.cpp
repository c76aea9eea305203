// RFC 8785 canonical JSON: the vectors of RFC 8785 (§3.2.2, §3.2.3, Appendix B); number forms were
// cross-checked with Node's Number.prototype.toString, the reference RFC 8785 builds on.
#include "sign/detail/canonical_json.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>

namespace sigil::sign::detail {
namespace {

std::string canonical(std::string_view json) {
  auto value = nlohmann::ordered_json::parse(json);
  auto text = canonical_json(value);
  EXPECT_TRUE(text) << text.error().message;
  return text ? *text : std::string();
}

TEST(CanonicalJson, Rfc8785MainExample) {
  const char* input = R"({
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  })";
  EXPECT_EQ(canonical(input),
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
            "\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

TEST(CanonicalJson, MembersSortByUtf16CodeUnitsNotCodePoints) {
  // RFC 8785 §3.2.3: U+1F600 (surrogates D83D DE00) sorts before U+FB33 although its code point is higher.
  const char* input =
      R"({"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh",)"
      R"("1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"})";
  EXPECT_EQ(canonical(input),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xC2\x80\":\"Control\","
            "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\","
            "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\",\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

TEST(CanonicalJson, NestedObjectsAndArraysKeepArrayOrder) {
  EXPECT_EQ(canonical(R"({"b":[3,{"z":1,"a":2},1],"a":{"y":null,"x":"s"}})"),
            R"({"a":{"x":"s","y":null},"b":[3,{"a":2,"z":1},1]})");
  EXPECT_EQ(canonical("[]"), "[]");
  EXPECT_EQ(canonical("{}"), "{}");
}

TEST(CanonicalJson, StringEscapesOnlyWhatRfc8785Requires) {
  nlohmann::json value = std::string("\x00\x01\x1f\"\\/\b\f\n\r\t \xC3\xA9\x7F", 15);
  auto text = canonical_json(value);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "\"\\u0000\\u0001\\u001f\\\"\\\\/\\b\\f\\n\\r\\t \xC3\xA9\x7F\"");
}

TEST(CanonicalJson, NumbersAsEcmascriptDoubles) {
  struct Vector {
    std::uint64_t bits;
    const char* text;
  };
  // RFC 8785 Appendix B (IEEE 754 bit patterns and their canonical text).
  const Vector vectors[] = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},
  };
  for (const auto& vector : vectors) {
    const double value = std::bit_cast<double>(vector.bits);
    EXPECT_EQ(ecmascript_number(value), vector.text) << std::hex << vector.bits;
    auto text = canonical_json(nlohmann::json(value));
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, vector.text) << std::hex << vector.bits;
  }
  EXPECT_EQ(ecmascript_number(1e-7), "1e-7");
  EXPECT_EQ(ecmascript_number(123e-20), "1.23e-18");
  EXPECT_EQ(ecmascript_number(100), "100");
  EXPECT_EQ(ecmascript_number(-1.5), "-1.5");
}

TEST(CanonicalJson, IntegersAreDoublesAbove2To53) {
  // JSON integers parse as int64/uint64 here; JCS numbers are doubles, so 2^53 + 1 rounds.
  EXPECT_EQ(canonical("[1710869186, -42, 0, 9007199254740992, 9007199254740993, 18446744073709551615]"),
            "[1710869186,-42,0,9007199254740992,9007199254740992,18446744073709552000]");
  EXPECT_EQ(canonical("[-0.0, 1.0, 1.50]"), "[0,1,1.5]");
}

TEST(CanonicalJson, SetPayloadShape) {
  // The SET payload as sigstore-go builds it: keys in UTF-16 order, integers plain.
  nlohmann::ordered_json payload;
  payload["body"] = "eyJ9";
  payload["integratedTime"] = 1689177396;
  payload["logIndex"] = 27246492;
  payload["logID"] = "c0d23d6a";
  auto text = canonical_json(payload);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, R"({"body":"eyJ9","integratedTime":1689177396,"logID":"c0d23d6a","logIndex":27246492})");
}

TEST(CanonicalJson, RefusesWhatIsNotJson) {
  for (const std::string& bad : {std::string("\xC3\x28"), std::string("\xED\xA0\x80"), std::string("\xC0\xAF"),
                                std::string("\xF4\x90\x80\x80"), std::string("abc\xE2\x82")}) {
    auto value_text = canonical_json(nlohmann::json(bad));
    ASSERT_FALSE(value_text);
    EXPECT_EQ(value_text.error().category, ErrorCategory::input);
    nlohmann::json object;
    object[bad] = 1;
    EXPECT_FALSE(canonical_json(object));
  }
  EXPECT_FALSE(canonical_json(nlohmann::json(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_FALSE(canonical_json(nlohmann::json(std::numeric_limits<double>::infinity())));
}

}  // namespace
}  // namespace sigil::sign::detail
