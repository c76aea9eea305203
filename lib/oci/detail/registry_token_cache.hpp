// Bearer tokens per (registry, scope set), kept until they expire.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace sigil::oci::detail {

/// A set of token scopes ("repository:a/b:pull", "repository:a/b:pull,push").
using ScopeSet = std::set<std::string>;

/// Thread-safe cache of bearer tokens. A token serves the exact scope set it was issued for.
class TokenCache {
 public:
  using Clock = std::chrono::steady_clock;

  /// The cached token, unless absent or expiring within a few seconds.
  [[nodiscard]] std::optional<std::string> get(const std::string& registry, const ScopeSet& scopes) const;
  /// Stores a token valid for `lifetime` from now.
  void put(const std::string& registry, const ScopeSet& scopes, std::string token, std::chrono::seconds lifetime);
  /// Forgets a token (after a 401 showed it was not enough).
  void erase(const std::string& registry, const ScopeSet& scopes);

 private:
  struct Entry {
    std::string token;
    Clock::time_point expires;
  };
  [[nodiscard]] static std::string key(const std::string& registry, const ScopeSet& scopes);
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace sigil::oci::detail
