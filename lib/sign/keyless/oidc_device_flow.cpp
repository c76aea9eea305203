#include "sign/keyless/oidc_device_flow.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <thread>
#include <utility>

#include "common/base64.hpp"
#include "common/json.hpp"
#include "sign/keyless/detail/form.hpp"

namespace sigil::sign::keyless {
namespace {

struct Endpoints {
  std::string device_authorization;
  std::string token;
};

Error network(const std::string& message) { return Error{ErrorCategory::network, message}; }

Result<Json> json_answer(const http::Response& response, const std::string& what) {
  auto document = parse_json(response.body, what);
  if (!document || !document->is_object()) return std::unexpected(network(what + ": answer is not a JSON object"));
  return std::move(*document);
}

std::string string_member(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

long number_member(const Json& object, const char* key, long fallback) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return fallback;
  const auto value = it->get<long long>();
  return value < 0 ? fallback : static_cast<long>(std::min<long long>(value, 3600));
}

Result<Endpoints> discover(http::Client& client, const std::string& issuer) {
  std::string url = issuer;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/.well-known/openid-configuration";
  const std::string what = "OIDC discovery " + url;
  http::Request request;
  request.url = url;
  auto response = client.send(request);
  if (!response) return std::unexpected(std::move(response.error()).with_context("OIDC discovery"));
  if (response->status != 200) {
    return std::unexpected(network(what + ": HTTP " + std::to_string(response->status)));
  }
  auto document = json_answer(*response, what);
  if (!document) return std::unexpected(std::move(document.error()));
  Endpoints endpoints{string_member(*document, "device_authorization_endpoint"),
                      string_member(*document, "token_endpoint")};
  if (endpoints.device_authorization.empty() || endpoints.token.empty()) {
    return std::unexpected(network(what + ": no device_authorization_endpoint or token_endpoint"));
  }
  return endpoints;
}

Result<http::Response> post_form(http::Client& client, const std::string& url,
                                 const std::vector<std::pair<std::string, std::string>>& fields) {
  http::Request request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body = detail::form_encode(fields);
  return client.send(request);
}

}  // namespace

std::string pkce_challenge(std::string_view verifier) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(verifier.data(), verifier.size(), digest, &length, EVP_sha256(), nullptr);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

PkcePair make_pkce_pair() {
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) std::abort();  // no entropy: nothing safe to do
  PkcePair pair;
  pair.verifier = base64url_encode(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  pair.challenge = pkce_challenge(pair.verifier);
  return pair;
}

Result<SecretBytes> device_flow_token(http::Client& client, const DeviceFlowOptions& options) {
  auto endpoints = discover(client, options.issuer);
  if (!endpoints) return std::unexpected(std::move(endpoints.error()));
  const PkcePair pkce = make_pkce_pair();

  const std::string what = "device authorization " + endpoints->device_authorization;
  auto started = post_form(client, endpoints->device_authorization,
                           {{"client_id", options.client_id},
                            {"scope", options.scope},
                            {"code_challenge", pkce.challenge},
                            {"code_challenge_method", "S256"}});
  if (!started) return std::unexpected(std::move(started.error()).with_context("device authorization"));
  if (started->status != 200) {
    return std::unexpected(network(what + ": HTTP " + std::to_string(started->status) + ": " +
                                   detail::excerpt(started->body)));
  }
  auto grant = json_answer(*started, what);
  if (!grant) return std::unexpected(std::move(grant.error()));
  const std::string device_code = string_member(*grant, "device_code");
  const std::string user_code = string_member(*grant, "user_code");
  std::string verification = string_member(*grant, "verification_uri_complete");
  if (verification.empty()) verification = string_member(*grant, "verification_uri");
  if (device_code.empty() || verification.empty()) {
    return std::unexpected(network(what + ": answer has no device_code or verification_uri"));
  }
  long interval = number_member(*grant, "interval", 5);
  const long expires_in = number_member(*grant, "expires_in", 600);

  const std::string message = "To sign, open " + verification +
                              (user_code.empty() ? std::string() : " and enter the code " + user_code) +
                              " (waiting for the identity provider...)";
  if (options.prompt) {
    options.prompt(message);
  } else {
    std::fprintf(stderr, "%s\n", message.c_str());
  }

  const auto sleep = options.sleep ? options.sleep : [](std::chrono::seconds s) { std::this_thread::sleep_for(s); };
  const std::chrono::seconds budget = std::min(options.max_wait, std::chrono::seconds(expires_in));
  std::chrono::seconds waited{0};
  const std::string token_what = "token request " + endpoints->token;
  while (waited <= budget) {
    sleep(std::chrono::seconds(interval));
    waited += std::chrono::seconds(std::max(interval, 1L));
    auto answer = post_form(client, endpoints->token,
                            {{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                             {"device_code", device_code},
                             {"client_id", options.client_id},
                             {"code_verifier", pkce.verifier}});
    if (!answer) return std::unexpected(std::move(answer.error()).with_context("OIDC token request"));
    auto document = json_answer(*answer, token_what);
    if (answer->status == 200) {
      if (!document) return std::unexpected(std::move(document.error()));
      std::string id_token = string_member(*document, "id_token");
      if (id_token.empty()) return std::unexpected(network(token_what + ": answer has no id_token"));
      return SecretBytes::adopt(id_token);
    }
    const std::string error = document ? string_member(*document, "error") : std::string();
    if (error == "authorization_pending") continue;
    if (error == "slow_down") {
      interval += 5;  // RFC 8628 section 3.5
      continue;
    }
    if (error == "access_denied") return fail(ErrorCategory::denied, "device flow: the user denied the request");
    if (error == "expired_token") return fail(ErrorCategory::denied, "device flow: the device code expired");
    return std::unexpected(network(token_what + ": HTTP " + std::to_string(answer->status) +
                                   (error.empty() ? ": " + detail::excerpt(answer->body) : ": " + error)));
  }
  return fail(ErrorCategory::denied, "device flow: no authorization within " + std::to_string(budget.count()) + " s");
}

}  // namespace sigil::sign::keyless
