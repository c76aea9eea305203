// Go's time.ParseDuration, for HEALTHCHECK's --interval/--timeout/--start-period/--start-interval.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <string_view>

namespace sigil::build::dockerfile::detail {

/// "1h2m3.5s", "300ms", "-1.5h", "0"; units ns us µs μs ms s m h. Messages as Go's
/// (`time: invalid duration "x"`, `time: missing unit in duration "5"`, `time: unknown unit ...`).
std::expected<std::chrono::nanoseconds, std::string> parse_go_duration(std::string_view text);

}  // namespace sigil::build::dockerfile::detail
