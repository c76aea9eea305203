// Identity tokens: claims, expiry, garbage; where tokens come from (flag, SIGSTORE_ID_TOKEN, GitHub
// Actions); the OAuth 2.0 device flow with PKCE against a stub OIDC provider.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"
#include "sign/keyless/identity_token.hpp"
#include "sign/keyless/oidc_device_flow.hpp"
#include "support/http_stub.hpp"
#include "support/sigstore_mock.hpp"

namespace sigil::sign::keyless {
namespace {

using test::HttpStub;
using test::StubRequest;
using test::StubResponse;

SigstoreTime now() { return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()); }

std::string jwt(const nlohmann::json& payload) {
  return base64url_encode(R"({"alg":"RS256"})") + "." + base64url_encode(payload.dump()) + ".c2ln";
}

TEST(IdentityToken, ReadsTheClaimsSigningNeeds) {
  test::TokenClaims claims;
  claims.subject = "https://github.com/o/r/.github/workflows/w.yml@refs/heads/main";
  const std::string minted = test::mint_identity_token(claims);
  auto token = parse_identity_token(minted, now());
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->issuer, claims.issuer);
  EXPECT_EQ(token->subject, claims.subject);
  EXPECT_EQ(token->audiences, std::vector<std::string>{"sigstore"});
  EXPECT_EQ(token->challenge(), claims.subject);
  ASSERT_TRUE(token->expiry);
  EXPECT_GT(*token->expiry, now());
  EXPECT_EQ(token->raw.reveal(), minted);

  claims.email = "signer@example.com";
  const std::string minted_email = test::mint_identity_token(claims);
  auto email = parse_identity_token(minted_email + "\n", now());
  ASSERT_TRUE(email) << email.error().message;
  EXPECT_EQ(email->challenge(), "signer@example.com");  // email tokens prove possession over the email
  EXPECT_EQ(email->raw.reveal(), minted_email);  // the trailing newline of a token file is dropped

  auto array_audience = parse_identity_token(jwt({{"iss", "i"}, {"sub", "s"}, {"aud", {"a", "sigstore"}}}), now());
  ASSERT_TRUE(array_audience);
  EXPECT_EQ(array_audience->audiences.size(), 2u);
}

TEST(IdentityToken, RefusesExpiredAndGarbageTokensWithoutPrintingThem) {
  test::TokenClaims claims;
  claims.lifetime = std::chrono::seconds(-3600);
  const std::string expired_token = test::mint_identity_token(claims);
  auto expired = parse_identity_token(expired_token, now());
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().category, ErrorCategory::input);
  EXPECT_NE(expired.error().message.find("expired at 20"), std::string::npos) << expired.error().message;
  EXPECT_EQ(expired.error().message.find(expired_token.substr(0, 20)), std::string::npos);

  const std::pair<std::string, std::string_view> cases[] = {
      {"", "empty"},
      {"not-a-token", "not a JWT"},
      {"a.b", "not a JWT"},
      {"a.b.c.d", "not a JWT"},
      {"a..c", "not a JWT"},
      {"eyJhbGciOiJub25lIn0.%%%.c", "not base64url"},
      {"eyJhbGciOiJub25lIn0." + base64url_encode("[1]") + ".c", "not a JSON object"},
      {jwt({{"sub", "s"}}), "no \"iss\" claim"},
      {jwt({{"iss", "i"}}), "no \"sub\" claim"},
      {jwt({{"iss", "i"}, {"sub", "s"}, {"exp", "tomorrow"}}), "\"exp\" is not a number"},
  };
  for (const auto& [text, expected] : cases) {
    auto token = parse_identity_token(text, now());
    ASSERT_FALSE(token) << text;
    EXPECT_EQ(token.error().category, ErrorCategory::input);
    EXPECT_NE(token.error().message.find(expected), std::string::npos) << token.error().message;
  }
}

TEST(IdentityToken, SourcesAreTriedInOrder) {
  http::Client client;
  std::map<std::string, std::string> env;
  TokenSources sources;
  sources.env = [&](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto none = find_identity_token(client, sources);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().category, ErrorCategory::usage);
  EXPECT_NE(none.error().message.find("SIGSTORE_ID_TOKEN"), std::string::npos);

  env["SIGSTORE_ID_TOKEN"] = "from-env";
  auto from_env = find_identity_token(client, sources);
  ASSERT_TRUE(from_env);
  EXPECT_EQ(from_env->reveal(), "from-env");

  sources.explicit_token = "from-flag";
  auto from_flag = find_identity_token(client, sources);
  ASSERT_TRUE(from_flag);
  EXPECT_EQ(from_flag->reveal(), "from-flag");
}

TEST(IdentityToken, AsksGitHubActionsForASigstoreAudienceToken) {
  HttpStub stub([](const StubRequest& request) {
    if (request.header("authorization") != "bearer runtime-token") return StubResponse::text(401, "no");
    if (request.query_param("audience") != "sigstore") return StubResponse::text(400, "audience?");
    return StubResponse::text(200, R"({"count":1,"value":"gha-id-token"})", "application/json");
  });
  http::Client client;
  std::map<std::string, std::string> env = {
      {"ACTIONS_ID_TOKEN_REQUEST_URL", stub.base_url() + "/token?api-version=2.0"},
      {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "runtime-token"}};
  TokenSources sources;
  sources.env = [&](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto token = find_identity_token(client, sources);
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->reveal(), "gha-id-token");
  ASSERT_EQ(stub.requests().size(), 1u);
  EXPECT_EQ(stub.requests()[0].query_param("api-version"), "2.0");

  env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "wrong";
  auto refused = find_identity_token(client, sources);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().category, ErrorCategory::network);
  EXPECT_NE(refused.error().message.find("HTTP 401"), std::string::npos) << refused.error().message;
}

// A stub OIDC provider for the device flow: discovery, device authorization, token endpoint. The
// token endpoint answers `pending_answers` times authorization_pending (once slow_down), then the
// id_token if the PKCE verifier matches the challenge sent at the start.
struct StubProvider {
  int pending_answers = 2;
  std::string final_error;  // e.g. "access_denied" instead of a token
  std::mutex mutex;
  std::string challenge;
  int polls = 0;
  std::unique_ptr<HttpStub> stub;

  StubProvider() {
    stub = std::make_unique<HttpStub>([this](const StubRequest& request) { return answer(request); });
  }
  StubResponse answer(const StubRequest& request) {
    std::lock_guard lock(mutex);
    const std::string base = stub->base_url();
    if (request.path == "/auth/.well-known/openid-configuration") {
      return StubResponse::text(200,
                                nlohmann::json{{"issuer", base + "/auth"},
                                               {"device_authorization_endpoint", base + "/auth/device/code"},
                                               {"token_endpoint", base + "/auth/token"}}
                                    .dump(),
                                "application/json");
    }
    if (request.path == "/auth/device/code") {
      if (test::form_values(request.body, "client_id") != std::vector<std::string>{"sigstore"} ||
          test::form_values(request.body, "code_challenge_method") != std::vector<std::string>{"S256"}) {
        return StubResponse::text(400, R"({"error":"invalid_request"})", "application/json");
      }
      challenge = test::form_values(request.body, "code_challenge").at(0);
      return StubResponse::text(200,
                                R"({"device_code":"dev-123","user_code":"WXYZ-1234","verification_uri":")" + base +
                                    R"(/auth/device","expires_in":300,"interval":1})",
                                "application/json");
    }
    if (request.path == "/auth/token") {
      ++polls;
      if (test::form_values(request.body, "device_code") != std::vector<std::string>{"dev-123"} ||
          test::form_values(request.body, "grant_type") !=
              std::vector<std::string>{"urn:ietf:params:oauth:grant-type:device_code"}) {
        return StubResponse::text(400, R"({"error":"invalid_grant"})", "application/json");
      }
      if (polls <= pending_answers) {
        return StubResponse::text(400, polls == 1 ? R"({"error":"slow_down"})" : R"({"error":"authorization_pending"})",
                                  "application/json");
      }
      if (!final_error.empty()) return StubResponse::text(400, R"({"error":")" + final_error + R"("})", "application/json");
      const auto verifier = test::form_values(request.body, "code_verifier");
      if (verifier.size() != 1 || pkce_challenge(verifier[0]) != challenge) {
        return StubResponse::text(400, R"({"error":"invalid_grant","error_description":"PKCE"})", "application/json");
      }
      return StubResponse::text(200, R"({"access_token":"at","id_token":"the-id-token","token_type":"Bearer"})",
                                "application/json");
    }
    return StubResponse::text(404, "not found");
  }
};

TEST(DeviceFlow, PollsUntilTheUserApprovesAndProvesThePkceVerifier) {
  StubProvider provider;
  http::Client client;
  std::string shown;
  std::vector<std::chrono::seconds> waits;
  DeviceFlowOptions options;
  options.issuer = provider.stub->base_url() + "/auth";
  options.prompt = [&](std::string_view text) { shown = std::string(text); };
  options.sleep = [&](std::chrono::seconds s) { waits.push_back(s); };
  auto token = device_flow_token(client, options);
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->reveal(), "the-id-token");
  EXPECT_NE(shown.find("/auth/device"), std::string::npos) << shown;
  EXPECT_NE(shown.find("WXYZ-1234"), std::string::npos) << shown;
  EXPECT_EQ(provider.polls, 3);
  // interval 1, then slow_down adds 5 seconds (RFC 8628 3.5).
  EXPECT_EQ(waits, (std::vector<std::chrono::seconds>{std::chrono::seconds(1), std::chrono::seconds(6),
                                                       std::chrono::seconds(6)}));
}

TEST(DeviceFlow, ReportsDenialAndProviderFailures) {
  StubProvider denied;
  denied.pending_answers = 0;
  denied.final_error = "access_denied";
  http::Client client;
  DeviceFlowOptions options;
  options.issuer = denied.stub->base_url() + "/auth";
  options.prompt = [](std::string_view) {};
  options.sleep = [](std::chrono::seconds) {};
  auto refused = device_flow_token(client, options);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().category, ErrorCategory::denied);
  EXPECT_NE(refused.error().message.find("denied"), std::string::npos);

  HttpStub broken([](const StubRequest&) { return StubResponse::text(500, "down"); });
  options.issuer = broken.base_url();
  auto failed = device_flow_token(client, options);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().category, ErrorCategory::network);
  EXPECT_NE(failed.error().message.find("HTTP 500"), std::string::npos) << failed.error().message;
}

TEST(DeviceFlow, PkceChallengeIsTheRfc7636S256) {
  // RFC 7636 appendix B.
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  const PkcePair a = make_pkce_pair();
  const PkcePair b = make_pkce_pair();
  EXPECT_EQ(a.verifier.size(), 43u);
  EXPECT_NE(a.verifier, b.verifier);
  EXPECT_EQ(a.challenge, pkce_challenge(a.verifier));
}

}  // namespace
}  // namespace sigil::sign::keyless
