// When and how long to wait before retrying a registry request.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace sigil::oci::detail {

/// Longest wait honoured from a Retry-After header or computed by backoff.
inline constexpr std::chrono::milliseconds kMaxRetryDelay{30'000};

/// Delay before retry number `attempt` (0-based): exponential from 250 ms, doubled per attempt,
/// with up to 50% random jitter, capped at kMaxRetryDelay.
[[nodiscard]] std::chrono::milliseconds backoff_delay(int attempt);

/// Parses Retry-After given in seconds (HTTP dates are ignored: nullopt), capped at kMaxRetryDelay.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

/// The delay to wait: Retry-After when the server gave one, else the backoff for `attempt`.
[[nodiscard]] std::chrono::milliseconds retry_delay(int attempt, std::optional<std::string_view> retry_after);

}  // namespace sigil::oci::detail
