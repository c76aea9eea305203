// Shared state of every registry conversation of one command: the HTTP client (connection reuse),
// options, credentials per registry, the auth challenge learnt from /v2/, bearer tokens per scope
// set, and per-key locks for read-modify-write sequences (the referrers fallback index).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/http.hpp"
#include "oci/reference.hpp"
#include "oci/registry_store.hpp"

namespace sigil::oci {

/// One per command, shared by its RegistryStores (possibly from several threads).
///
/// Authentication: on first use of a registry, GET /v2/ learns its challenge. Basic challenges get
/// the docker config credentials; Bearer challenges get a token from the realm
/// (GET realm?service=S&scope=... with basic credentials when known; "token" or "access_token";
/// cached per (registry, scope set) until expires_in, default 60 s). A 401 answer triggers one
/// re-authentication with the scopes the new challenge names added.
///
/// Retries: 429, 5xx except 501/505, and transport failures are retried up to
/// options.max_retries times with exponential backoff and jitter, honouring Retry-After seconds
/// (capped at 30 s) — but only while the request body (body_reader) and the response sink
/// (on_body) have not been used, since neither can be replayed. Blob uploads therefore retry
/// only failures that happen before the first byte of the blob was read; retrying a whole blob
/// from a fresh source is the copy code's decision.
class RegistrySession {
 public:
  /// A session with its own HTTP client. Does not contact any registry.
  [[nodiscard]] static std::shared_ptr<RegistrySession> create(const RegistryOptions& options);
  ~RegistrySession();
  RegistrySession(const RegistrySession&) = delete;
  RegistrySession& operator=(const RegistrySession&) = delete;

  [[nodiscard]] const RegistryOptions& options() const;

  /// "https://host[:port]", or "http://..." for loopback registries and options.insecure_registries.
  /// For those, plain HTTP is only allowed: the first request's ping tries HTTPS once and, when a
  /// TLS server answers, send() upgrades every request to that host to HTTPS.
  [[nodiscard]] std::string base_url(const Reference& ref) const;

  /// Sends `request` (an absolute URL on `ref`'s registry) authenticated for `scopes`
  /// ("repository:NAME:pull" ...), with retries. HTTP statuses come back in the Response; errors
  /// are transport failures (network), callback failures (their own category), credential or
  /// token failures.
  [[nodiscard]] Result<http::Response> send(const Reference& ref, http::Request request,
                                            const std::vector<std::string>& scopes);

  /// A mutex for `key`, the same object for the same key for the session's lifetime.
  [[nodiscard]] std::mutex& lock_for(const std::string& key);

  /// "repository:NAME:pull" and "repository:NAME:pull,push".
  [[nodiscard]] static std::string pull_scope(std::string_view repository);
  [[nodiscard]] static std::string push_scope(std::string_view repository);

 private:
  struct Impl;
  explicit RegistrySession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sigil::oci
