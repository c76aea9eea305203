#include "common/json.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/limits.hpp"

namespace sigil {
namespace {

std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(Json, ParsesADocument) {
  auto j = parse_json(R"({"a":[1,2,{"b":"c"}],"n":null})", "doc");
  ASSERT_TRUE(j) << j.error().message;
  EXPECT_EQ((*j)["a"][2]["b"], "c");
}

TEST(Json, DepthLimitIsExact) {
  EXPECT_TRUE(parse_json(nested_arrays(limits::kMaxJsonDepth), "doc"));
  auto deep = parse_json(nested_arrays(limits::kMaxJsonDepth + 1), "doc");
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().category, ErrorCategory::input);
  EXPECT_NE(deep.error().message.find("nested deeper than 64"), std::string::npos) << deep.error().message;
  // Objects count the same way, and a value inside the deepest container is fine.
  std::string objects;
  for (int i = 0; i < limits::kMaxJsonDepth; ++i) objects += R"({"a":)";
  objects += "1" + std::string(limits::kMaxJsonDepth, '}');
  EXPECT_TRUE(parse_json(objects, "doc"));
}

TEST(Json, HostileNestingDoesNotCrash) {
  auto r = parse_json(std::string(1'000'000, '['), "doc");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("nested deeper"), std::string::npos);
}

TEST(Json, InvalidJsonNamesInputAndPosition) {
  auto r = parse_json("{\"a\": tru}", "manifest sha256:abc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::input);
  const std::string& m = r.error().message;
  EXPECT_EQ(m.rfind("manifest sha256:abc: invalid JSON", 0), 0u) << m;
  EXPECT_NE(m.find("column 10"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);

  for (const char* text : {"", "[1,2", "{\"a\":1} trailing", "{\"a\" 1}", "\"\xff\""}) {
    auto e = parse_json(text, "doc");
    ASSERT_FALSE(e) << text;
    EXPECT_NE(e.error().message.find("line 1, column"), std::string::npos) << e.error().message;
  }
}

TEST(Json, ParseErrorsDoNotQuoteTheInput) {
  // The text may be a docker config with credentials: the error must not echo it.
  auto r = parse_json(R"({"auths":{"r":{"auth":"c2VjcmV0OnBhc3N3b3Jk"x}}})", "docker config");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("c2VjcmV0"), std::string::npos) << r.error().message;
}

TEST(Json, StringMember) {
  auto j = parse_json(R"({"s":"v","n":null,"i":3})", "doc");
  ASSERT_TRUE(j);
  EXPECT_EQ(json_string_member(*j, "s", "doc").value(), "v");
  EXPECT_EQ(json_string_member(*j, "absent", "doc").value(), "");
  EXPECT_EQ(json_string_member(*j, "n", "doc").value(), "");
  auto wrong = json_string_member(*j, "i", "doc");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message, "doc: \"i\" is not a string");
  auto not_object = json_string_member(Json::array(), "s", "doc");
  ASSERT_FALSE(not_object);
  EXPECT_NE(not_object.error().message.find("not a JSON object"), std::string::npos);
}

TEST(Json, DumpIsCompactAndNeverThrows) {
  Json j = {{"b", 1}, {"a", "x"}};
  EXPECT_EQ(dump_json(j), R"({"a":"x","b":1})");
  EXPECT_EQ(dump_json_pretty(Json{{"a", 1}}), "{\n  \"a\": 1\n}");
  Json bad = std::string("\xff\xfe");
  EXPECT_NO_THROW({ auto s = dump_json(bad); EXPECT_FALSE(s.empty()); });
}

}  // namespace
}  // namespace sigil
