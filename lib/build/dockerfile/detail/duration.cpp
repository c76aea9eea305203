#include "build/dockerfile/detail/duration.hpp"

#include <cstdint>

#include "build/dockerfile/detail/go_quote.hpp"

namespace sigil::build::dockerfile::detail {

std::expected<std::chrono::nanoseconds, std::string> parse_go_duration(std::string_view text) {
  const std::string quoted = go_quote(text);
  const auto invalid = [&] { return std::unexpected("time: invalid duration " + quoted); };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return invalid();
  // Accumulate in long double nanoseconds; Go's limit is ±2^63-1 ns.
  long double total = 0;
  while (!s.empty()) {
    std::size_t i = 0;
    long double value = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + (s[i] - '0');
      ++i;
      digits = true;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        value += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return invalid();
    std::size_t u = i;
    while (u < s.size() && s[u] != '.' && (s[u] < '0' || s[u] > '9')) ++u;
    const std::string_view unit = s.substr(i, u - i);
    if (unit.empty()) return std::unexpected("time: missing unit in duration " + quoted);
    long double mult = 0;
    if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") mult = 1e3L;
    else if (unit == "ms") mult = 1e6L;
    else if (unit == "s") mult = 1e9L;
    else if (unit == "m") mult = 60e9L;
    else if (unit == "h") mult = 3600e9L;
    else return std::unexpected("time: unknown unit " + go_quote(unit) + " in duration " + quoted);
    total += value * mult;
    if (total > 9223372036854775807.0L) return invalid();
    s.remove_prefix(u);
  }
  const auto ns = static_cast<std::int64_t>(total + 0.5L);
  return std::chrono::nanoseconds(negative ? -ns : ns);
}

}  // namespace sigil::build::dockerfile::detail
