#include "oci/registry_session.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <optional>
#include <thread>

#include "common/base64.hpp"
#include "common/json.hpp"
#include "oci/detail/registry_auth_challenge.hpp"
#include "oci/detail/registry_credentials.hpp"
#include "oci/detail/registry_errors.hpp"
#include "oci/detail/registry_retry.hpp"
#include "oci/detail/registry_token_cache.hpp"
#include "oci/detail/registry_url.hpp"

namespace sigil::oci {
namespace {

using detail::AuthChallenge;
using detail::BasicCredentials;
using detail::ScopeSet;

// What the session knows about one registry host.
struct RegistryState {
  std::mutex mutex;  // guards the fields below; held during the ping so only one thread pings
  bool pinged = false;
  bool use_https = false;  // learnt by the ping for hosts where plain HTTP is allowed
  std::optional<AuthChallenge> challenge;
  bool credentials_loaded = false;
  std::optional<BasicCredentials> credentials;
};

std::string basic_header(const BasicCredentials& c) {
  return "Basic " + base64_encode(c.username + ":" + c.password);
}

void set_header(http::Headers& headers, std::string_view name, std::string value) {
  std::erase_if(headers, [&](const auto& h) {
    return h.first.size() == name.size() &&
           std::equal(h.first.begin(), h.first.end(), name.begin(),
                      [](char a, char b) { return std::tolower(a) == std::tolower(b); });
  });
  headers.emplace_back(std::string(name), std::move(value));
}

void add_scopes(ScopeSet& scopes, const std::string& scope_param) {
  std::size_t start = 0;
  while (start < scope_param.size()) {
    auto end = scope_param.find(' ', start);
    if (end == std::string::npos) end = scope_param.size();
    if (end > start) scopes.insert(scope_param.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace

struct RegistrySession::Impl {
  RegistryOptions options;
  http::Client client;
  detail::TokenCache tokens;
  std::mutex mutex;  // guards the maps (not the states they point to)
  std::map<std::string, std::unique_ptr<RegistryState>> registries;
  std::map<std::string, std::unique_ptr<std::mutex>> locks;

  explicit Impl(const RegistryOptions& o) : options(o), client(http::ClientOptions{.ca_file = o.ca_file}) {}

  RegistryState& state_for(const std::string& host) {
    std::lock_guard lock(mutex);
    auto& slot = registries[host];
    if (!slot) slot = std::make_unique<RegistryState>();
    return *slot;
  }

  // Sends with retries while the request can be replayed (see the class comment).
  Result<http::Response> send_with_retries(http::Request request) {
    auto touched = std::make_shared<std::atomic<bool>>(false);
    if (request.body_reader) {
      request.body_reader = [inner = std::move(request.body_reader), touched](char* buf, std::size_t cap) {
        touched->store(true);
        return inner(buf, cap);
      };
    }
    if (request.on_body) {
      request.on_body = [inner = std::move(request.on_body), touched](std::string_view chunk) {
        touched->store(true);
        return inner(chunk);
      };
    }
    for (int attempt = 0;; ++attempt) {
      auto response = client.send(request);
      bool can_retry = attempt < options.max_retries && !touched->load();
      if (!response) {
        if (can_retry && response.error().category == ErrorCategory::network) {
          std::this_thread::sleep_for(detail::backoff_delay(attempt));
          continue;
        }
        return response;
      }
      if (can_retry && detail::is_temporary_status(response->status)) {
        auto retry_after = response->header("retry-after");
        std::this_thread::sleep_for(
            detail::retry_delay(attempt, retry_after ? std::optional<std::string_view>(*retry_after) : std::nullopt));
        continue;
      }
      return response;
    }
  }

  // GET /v2/ once per registry to learn how it wants to be authenticated.
  Result<void> ensure_pinged(const Reference& ref, RegistryState& state, const std::string& base) {
    std::lock_guard lock(state.mutex);
    if (!state.credentials_loaded) {
      auto creds = detail::lookup_credentials(ref.registry, options.docker_config_dir);
      if (!creds) return std::unexpected(std::move(creds.error()).with_context("credentials for " + ref.registry));
      state.credentials = *creds;
      state.credentials_loaded = true;
    }
    if (state.pinged) return {};
    http::Request ping;
    ping.url = base + "/v2/";
    Result<http::Response> response;
    if (base.starts_with("http://")) {
      // Plain HTTP is allowed here (loopback or --insecure-registry), not required: as docker does
      // for insecure registries, try HTTPS first, once and without retries, and keep it if it answers.
      http::Request tls_ping;
      tls_ping.url = "https://" + base.substr(7) + "/v2/";
      if (auto tls = client.send(tls_ping)) {
        state.use_https = true;
        ping.url = tls_ping.url;
        response = std::move(tls);
      }
    }
    if (!state.use_https) response = send_with_retries(ping);
    if (!response) return std::unexpected(response.error());
    if (response->status == 401) {
      state.challenge = detail::pick_auth_challenge(response->headers_named("www-authenticate"));
    } else if (response->status >= 500) {
      return std::unexpected(detail::registry_error("GET", ping.url, *response));
    }
    // Other answers (200, or a 404 from a registry that only serves repository paths) mean no
    // challenge up front; a later 401 still teaches one.
    state.pinged = true;
    return {};
  }

  Result<std::string> fetch_token(const std::string& host, const AuthChallenge& challenge, const ScopeSet& scopes,
                                  const std::optional<BasicCredentials>& credentials) {
    std::string realm = challenge.param("realm");
    http::Request request;
    request.url = realm;
    if (auto service = challenge.param("service"); !service.empty()) {
      request.url = detail::add_query(request.url, "service", service);
    }
    for (const auto& scope : scopes) request.url = detail::add_query(request.url, "scope", scope);
    if (credentials) request.headers.emplace_back("Authorization", basic_header(*credentials));
    auto response = send_with_retries(request);
    std::string what = "token for " + host + " from " + realm;
    if (!response) return std::unexpected(std::move(response.error()).with_context(what));
    if (response->status != 200) {
      return std::unexpected(detail::registry_error("GET", request.url, *response).with_context(what));
    }
    auto j = parse_json(response->body, what);
    if (!j) return std::unexpected(j.error());
    auto token = json_string_member(*j, "token", what);
    if (!token) return std::unexpected(token.error());
    if (token->empty()) {
      token = json_string_member(*j, "access_token", what);
      if (!token) return std::unexpected(token.error());
    }
    if (token->empty()) return fail(ErrorCategory::input, what + ": answer has no \"token\"");
    long long lifetime = 60;
    if (auto it = j->find("expires_in"); it != j->end() && it->is_number_integer() && it->get<long long>() > 0) {
      lifetime = it->get<long long>();
    }
    tokens.put(host, scopes, *token, std::chrono::seconds(lifetime));
    return *token;
  }

  // The Authorization header for this registry and scope set, if any.
  Result<std::optional<std::string>> authorization(const std::string& host, RegistryState& state,
                                                   const ScopeSet& scopes) {
    std::optional<AuthChallenge> challenge;
    std::optional<BasicCredentials> credentials;
    {
      std::lock_guard lock(state.mutex);
      challenge = state.challenge;
      credentials = state.credentials;
    }
    if (!challenge) return std::optional<std::string>();
    if (challenge->scheme == "basic") {
      if (!credentials) return std::optional<std::string>();
      return std::optional<std::string>(basic_header(*credentials));
    }
    if (auto cached = tokens.get(host, scopes)) return std::optional<std::string>("Bearer " + *cached);
    auto token = fetch_token(host, *challenge, scopes, credentials);
    if (!token) return std::unexpected(token.error());
    return std::optional<std::string>("Bearer " + *token);
  }
};

RegistrySession::RegistrySession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RegistrySession::~RegistrySession() = default;

std::shared_ptr<RegistrySession> RegistrySession::create(const RegistryOptions& options) {
  return std::shared_ptr<RegistrySession>(new RegistrySession(std::make_unique<Impl>(options)));
}

const RegistryOptions& RegistrySession::options() const { return impl_->options; }

std::string RegistrySession::base_url(const Reference& ref) const {
  const auto& insecure = impl_->options.insecure_registries;
  std::string host = ref.api_host();
  bool plain = ref.is_loopback_registry() ||
               std::find(insecure.begin(), insecure.end(), ref.registry) != insecure.end() ||
               std::find(insecure.begin(), insecure.end(), host) != insecure.end();
  return (plain ? "http://" : "https://") + host;
}

std::string RegistrySession::pull_scope(std::string_view repository) {
  return "repository:" + std::string(repository) + ":pull";
}

std::string RegistrySession::push_scope(std::string_view repository) {
  return "repository:" + std::string(repository) + ":pull,push";
}

std::mutex& RegistrySession::lock_for(const std::string& key) {
  std::lock_guard lock(impl_->mutex);
  auto& slot = impl_->locks[key];
  if (!slot) slot = std::make_unique<std::mutex>();
  return *slot;
}

Result<http::Response> RegistrySession::send(const Reference& ref, http::Request request,
                                             const std::vector<std::string>& scope_list) {
  std::string host = ref.api_host();
  RegistryState& state = impl_->state_for(host);
  std::string base = base_url(ref);
  if (auto pinged = impl_->ensure_pinged(ref, state, base); !pinged) return std::unexpected(pinged.error());
  if (state.use_https && request.url.starts_with(base)) {
    // Stores build URLs from base_url() before any ping; the ping found TLS on a plain-allowed host.
    request.url = "https://" + request.url.substr(std::string_view("http://").size());
  }
  ScopeSet scopes(scope_list.begin(), scope_list.end());
  const http::Headers original_headers = request.headers;
  for (int round = 0;; ++round) {
    auto auth = impl_->authorization(host, state, scopes);
    if (!auth) return std::unexpected(auth.error());
    request.headers = original_headers;
    if (*auth) set_header(request.headers, "Authorization", **auth);
    auto response = impl_->send_with_retries(request);
    if (!response) return response;
    if (response->status != 401 || round > 0) return response;
    auto challenge = detail::pick_auth_challenge(response->headers_named("www-authenticate"));
    if (!challenge) return response;
    impl_->tokens.erase(host, scopes);
    if (challenge->scheme == "bearer") add_scopes(scopes, challenge->param("scope"));
    {
      std::lock_guard lock(state.mutex);
      bool unchanged_basic = challenge->scheme == "basic" && state.challenge && state.challenge->scheme == "basic";
      state.challenge = challenge;
      // Basic credentials were already sent (or there are none): asking again changes nothing.
      if (unchanged_basic) return response;
      if (challenge->scheme == "basic" && !state.credentials) return response;
    }
    if (request.body_reader && request.body_size != 0) {
      // The body may have been partly consumed by the first attempt; the caller decides.
      return response;
    }
  }
}

}  // namespace sigil::oci
