// OLPC canonical JSON as TUF signs it, checked on hand-made values and on the real Sigstore
// public-good root.json (whose ECDSA signatures only verify over the exact canonical bytes).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "common/file.hpp"
#include "common/json.hpp"
#include "sign/trust_store.hpp"
#include "sign/tuf/detail/tuf_canonical_json.hpp"
#include "sign/tuf/metadata.hpp"

namespace {

using sigil::Json;
using sigil::sign::tuf::detail::canonical_json;

std::string canon(std::string_view text) {
  auto value = sigil::parse_json(text, "test");
  EXPECT_TRUE(value.has_value());
  auto out = canonical_json(*value);
  EXPECT_TRUE(out.has_value()) << out.error().message;
  return out.value_or("");
}

TEST(TufCanonicalJson, SortsKeysAndDropsWhitespace) {
  EXPECT_EQ(canon(R"({ "b": 1, "a": [ true, false, null ], "C": {"z": -3, "y": "x"} })"),
            R"({"C":{"y":"x","z":-3},"a":[true,false,null],"b":1})");
}

TEST(TufCanonicalJson, EscapesOnlyBackslashAndQuote) {
  // Not RFC 8785 / JSON escaping: a newline, a tab and non-ASCII stay raw bytes.
  Json value = {{"k", std::string("a\"b\\c\nd\te\x01") + "\xc3\xa9"}};
  auto out = canonical_json(value);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, std::string("{\"k\":\"a\\\"b\\\\c\nd\te\x01") + "\xc3\xa9\"}");
}

TEST(TufCanonicalJson, KeysSortByBytes) {
  EXPECT_EQ(canon(R"({"é": 1, "z": 2, "Z": 3, "10": 4, "9": 5})"), "{\"10\":4,\"9\":5,\"Z\":3,\"z\":2,\"\xc3\xa9\":1}");
}

TEST(TufCanonicalJson, RefusesFloats) {
  auto value = sigil::parse_json(R"({"a": {"b": [1.5]}})", "test");
  ASSERT_TRUE(value);
  auto out = canonical_json(*value);
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("floating-point"), std::string::npos) << out.error().message;
  EXPECT_NE(out.error().message.find("$.a.b[0]"), std::string::npos) << out.error().message;
}

TEST(TufCanonicalJson, LargeIntegersStayExact) {
  EXPECT_EQ(canon(R"([18446744073709551615, -9223372036854775808, 0])"),
            "[18446744073709551615,-9223372036854775808,0]");
}

// The build tree's share/sigil/tuf/root.json is Sigstore's public-good root from @sigstore/tuf:
// its threshold of ECDSA signatures verifies only if canonical_json matches securesystemslib.
TEST(TufCanonicalJson, SigstorePublicGoodRootVerifiesItself) {
  auto dirs = sigil::sign::data_dirs();
  ASSERT_TRUE(dirs.installed_dir) << "no share/sigil beside the test binary (built by the sigil_data target)";
  auto bytes = sigil::read_file(*dirs.installed_dir / "tuf" / "root.json", 1 << 20);
  ASSERT_TRUE(bytes) << bytes.error().message;
  auto root = sigil::sign::tuf::parse_root(*bytes, "root.json");
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_TRUE(root->consistent_snapshot);
  auto ok = sigil::sign::tuf::verify_role(*root, "root", root->envelope, "root.json");
  EXPECT_TRUE(ok) << ok.error().message;

  // One changed character in "signed" and the same signatures no longer reach the threshold.
  std::string tampered = *bytes;
  auto pos = tampered.find("\"expires\": \"20");
  ASSERT_NE(pos, std::string::npos);
  tampered[pos + 13] = '3';
  auto bad = sigil::sign::tuf::parse_root(tampered, "root.json");
  ASSERT_TRUE(bad) << bad.error().message;
  auto refused = sigil::sign::tuf::verify_role(*bad, "root", bad->envelope, "root.json");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().category, sigil::ErrorCategory::denied);
}

}  // namespace
