#include "oci/detail/registry_retry.hpp"

#include <algorithm>
#include <charconv>
#include <random>

namespace sigil::oci::detail {

std::chrono::milliseconds backoff_delay(int attempt) {
  attempt = std::clamp(attempt, 0, 16);
  long long base = 250LL << attempt;
  base = std::min<long long>(base, kMaxRetryDelay.count());
  // Jitter spreads clients that failed together (a registry restart) so they do not return together.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<long long> jitter(0, base / 2);
  return std::min(std::chrono::milliseconds(base + jitter(rng)), kMaxRetryDelay);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  long long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size() || seconds < 0) return std::nullopt;
  if (seconds > kMaxRetryDelay.count() / 1000) return kMaxRetryDelay;
  return std::chrono::milliseconds(seconds * 1000);
}

std::chrono::milliseconds retry_delay(int attempt, std::optional<std::string_view> retry_after) {
  if (retry_after) {
    if (auto d = parse_retry_after(*retry_after)) return *d;
  }
  return backoff_delay(attempt);
}

}  // namespace sigil::oci::detail
