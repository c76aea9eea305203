// The WWW-Authenticate parser on the headers registries really send and on hostile ones.
#include <gtest/gtest.h>

#include "oci/detail/registry_auth_challenge.hpp"

namespace sigil::oci::detail {
namespace {

TEST(AuthChallenge, DockerHubBearer) {
  auto c = parse_auth_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(c[0].param("service"), "registry.docker.io");
  EXPECT_EQ(c[0].param("scope"), "repository:library/alpine:pull");
}

TEST(AuthChallenge, CommaInsideQuotedScopeDoesNotSplit) {
  auto c = parse_auth_challenges(R"(Bearer realm="r",scope="repository:a/b:pull,push",service="s")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].param("scope"), "repository:a/b:pull,push");
  EXPECT_EQ(c[0].param("service"), "s");
}

TEST(AuthChallenge, SeveralChallengesInOneHeader) {
  auto c = parse_auth_challenges(R"(Basic realm="basic, realm", Bearer realm="https://t/token", service="svc")");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].scheme, "basic");
  EXPECT_EQ(c[0].param("realm"), "basic, realm");
  EXPECT_EQ(c[1].scheme, "bearer");
  EXPECT_EQ(c[1].param("realm"), "https://t/token");
  EXPECT_EQ(c[1].param("service"), "svc");
}

TEST(AuthChallenge, EscapedQuotesAndBackslashes) {
  auto c = parse_auth_challenges(R"(Basic realm="say \"hi\" \\ there")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].param("realm"), R"(say "hi" \ there)");
}

TEST(AuthChallenge, CaseAndWhitespaceAreNormalized) {
  auto c = parse_auth_challenges("  BEARER   Realm = \"r\" ,\tService=svc ,SCOPE = \"x:y:pull\"  ");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].param("realm"), "r");
  EXPECT_EQ(c[0].param("service"), "svc");
  EXPECT_EQ(c[0].param("scope"), "x:y:pull");
}

TEST(AuthChallenge, UnquotedUrlRealm) {
  auto c = parse_auth_challenges("Bearer realm=https://auth.example:8443/token?x=1,service=reg");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].param("realm"), "https://auth.example:8443/token?x=1");
  EXPECT_EQ(c[0].param("service"), "reg");
}

TEST(AuthChallenge, EmptyListElementsAreSkipped) {
  auto c = parse_auth_challenges(R"(, ,Bearer ,, realm="r",,service="s",)");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].param("realm"), "r");
  EXPECT_EQ(c[0].param("service"), "s");
}

TEST(AuthChallenge, UnterminatedQuoteRunsToTheEnd) {
  auto c = parse_auth_challenges(R"(Bearer realm="https://t/token, service=x)");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].param("realm"), "https://t/token, service=x");
  EXPECT_EQ(c[0].param("service"), "");
}

TEST(AuthChallenge, Token68IsNotMistakenForParameters) {
  auto c = parse_auth_challenges(R"(Negotiate dXNlcjpwYXNz==, Bearer realm="r")");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].scheme, "negotiate");
  EXPECT_TRUE(c[0].params.empty());
  EXPECT_EQ(c[1].scheme, "bearer");
  EXPECT_EQ(c[1].param("realm"), "r");
}

TEST(AuthChallenge, SchemeWithoutParameters) {
  auto c = parse_auth_challenges("Basic");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "basic");
  EXPECT_TRUE(c[0].params.empty());
}

TEST(AuthChallenge, GarbageGivesNothingUsable) {
  EXPECT_TRUE(parse_auth_challenges("").empty());
  EXPECT_TRUE(parse_auth_challenges("   ,,, ").empty());
  auto c = parse_auth_challenges(R"(="x", @@@, Bearer realm="r")");
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c.back().scheme, "bearer");
  EXPECT_EQ(c.back().param("realm"), "r");
}

TEST(AuthChallenge, PickPrefersBearerWithRealmOverBasic) {
  auto picked = pick_auth_challenge({R"(Basic realm="registry")", R"(Bearer realm="https://t/token",service="s")"});
  ASSERT_TRUE(picked);
  EXPECT_EQ(picked->scheme, "bearer");
  EXPECT_EQ(picked->param("service"), "s");
}

TEST(AuthChallenge, PickIgnoresBearerWithoutRealm) {
  auto picked = pick_auth_challenge({R"(Bearer service="s")", R"(Basic realm="registry")"});
  ASSERT_TRUE(picked);
  EXPECT_EQ(picked->scheme, "basic");
}

TEST(AuthChallenge, PickNothingForUnknownSchemes) {
  EXPECT_FALSE(pick_auth_challenge({R"(Digest realm="x", nonce="y")"}));
  EXPECT_FALSE(pick_auth_challenge({}));
}

}  // namespace
}  // namespace sigil::oci::detail
