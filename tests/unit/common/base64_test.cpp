#include "common/base64.hpp"

#include <gtest/gtest.h>

namespace sigil {
namespace {

// RFC 4648 section 10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(std::string_view(plain)), encoded);
    EXPECT_EQ(base64_decode(encoded), plain);
  }
}

TEST(Base64, UrlSafeAndUnpadded) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(base64_decode("+/8="), "\xfb\xff");
}

TEST(Base64, RejectsForeignCharacters) {
  EXPECT_FALSE(base64_decode("Zm9v!"));
  EXPECT_FALSE(base64_decode("Z"));
}

}  // namespace
}  // namespace sigil
