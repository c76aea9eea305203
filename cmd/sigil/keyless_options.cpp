#include "cmd/sigil/keyless_options.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <utility>

#include "common/file.hpp"
#include "common/http.hpp"
#include "sign/keyless/identity_token.hpp"
#include "sign/keyless/keyless_signer.hpp"

namespace sigil::cli {
namespace {

constexpr std::size_t kMaxSigningConfigFileBytes = 1024 * 1024;

std::string string_flag(const cxxopts::ParseResult& parsed, const char* name) {
  return parsed.count(name) > 0 ? parsed[name].as<std::string>() : std::string();
}

bool is_http_url(std::string_view url) { return url.starts_with("https://") || url.starts_with("http://"); }

sign::SigstoreTime now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace

void add_keyless_options(cxxopts::Options& options) {
  options.add_options("Keyless")
      ("identity-token", "OIDC identity token (default: $SIGSTORE_ID_TOKEN, GitHub Actions, or a device flow on a terminal)",
       cxxopts::value<std::string>(), "TOKEN")
      ("signing-config", "Sigstore signing_config.json naming the Fulcio, Rekor, TSA and OIDC services",
       cxxopts::value<std::string>(), "FILE")
      ("staging", "Use the Sigstore staging services")
      ("fulcio-url", "Fulcio base URL (overrides the signing config)", cxxopts::value<std::string>(), "URL")
      ("rekor-url", "Rekor v1 base URL (overrides the signing config)", cxxopts::value<std::string>(), "URL")
      ("tsa-url", "RFC 3161 timestamp URL (overrides the signing config)", cxxopts::value<std::string>(), "URL")
      ("no-timestamp", "Do not ask a timestamp authority for a signed timestamp")
      ("oidc-issuer", "OIDC issuer for the interactive device flow (overrides the signing config)",
       cxxopts::value<std::string>(), "URL");
}

bool keyless_flags_given(const cxxopts::ParseResult& parsed) {
  for (const char* name : {"identity-token", "signing-config", "fulcio-url", "rekor-url", "tsa-url", "no-timestamp",
                           "oidc-issuer"}) {
    if (parsed.count(name) > 0) return true;
  }
  return false;
}

Result<sign::keyless::KeylessEndpoints> keyless_endpoints(const cxxopts::ParseResult& parsed,
                                                          std::string_view command) {
  sign::keyless::KeylessEndpoints endpoints =
      parsed.count("staging") > 0 ? sign::keyless::staging_endpoints() : sign::keyless::public_good_endpoints();
  if (const std::string path = string_flag(parsed, "signing-config"); !path.empty()) {
    auto text = read_file(path, kMaxSigningConfigFileBytes);
    if (!text) return std::unexpected(text.error().with_context("read signing config"));
    auto config = sign::keyless::parse_signing_config(*text);
    if (!config) return std::unexpected(config.error().with_context(path));
    auto selected = sign::keyless::select_endpoints(*config, now());
    if (!selected) return std::unexpected(selected.error().with_context(path));
    endpoints = std::move(*selected);
  }
  const std::pair<const char*, std::string*> overrides[] = {{"fulcio-url", &endpoints.fulcio_url},
                                                            {"rekor-url", &endpoints.rekor_url},
                                                            {"tsa-url", &endpoints.tsa_url},
                                                            {"oidc-issuer", &endpoints.oidc_url}};
  for (const auto& [flag, target] : overrides) {
    if (parsed.count(flag) == 0) continue;
    std::string url = parsed[flag].as<std::string>();
    if (!is_http_url(url)) {
      return std::unexpected(usage_error(command, "--" + std::string(flag) + " must be an http(s) URL"));
    }
    *target = std::move(url);
  }
  if (parsed.count("no-timestamp") > 0) endpoints.tsa_url.clear();
  return endpoints;
}

Result<bool> keyless_requested(const cxxopts::ParseResult& parsed, std::string_view command,
                               std::string_view key_flag, std::string_view keyless_flag) {
  const std::string key(key_flag);
  const std::string flag(keyless_flag);
  const bool keyless = parsed.count(flag) > 0;
  if (keyless && parsed.count(key) > 0) {
    return std::unexpected(usage_error(command, "--" + key + " and --" + flag + " exclude each other"));
  }
  if (!keyless && keyless_flags_given(parsed)) {
    return std::unexpected(usage_error(command, "keyless options need --" + flag));
  }
  return keyless;
}

struct KeylessSession::State {
  explicit State(http::ClientOptions options) : client(std::move(options)) {}
  http::Client client;
  sign::keyless::KeylessEndpoints endpoints;
  std::unique_ptr<sign::keyless::KeylessSigner> signer;
};

KeylessSession::KeylessSession(std::unique_ptr<State> state) : state_(std::move(state)) {}
KeylessSession::~KeylessSession() = default;

sign::Signer& KeylessSession::signer() { return *state_->signer; }

Result<std::unique_ptr<KeylessSession>> KeylessSession::open(const cxxopts::ParseResult& parsed,
                                                             std::string_view command) {
  auto endpoints = keyless_endpoints(parsed, command);
  if (!endpoints) return std::unexpected(endpoints.error());

  http::ClientOptions client_options;
  client_options.ca_file = global_options(parsed).ca_file;
  auto state = std::make_unique<State>(std::move(client_options));
  state->endpoints = std::move(*endpoints);

  sign::keyless::TokenSources sources;
  sources.explicit_token = string_flag(parsed, "identity-token");
  if (parsed.count("identity-token") > 0 && sources.explicit_token.empty()) {
    return std::unexpected(usage_error(command, "--identity-token is empty"));
  }
  sources.interactive = ::isatty(STDIN_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1;
  sources.oidc_issuer = state->endpoints.oidc_url;
  auto raw = sign::keyless::find_identity_token(state->client, sources);
  if (!raw) return std::unexpected(raw.error());
  auto token = sign::keyless::parse_identity_token(raw->reveal(), now());
  if (!token) return std::unexpected(token.error());

  auto signer = sign::keyless::KeylessSigner::create(state->client, state->endpoints.fulcio_url, *token);
  if (!signer) return std::unexpected(signer.error());
  state->signer = std::move(*signer);
  if (global_options(parsed).verbose) {
    std::fprintf(stderr, "sigil: signing as %s (issuer %s), logging in %s%s\n", token->challenge().c_str(),
                 token->issuer.c_str(), state->endpoints.rekor_url.c_str(),
                 state->endpoints.tsa_url.empty() ? "" : (", timestamped by " + state->endpoints.tsa_url).c_str());
  }
  return std::unique_ptr<KeylessSession>(new KeylessSession(std::move(state)));
}

Result<void> KeylessSession::complete(sign::Bundle& bundle) {
  const sign::keyless::CompletionEndpoints completion{state_->endpoints.rekor_url, state_->endpoints.tsa_url};
  return sign::keyless::complete_bundle(state_->client, bundle, completion);
}

Result<sign::Bundle> sign_keyless(const cxxopts::ParseResult& parsed, std::string_view command,
                                  const std::function<Result<sign::Bundle>(sign::Signer&)>& make) {
  auto session = KeylessSession::open(parsed, command);
  if (!session) return std::unexpected(session.error());
  auto bundle = make((*session)->signer());
  if (!bundle) return std::unexpected(bundle.error());
  if (auto completed = (*session)->complete(*bundle); !completed) return std::unexpected(completed.error());
  return bundle;
}

}  // namespace sigil::cli
