// The test registry harness itself: each variant starts, challenges as a real registry does, and
// accepts what its credentials (or tokens) allow. Uses raw http::Client calls only.
#include "support/registry_server.hpp"

#include <gtest/gtest.h>

#include "common/base64.hpp"
#include "common/file.hpp"
#include "common/http.hpp"
#include "common/json.hpp"
#include "oci/digest.hpp"
#include "support/docker_config.hpp"
#include "support/test_pki.hpp"

namespace sigil::test {
namespace {

http::Request request(std::string method, std::string url, std::string authorization = {}) {
  http::Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  if (!authorization.empty()) r.headers.emplace_back("Authorization", std::move(authorization));
  return r;
}

// Monolithic blob push as the distribution spec describes it: POST an upload session, then PUT
// the bytes to its Location with ?digest=. Returns the PUT status (or the failing POST status).
long push_blob(http::Client& client, const RegistryServer& registry, const std::string& repository,
               const std::string& bytes, const std::string& authorization) {
  auto started = client.send(request("POST", registry.base_url() + "/v2/" + repository + "/blobs/uploads/", authorization));
  EXPECT_TRUE(started) << started.error().message;
  if (!started || started->status != 202) return started ? started->status : -1;
  auto location = started->header("location");
  EXPECT_TRUE(location);
  if (!location) return -1;
  std::string url = location->starts_with("/") ? registry.base_url() + *location : *location;
  url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + oci::Digest::of(bytes).str();
  auto put = request("PUT", url, authorization);
  put.headers.emplace_back("Content-Type", "application/octet-stream");
  put.body = bytes;
  auto finished = client.send(put);
  EXPECT_TRUE(finished) << finished.error().message;
  return finished ? finished->status : -1;
}

TEST(RegistryServer, PlainAnswersV2AndStoresBlobs) {
  SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::none);
  RegistryServer registry;
  ASSERT_TRUE(registry.running()) << registry.failure();
  EXPECT_TRUE(registry.host_port().starts_with("127.0.0.1:"));
  http::Client client;
  auto ping = client.send(request("GET", registry.base_url() + "/v2/"));
  ASSERT_TRUE(ping) << ping.error().message;
  EXPECT_EQ(ping->status, 200);
  EXPECT_EQ(ping->header("docker-distribution-api-version"), "registry/2.0");

  const std::string blob = "hello from sigil";
  EXPECT_EQ(push_blob(client, registry, "test/plain", blob, ""), 201);
  auto fetched = client.send(request("GET", registry.base_url() + "/v2/test/plain/blobs/" + oci::Digest::of(blob).str()));
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->status, 200);
  EXPECT_EQ(fetched->body, blob);

  std::string url = registry.base_url() + "/v2/";
  registry.stop();
  EXPECT_FALSE(registry.running());
  auto after = client.send(request("GET", url));
  EXPECT_FALSE(after) << "the registry must be gone after stop()";
}

TEST(RegistryServer, BasicAuthChallengesAndAcceptsTheConfiguredUser) {
  SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::basic);
  RegistryOptions options;
  options.auth = RegistryAuth::basic;
  options.username = "alice";
  options.password = "pa:ss word";
  RegistryServer registry(options);
  ASSERT_TRUE(registry.running()) << registry.failure();
  http::Client client;

  auto anonymous = client.send(request("GET", registry.base_url() + "/v2/"));
  ASSERT_TRUE(anonymous) << anonymous.error().message;
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->header("www-authenticate"), "Basic realm=\"sigil-test-registry\"");

  auto wrong = client.send(request("GET", registry.base_url() + "/v2/", "Basic " + base64_encode(std::string("alice:nope"))));
  ASSERT_TRUE(wrong) << wrong.error().message;
  EXPECT_EQ(wrong->status, 401);

  auto ok = client.send(request("GET", registry.base_url() + "/v2/", registry.basic_authorization()));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(push_blob(client, registry, "test/basic", "basic blob", registry.basic_authorization()), 201);
}

// The TLS variant, and what ClientOptions::ca_file promises: the extra CA is trusted, and a
// server signed by some other CA still is not.
TEST(RegistryServer, TlsIsTrustedThroughCaFileOnly) {
  SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::basic);
  RegistryOptions options;
  options.auth = RegistryAuth::basic;
  options.tls = true;
  RegistryServer registry(options);
  ASSERT_TRUE(registry.running()) << registry.failure();
  EXPECT_TRUE(registry.base_url().starts_with("https://127.0.0.1:"));

  http::Client system_only;
  auto untrusted = system_only.send(request("GET", registry.base_url() + "/v2/"));
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().category, ErrorCategory::network);
  EXPECT_TRUE(untrusted.error().message.starts_with("GET " + registry.base_url() + "/v2/: ")) << untrusted.error().message;

  TempDir dir;
  TestCa stranger("some other CA");
  write_text_file(dir / "other.pem", stranger.cert_pem());
  http::ClientOptions other_options;
  other_options.ca_file = (dir / "other.pem").string();
  http::Client other(other_options);
  EXPECT_FALSE(other.send(request("GET", registry.base_url() + "/v2/")));

  http::ClientOptions trusted_options;
  trusted_options.ca_file = registry.ca_file().string();
  http::Client trusted(trusted_options);
  auto ok = trusted.send(request("GET", registry.base_url() + "/v2/", registry.basic_authorization()));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(push_blob(trusted, registry, "test/tls", "over tls", registry.basic_authorization()), 201);
}

class TokenRegistry : public ::testing::Test {
 protected:
  void SetUp() override {
    SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::token);
    RegistryOptions options;
    options.auth = RegistryAuth::token;
    registry_ = std::make_unique<RegistryServer>(options);
    ASSERT_TRUE(registry_->running()) << registry_->failure();
  }

  // Asks the token server for a token, as a client following the Bearer challenge does.
  Result<http::Response> token_for(const std::string& scope, const std::string& authorization) {
    auto* server = registry_->token_server();
    std::string url = server->realm() + "?service=" + server->options().service;
    if (!scope.empty()) url += "&scope=" + scope;
    return client_.send(request("GET", url, authorization));
  }

  std::string bearer(const std::string& scope) {
    auto answer = token_for(scope, registry_->basic_authorization());
    EXPECT_TRUE(answer && answer->status == 200) << (answer ? answer->body : answer.error().message);
    if (!answer) return {};
    auto json = parse_json(answer->body, "token response");
    EXPECT_TRUE(json) << answer->body;
    return json ? "Bearer " + json->value("token", std::string()) : std::string();
  }

  std::unique_ptr<RegistryServer> registry_;
  http::Client client_;
};

TEST_F(TokenRegistry, ChallengesWithBearerRealmAndService) {
  auto anonymous = client_.send(request("GET", registry_->base_url() + "/v2/"));
  ASSERT_TRUE(anonymous) << anonymous.error().message;
  EXPECT_EQ(anonymous->status, 401);
  auto* server = registry_->token_server();
  EXPECT_EQ(anonymous->header("www-authenticate"),
            "Bearer realm=\"" + server->realm() + "\",service=\"" + server->options().service + "\"");

  auto push = client_.send(request("POST", registry_->base_url() + "/v2/test/tok/blobs/uploads/"));
  ASSERT_TRUE(push) << push.error().message;
  EXPECT_EQ(push->status, 401);
  // distribution lists the actions in map order: either "pull,push" or "push,pull".
  std::string challenge = push->header("www-authenticate").value_or("");
  EXPECT_TRUE(challenge.find("scope=\"repository:test/tok:pull,push\"") != std::string::npos ||
              challenge.find("scope=\"repository:test/tok:push,pull\"") != std::string::npos)
      << challenge;
}

TEST_F(TokenRegistry, TokenServerChecksCredentials) {
  auto none = token_for("repository:test/tok:pull", "");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(none->status, 401);
  auto wrong = token_for("repository:test/tok:pull", "Basic " + base64_encode(std::string("sigil:wrong")));
  ASSERT_TRUE(wrong) << wrong.error().message;
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(registry_->token_server()->tokens_issued(), 0u);
}

TEST_F(TokenRegistry, IssuedTokensAreAcceptedForPingAndPush) {
  auto ping = client_.send(request("GET", registry_->base_url() + "/v2/", bearer("")));
  ASSERT_TRUE(ping) << ping.error().message;
  EXPECT_EQ(ping->status, 200) << ping->body << "\nregistry log:\n" << registry_->log();

  const std::string blob = "token-protected blob";
  std::string push_token = bearer("repository:test/tok:pull,push");
  EXPECT_EQ(push_blob(client_, *registry_, "test/tok", blob, push_token), 201) << registry_->log();
  auto fetched = client_.send(request("GET", registry_->base_url() + "/v2/test/tok/blobs/" + oci::Digest::of(blob).str(), push_token));
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->status, 200);
  EXPECT_EQ(fetched->body, blob);
  EXPECT_EQ(registry_->token_server()->tokens_issued(), 2u);
}

TEST_F(TokenRegistry, TokenScopeLimitsAccess) {
  std::string pull_only = bearer("repository:test/tok:pull");
  auto denied = client_.send(request("POST", registry_->base_url() + "/v2/test/tok/blobs/uploads/", pull_only));
  ASSERT_TRUE(denied) << denied.error().message;
  EXPECT_EQ(denied->status, 401);
  std::string other_repo = bearer("repository:test/other:pull,push");
  auto elsewhere = client_.send(request("POST", registry_->base_url() + "/v2/test/tok/blobs/uploads/", other_repo));
  ASSERT_TRUE(elsewhere) << elsewhere.error().message;
  EXPECT_EQ(elsewhere->status, 401);
}

TEST_F(TokenRegistry, TokenForAnotherServiceIsRejected) {
  TokenServerOptions options;
  options.service = "some-other-registry";
  TokenServer other(options);
  std::string forged = "Bearer " + other.issue("sigil", {{"repository", "test/tok", {"pull", "push"}}});
  auto denied = client_.send(request("POST", registry_->base_url() + "/v2/test/tok/blobs/uploads/", forged));
  ASSERT_TRUE(denied) << denied.error().message;
  EXPECT_EQ(denied->status, 401);
  // The same grant for the right service passes, so the audience was the only difference.
  std::string genuine = "Bearer " + registry_->token_server()->issue("sigil", {{"repository", "test/tok", {"pull", "push"}}});
  auto accepted = client_.send(request("POST", registry_->base_url() + "/v2/test/tok/blobs/uploads/", genuine));
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->status, 202);
}

TEST(DockerConfigDir, WritesAuthsLikeDockerLogin) {
  DockerConfigDir config;
  config.add_auth("127.0.0.1:5000", "sigil", "pa:ss");
  config.write();
  auto bytes = read_file(config.config_path(), 1 << 20);
  ASSERT_TRUE(bytes) << bytes.error().message;
  auto json = parse_json(*bytes, "config.json");
  ASSERT_TRUE(json);
  EXPECT_EQ((*json)["auths"]["127.0.0.1:5000"]["auth"], base64_encode(std::string("sigil:pa:ss")));
  {
    ScopedEnv env("DOCKER_CONFIG", config.dir().string());
    EXPECT_EQ(std::string(std::getenv("DOCKER_CONFIG")), config.dir().string());
  }
}

}  // namespace
}  // namespace sigil::test
