#include "sign/keyless/identity_token.hpp"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "common/base64.hpp"
#include "common/json.hpp"
#include "sign/keyless/detail/form.hpp"
#include "sign/keyless/detail/rfc3339.hpp"
#include "sign/keyless/oidc_device_flow.hpp"

namespace sigil::sign::keyless {
namespace {

constexpr std::string_view kWhat = "identity token";
constexpr std::size_t kMaxTokenBytes = 64 * 1024;

Error bad(const std::string& problem) { return Error{ErrorCategory::input, std::string(kWhat) + ": " + problem}; }

std::optional<std::string> from_env(const TokenSources& sources, const char* name) {
  if (sources.env) return sources.env(name);
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace

Result<IdentityToken> parse_identity_token(std::string_view jwt, SigstoreTime now) {
  while (!jwt.empty() && (jwt.back() == '\n' || jwt.back() == '\r' || jwt.back() == ' ')) jwt.remove_suffix(1);
  if (jwt.empty()) return std::unexpected(bad("empty"));
  if (jwt.size() > kMaxTokenBytes) return std::unexpected(bad("larger than 64 KiB"));
  const std::size_t first = jwt.find('.');
  const std::size_t second = first == std::string_view::npos ? first : jwt.find('.', first + 1);
  if (second == std::string_view::npos || jwt.find('.', second + 1) != std::string_view::npos || first == 0 ||
      second == first + 1) {
    return std::unexpected(bad("not a JWT (want three base64url parts separated by '.')"));
  }
  auto payload_bytes = base64_decode(jwt.substr(first + 1, second - first - 1));
  if (!payload_bytes) return std::unexpected(bad("payload is not base64url"));
  auto payload = parse_json(*payload_bytes, "identity token payload");
  if (!payload) return std::unexpected(std::move(payload.error()));
  if (!payload->is_object()) return std::unexpected(bad("payload is not a JSON object"));

  IdentityToken token;
  for (auto [key, target] : {std::pair{"iss", &token.issuer}, std::pair{"sub", &token.subject},
                             std::pair{"email", &token.email}}) {
    auto value = json_string_member(*payload, key, kWhat);
    if (!value) return std::unexpected(std::move(value.error()));
    *target = std::move(*value);
  }
  if (token.issuer.empty()) return std::unexpected(bad("no \"iss\" claim"));
  if (token.subject.empty()) return std::unexpected(bad("no \"sub\" claim"));
  if (const auto aud = payload->find("aud"); aud != payload->end()) {
    if (aud->is_string()) {
      token.audiences.push_back(aud->get<std::string>());
    } else if (aud->is_array()) {
      for (const Json& value : *aud) {
        if (value.is_string()) token.audiences.push_back(value.get<std::string>());
      }
    }
  }
  if (const auto exp = payload->find("exp"); exp != payload->end()) {
    if (!exp->is_number()) return std::unexpected(bad("\"exp\" is not a number"));
    const auto seconds = static_cast<long long>(exp->get<double>());
    token.expiry = SigstoreTime(std::chrono::seconds(seconds));
    if (*token.expiry < now) {
      return std::unexpected(bad("expired at " + detail::format_rfc3339_utc(*token.expiry)));
    }
  }
  token.raw = SecretBytes(jwt);
  return token;
}

Result<SecretBytes> github_actions_token(http::Client& client, std::string_view request_url,
                                         std::string_view request_token, std::string_view audience) {
  http::Request request;
  request.url = std::string(request_url);
  request.url += (request.url.find('?') == std::string::npos ? "?" : "&");
  request.url += "audience=" + detail::percent_encode(audience);
  request.headers = {{"Authorization", "bearer " + std::string(request_token)}, {"Accept", "application/json"}};
  const std::string what = "GitHub Actions OIDC token request";
  auto response = client.send(request);
  if (!response) return std::unexpected(std::move(response.error()).with_context(what));
  if (response->status != 200) {
    return fail(ErrorCategory::network,
                what + ": HTTP " + std::to_string(response->status) + ": " + detail::excerpt(response->body));
  }
  auto document = parse_json(response->body, what);
  if (!document) return std::unexpected(Error{ErrorCategory::network, document.error().message});
  auto value = document->is_object() ? json_string_member(*document, "value", what) : Result<std::string>("");
  if (!value || value->empty()) return fail(ErrorCategory::network, what + ": answer has no \"value\"");
  return SecretBytes::adopt(*value);
}

Result<SecretBytes> find_identity_token(http::Client& client, const TokenSources& sources) {
  if (!sources.explicit_token.empty()) return SecretBytes(sources.explicit_token);
  if (auto token = from_env(sources, "SIGSTORE_ID_TOKEN"); token && !token->empty()) {
    return SecretBytes::adopt(*token);
  }
  auto url = from_env(sources, "ACTIONS_ID_TOKEN_REQUEST_URL");
  auto bearer = from_env(sources, "ACTIONS_ID_TOKEN_REQUEST_TOKEN");
  if (url && !url->empty() && bearer && !bearer->empty()) {
    return github_actions_token(client, *url, *bearer, "sigstore");
  }
  if (sources.interactive && !sources.oidc_issuer.empty()) {
    DeviceFlowOptions options;
    options.issuer = sources.oidc_issuer;
    options.client_id = sources.client_id;
    options.prompt = sources.prompt;
    return device_flow_token(client, options);
  }
  return fail(ErrorCategory::usage,
              "no identity token: give --identity-token, set SIGSTORE_ID_TOKEN (GitLab: id_tokens with aud "
              "sigstore), run in GitHub Actions with id-token: write, or run on a terminal for the device flow");
}

}  // namespace sigil::sign::keyless
