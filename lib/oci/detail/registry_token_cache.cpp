#include "oci/detail/registry_token_cache.hpp"

namespace sigil::oci::detail {

std::string TokenCache::key(const std::string& registry, const ScopeSet& scopes) {
  // Scopes cannot contain spaces (token spec grammar), so a space-joined key is unambiguous.
  std::string k = registry;
  for (const auto& s : scopes) k += " " + s;
  return k;
}

std::optional<std::string> TokenCache::get(const std::string& registry, const ScopeSet& scopes) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key(registry, scopes));
  // A margin keeps a token from expiring between the check and the request.
  if (it == entries_.end() || it->second.expires <= Clock::now() + std::chrono::seconds(5)) return std::nullopt;
  return it->second.token;
}

void TokenCache::put(const std::string& registry, const ScopeSet& scopes, std::string token,
                     std::chrono::seconds lifetime) {
  std::lock_guard lock(mutex_);
  entries_[key(registry, scopes)] = Entry{std::move(token), Clock::now() + lifetime};
}

void TokenCache::erase(const std::string& registry, const ScopeSet& scopes) {
  std::lock_guard lock(mutex_);
  entries_.erase(key(registry, scopes));
}

}  // namespace sigil::oci::detail
