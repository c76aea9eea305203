// Signing config v0.2: parsing, service selection by API version and validity, and refusals.
#include <gtest/gtest.h>

#include "sign/keyless/signing_config.hpp"

namespace sigil::sign::keyless {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;

constexpr std::string_view kConfig = R"({
  "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
  "caUrls": [{"url": "https://fulcio.example", "majorApiVersion": 1,
              "validFor": {"start": "2023-04-14T21:38:40Z"}, "operator": "example.dev"}],
  "oidcUrls": [{"url": "https://oauth2.example/auth", "majorApiVersion": 1,
                "validFor": {"start": "2025-04-16T00:00:00Z"}, "operator": "example.dev"}],
  "rekorTlogUrls": [
    {"url": "https://log2025.example", "majorApiVersion": 2, "validFor": {"start": "2025-09-22T11:00:00Z"}},
    {"url": "https://rekor-old.example", "majorApiVersion": 1,
     "validFor": {"start": "2021-01-12T11:53:27.000Z", "end": "2024-01-01T00:00:00Z"}},
    {"url": "https://rekor.example", "majorApiVersion": 1, "validFor": {"start": "2021-01-12T11:53:27Z"}}
  ],
  "tsaUrls": [{"url": "https://tsa.example/api/v1/timestamp", "majorApiVersion": 1,
               "validFor": {"start": "2025-04-09T00:00:00Z"}}],
  "rekorTlogConfig": {"selector": "ANY"},
  "tsaConfig": {"selector": "ANY"}
})";

SigstoreTime at(std::chrono::year_month_day day) { return SigstoreTime(sys_days(day)); }

TEST(SigningConfig, ParsesEveryServiceList) {
  auto config = parse_signing_config(kConfig);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->ca_urls.size(), 1u);
  EXPECT_EQ(config->rekor_tlog_urls.size(), 3u);
  EXPECT_EQ(config->rekor_tlog_urls[0].major_api_version, 2);
  EXPECT_EQ(config->rekor_tlog_urls[1].valid_for.end, at(2024y / 1 / 1));
  EXPECT_EQ(config->ca_urls[0].operator_name, "example.dev");
  EXPECT_EQ(config->rekor_tlog_selector, "ANY");
  EXPECT_EQ(config->tsa_selector, "ANY");
}

TEST(SigningConfig, SelectsTheValidRekorV1AndEveryOtherService) {
  auto config = parse_signing_config(kConfig);
  ASSERT_TRUE(config);
  auto endpoints = select_endpoints(*config, at(2026y / 1 / 1));
  ASSERT_TRUE(endpoints) << endpoints.error().message;
  EXPECT_EQ(endpoints->fulcio_url, "https://fulcio.example");
  EXPECT_EQ(endpoints->rekor_url, "https://rekor.example");  // not the v2 log, not the expired v1 log
  EXPECT_EQ(endpoints->tsa_url, "https://tsa.example/api/v1/timestamp");
  EXPECT_EQ(endpoints->oidc_url, "https://oauth2.example/auth");

  // In 2023 the first v1 log was still valid, and the TSA and OIDC services did not exist yet.
  auto earlier = select_endpoints(*config, at(2023y / 6 / 1));
  ASSERT_TRUE(earlier) << earlier.error().message;
  EXPECT_EQ(earlier->rekor_url, "https://rekor-old.example");
  EXPECT_EQ(earlier->tsa_url, "");
  EXPECT_EQ(earlier->oidc_url, "");
}

TEST(SigningConfig, RefusesWhenNoFulcioOrRekorV1Fits) {
  auto config = parse_signing_config(kConfig);
  ASSERT_TRUE(config);
  auto before_fulcio = select_endpoints(*config, at(2022y / 1 / 1));
  ASSERT_FALSE(before_fulcio);
  EXPECT_NE(before_fulcio.error().message.find("no Fulcio service with API version 1 valid at 2022-01-01T00:00:00Z"),
            std::string::npos)
      << before_fulcio.error().message;

  config->rekor_tlog_urls.erase(config->rekor_tlog_urls.begin() + 1, config->rekor_tlog_urls.end());
  auto only_v2 = select_endpoints(*config, at(2026y / 1 / 1));
  ASSERT_FALSE(only_v2);
  EXPECT_NE(only_v2.error().message.find("no Rekor service"), std::string::npos) << only_v2.error().message;
}

TEST(SigningConfig, RefusesMalformedInputWithOneLineNamingTheMember) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", "invalid JSON"},
      {"[]", "not a JSON object"},
      {R"({"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.1+json"})", "unsupported mediaType"},
      {R"({"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json","caUrls":{}})", "caUrls is not an array"},
      {R"({"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json","caUrls":[{"validFor":{"start":"2023-01-01T00:00:00Z"}}]})",
       "caUrls[0] has no url"},
      {R"({"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json","rekorTlogUrls":[{"url":"https://r"}]})",
       "rekorTlogUrls[0] has no validFor"},
      {R"({"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json","tsaUrls":[{"url":"https://t","validFor":{"start":"yesterday"}}]})",
       "tsaUrls[0].validFor.start is not an RFC 3339 UTC time"},
      {R"({"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json","rekorTlogConfig":{"selector":"SOME"}})",
       "selector \"SOME\""},
  };
  for (const auto& [json, expected] : cases) {
    auto config = parse_signing_config(json);
    ASSERT_FALSE(config) << json;
    EXPECT_EQ(config.error().category, ErrorCategory::input);
    EXPECT_NE(config.error().message.find(expected), std::string::npos) << config.error().message;
    EXPECT_EQ(config.error().message.find('\n'), std::string::npos);
  }
}

TEST(SigningConfig, DefaultsNameThePublicGoodAndStagingServices) {
  EXPECT_EQ(public_good_endpoints().fulcio_url, "https://fulcio.sigstore.dev");
  EXPECT_EQ(public_good_endpoints().rekor_url, "https://rekor.sigstore.dev");
  EXPECT_EQ(staging_endpoints().fulcio_url, "https://fulcio.sigstage.dev");
  EXPECT_EQ(staging_endpoints().rekor_url, "https://rekor.sigstage.dev");
}

}  // namespace
}  // namespace sigil::sign::keyless
