// RegistrySession authentication against a stub registry: bearer tokens from the realm (cached),
// one re-authentication with a 401's scopes, basic challenges learnt from a 401.
#include "registry_stub_common.hpp"

namespace sigil::oci {
namespace {

using namespace registry_stub;

TEST(RegistryStub, BearerTokenFromTheRealmIsCachedAndSent) {
  std::mutex mutex;
  std::vector<StubRequest> token_requests;
  std::string realm;
  HttpStub stub([&](const StubRequest& r) {
    std::lock_guard lock(mutex);
    if (r.path == "/token") {
      token_requests.push_back(r);
      return StubResponse{200, {{"Content-Type", "application/json"}}, R"({"access_token":"tok-1","expires_in":300})"};
    }
    std::string challenge = "Bearer realm=\"" + realm + "\",service=\"stub-svc\"";
    if (r.header("authorization").value_or("") != "Bearer tok-1") {
      if (r.path != "/v2/") challenge += ",scope=\"repository:" + kRepo + ":pull\"";
      return StubResponse{401, {{"WWW-Authenticate", challenge}}, R"({"errors":[{"code":"UNAUTHORIZED"}]})"};
    }
    return StubResponse{200, {{"Content-Type", "application/json"}}, R"({"name":"team/app","tags":["x"]})"};
  });
  realm = stub.base_url() + "/token";
  auto store = open_stub(stub);
  auto tags = store->tags();
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(*tags, std::vector<std::string>{"x"});
  tags = store->tags();
  ASSERT_TRUE(tags);
  ASSERT_EQ(token_requests.size(), 1u);  // cached for the second call
  EXPECT_EQ(token_requests[0].query_param("service").value_or(""), "stub-svc");
  EXPECT_EQ(token_requests[0].query_param("scope").value_or(""), "repository:" + kRepo + ":pull");
  EXPECT_FALSE(token_requests[0].header("authorization"));  // anonymous: no credentials configured
}

TEST(RegistryStub, UnauthorizedAnswerTriggersOneReauthenticationWithItsScopes) {
  std::mutex mutex;
  std::vector<std::vector<std::string>> token_scopes;
  std::string realm;
  int denied = 0;
  HttpStub stub([&](const StubRequest& r) {
    std::lock_guard lock(mutex);
    if (r.path == "/token") {
      std::vector<std::string> scopes;
      for (std::string_view q = r.query; !q.empty();) {
        auto amp = q.find('&');
        std::string_view item = q.substr(0, amp);
        if (item.starts_with("scope=")) scopes.emplace_back(item.substr(6));
        q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
      }
      token_scopes.push_back(scopes);
      std::string token = "t" + std::to_string(token_scopes.size());
      return StubResponse{200, {}, R"({"token":")" + token + R"(","expires_in":120})"};
    }
    std::string challenge = "Bearer realm=\"" + realm + "\",service=\"svc\"";
    if (r.path == "/v2/") return StubResponse{401, {{"WWW-Authenticate", challenge}}, ""};
    // Only the second token (issued with the extra scope) is good enough.
    if (r.header("authorization").value_or("") != "Bearer t2") {
      ++denied;
      return StubResponse{401, {{"WWW-Authenticate", challenge + ",scope=\"repository:team/app:pull registry:catalog:*\""}}, ""};
    }
    return StubResponse{200, {}, R"({"tags":["ok"]})"};
  });
  realm = stub.base_url() + "/token";
  auto store = open_stub(stub);
  auto tags = store->tags();
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(denied, 1);
  ASSERT_EQ(token_scopes.size(), 2u);
  EXPECT_EQ(token_scopes[0], std::vector<std::string>{"repository%3Ateam%2Fapp%3Apull"});
  EXPECT_EQ(token_scopes[1],
            (std::vector<std::string>{"registry%3Acatalog%3A%2A", "repository%3Ateam%2Fapp%3Apull"}));

  // A registry that keeps saying no gets one retry, then the 401 is the answer.
  stub.set_handler([&](const StubRequest& r) {
    if (r.path == "/token") return StubResponse{200, {}, R"({"token":"useless"})"};
    return StubResponse{401, {{"WWW-Authenticate", "Bearer realm=\"" + realm + "\",scope=\"repository:team/app:pull\""}},
                        R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})"};
  });
  stub.clear_log();
  tags = store->tags();
  ASSERT_FALSE(tags);
  EXPECT_EQ(tags.error().category, ErrorCategory::input);
  EXPECT_NE(tags.error().message.find("401 UNAUTHORIZED"), std::string::npos) << tags.error().message;
  EXPECT_EQ(count_requests(stub, "GET", path("/tags/list")), 2u);
}

TEST(RegistryStub, BasicChallengeLearntFromA401UsesDockerConfigCredentials) {
  test::TempDir config;
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};  // the ping asks for nothing
    if (r.header("authorization").value_or("") != "Basic dTpw") {  // base64("u:p")
      return StubResponse{401, {{"WWW-Authenticate", "Basic realm=\"stub\""}}, ""};
    }
    return StubResponse{200, {}, R"({"tags":["b"]})"};
  });
  // Keyed as "http://host:port": docker matches config keys with any scheme.
  auto written = write_file_atomic(config.path() / "config.json",
                                   R"({"auths":{"http://)" + stub.host_port() + R"(":{"username":"u","password":"p"}}})");
  ASSERT_TRUE(written);
  RegistryOptions options;
  options.docker_config_dir = config.path();
  auto store = open_stub(stub, options);
  auto tags = store->tags();
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(*tags, std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace sigil::oci
