// The registry client's small pure helpers: URLs, Link pagination, the referrers tag, error
// typing, Retry-After.
#include <gtest/gtest.h>

#include "oci/detail/registry_errors.hpp"
#include "oci/detail/registry_referrers.hpp"
#include "oci/detail/registry_retry.hpp"
#include "oci/detail/registry_url.hpp"
#include "oci/registry_session.hpp"

namespace sigil::oci::detail {
namespace {

TEST(RegistryUrl, ResolvesLocations) {
  std::string req = "https://reg.example:5000/v2/a/b/blobs/uploads/";
  EXPECT_EQ(resolve_url(req, "https://other/x?y=1"), "https://other/x?y=1");
  EXPECT_EQ(resolve_url(req, "/v2/a/b/blobs/uploads/uuid?_state=abc"),
            "https://reg.example:5000/v2/a/b/blobs/uploads/uuid?_state=abc");
  EXPECT_EQ(resolve_url(req, "uuid"), "https://reg.example:5000/v2/a/b/blobs/uploads/uuid");
  EXPECT_EQ(resolve_url("http://h/v2/x/tags/list?n=2", "list?n=2&last=b"), "http://h/v2/x/tags/list?n=2&last=b");
  EXPECT_EQ(resolve_url(req, "//cdn.example/blob"), "https://cdn.example/blob");
}

TEST(RegistryUrl, AddsQueryParametersEscaped) {
  EXPECT_EQ(add_query("http://h/p", "digest", "sha256:ab"), "http://h/p?digest=sha256%3Aab");
  EXPECT_EQ(add_query("http://h/p?_state=x", "digest", "sha256:ab"), "http://h/p?_state=x&digest=sha256%3Aab");
  EXPECT_EQ(query_escape("a b/c+d~e"), "a%20b%2Fc%2Bd~e");
}

TEST(RegistryUrl, FindsTheNextLink) {
  std::string req = "http://h:1/v2/r/tags/list?n=2";
  EXPECT_EQ(next_link({R"(</v2/r/tags/list?n=2&last=b>; rel="next")"}, req), "http://h:1/v2/r/tags/list?n=2&last=b");
  EXPECT_EQ(next_link({R"(<https://x/prev>; rel="prev", <https://x/next?a=1,2>; rel=next)"}, req), "https://x/next?a=1,2");
  EXPECT_FALSE(next_link({R"(</v2/r/tags/list?last=b>; rel="prev")"}, req));
  EXPECT_FALSE(next_link({}, req));
  EXPECT_FALSE(next_link({"garbage"}, req));
}

TEST(RegistryReferrers, TagSchemaTruncatesAsTheSpecSays) {
  auto d256 = Digest::parse("sha256:" + std::string(64, 'a'));
  ASSERT_TRUE(d256);
  EXPECT_EQ(referrers_tag(*d256), "sha256-" + std::string(64, 'a'));
  auto d512 = Digest::parse("sha512:" + std::string(64, 'b') + std::string(64, 'c'));
  ASSERT_TRUE(d512);
  EXPECT_EQ(referrers_tag(*d512), "sha512-" + std::string(64, 'b'));
}

TEST(RegistryReferrers, FiltersAppliedHeader) {
  EXPECT_TRUE(filter_applied("artifactType", "artifactType"));
  EXPECT_TRUE(filter_applied("annotation, artifactType", "artifactType"));
  EXPECT_FALSE(filter_applied("", "artifactType"));
  EXPECT_FALSE(filter_applied("artifactTypes", "artifactType"));
}

TEST(RegistryErrors, OneLineTypedMessages) {
  http::Response r;
  r.status = 404;
  r.body = R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]})";
  Error e = registry_error("GET", "https://h/v2/repo/manifests/tag", r);
  EXPECT_EQ(e.category, ErrorCategory::input);
  EXPECT_EQ(e.message, "GET https://h/v2/repo/manifests/tag: 404 MANIFEST_UNKNOWN: manifest unknown");
  auto parsed = parse_registry_error(r);
  EXPECT_TRUE(parsed.has_code("MANIFEST_UNKNOWN"));
  EXPECT_FALSE(parsed.temporary);

  r.status = 401;
  r.body = "";
  e = registry_error("GET", "u", r);
  EXPECT_EQ(e.category, ErrorCategory::input);
  EXPECT_EQ(e.message, "GET u: 401 Unauthorized: authentication required");

  r.status = 429;
  r.body = R"({"errors":[{"code":"TOOMANYREQUESTS","message":"slow\ndown"}]})";
  e = registry_error("PUT", "u", r);
  EXPECT_EQ(e.category, ErrorCategory::network);
  EXPECT_EQ(e.message, "PUT u: 429 TOOMANYREQUESTS: slow down");
  EXPECT_TRUE(parse_registry_error(r).temporary);

  r.status = 503;
  r.body = "<html>oops</html>";
  e = registry_error("GET", "u", r);
  EXPECT_EQ(e.category, ErrorCategory::network);
  EXPECT_EQ(e.message, "GET u: 503 Service Unavailable");
  EXPECT_FALSE(is_temporary_status(501));
  EXPECT_TRUE(is_temporary_status(502));
}

TEST(RegistryRetry, RetryAfterSecondsCapped) {
  EXPECT_EQ(parse_retry_after("2"), std::chrono::milliseconds(2000));
  EXPECT_EQ(parse_retry_after(" 0 "), std::chrono::milliseconds(0));
  EXPECT_EQ(parse_retry_after("86400"), kMaxRetryDelay);
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
  EXPECT_FALSE(parse_retry_after("-1"));
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto d = backoff_delay(attempt);
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d, kMaxRetryDelay);
  }
  EXPECT_GE(backoff_delay(2), std::chrono::milliseconds(1000));
}

TEST(RegistrySessionScheme, PlainHttpOnlyForLoopbackAndInsecureRegistries) {
  RegistryOptions options;
  options.insecure_registries = {"reg.internal:5000"};
  auto session = RegistrySession::create(options);
  auto url = [&](const std::string& text) {
    auto ref = Reference::parse(text);
    EXPECT_TRUE(ref) << ref.error().message;
    return session->base_url(*ref);
  };
  EXPECT_EQ(url("localhost:5000/a"), "http://localhost:5000");
  EXPECT_EQ(url("127.0.0.1:5000/a"), "http://127.0.0.1:5000");
  EXPECT_EQ(url("reg.internal:5000/a"), "http://reg.internal:5000");
  EXPECT_EQ(url("reg.internal/a"), "https://reg.internal");
  EXPECT_EQ(url("ghcr.io/a/b"), "https://ghcr.io");
  EXPECT_EQ(url("alpine"), "https://registry-1.docker.io");
  EXPECT_EQ(RegistrySession::push_scope("a/b"), "repository:a/b:pull,push");
}

}  // namespace
}  // namespace sigil::oci::detail
