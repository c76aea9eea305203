// parse_sigstore_time reads what protobuf's JSON mapping writes for google.protobuf.Timestamp:
// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)". Sigstore's roots always say "Z", but protojson
// (sigstore-go) also accepts offsets, so sigil does too. Fractions are dropped: every Sigstore
// time compares at second resolution, and truncation keeps an inclusive `end` inclusive.
#include <cstdio>

#include "sign/detail/trusted_root_time.hpp"

namespace sigil::sign {
namespace {

// Reads exactly `width` decimal digits at `pos`; -1 when any is not a digit.
int digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

namespace detail {

std::optional<SigstoreTime> civil_time(int year, int month, int day, int hour, int minute, int second) {
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return std::nullopt;
  }
  return SigstoreTime{sys_days(date).time_since_epoch() + hours(hour) + minutes(minute) + seconds(second)};
}

std::string format_sigstore_time(SigstoreTime time) {
  using namespace std::chrono;
  const sys_days day = floor<days>(time);
  const year_month_day date(day);
  const hh_mm_ss<seconds> clock(time - day);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

}  // namespace detail

Result<SigstoreTime> parse_sigstore_time(std::string_view text) {
  auto bad = [&] {
    return fail(ErrorCategory::input, "invalid time \"" + std::string(text.substr(0, 64)) +
                                          "\" (want RFC 3339 UTC such as 2021-01-12T11:53:27Z)");
  };
  // Fixed part: YYYY-MM-DDTHH:MM:SS (19 characters).
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return bad();
  }
  const int year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  const int hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (year < 1 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return bad();
  std::size_t pos = 19;
  if (text[pos] == '.') {
    const std::size_t first = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == first || pos - first > 9) return bad();
  }
  std::chrono::seconds offset{0};
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int oh = digits(text, pos + 1, 2), om = digits(text, pos + 4, 2);
    if (oh < 0 || om < 0 || text[pos + 3] != ':' || oh > 23 || om > 59) return bad();
    offset = std::chrono::hours(oh) + std::chrono::minutes(om);
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  auto local = detail::civil_time(year, month, day, hour, minute, second);
  if (!local) return bad();
  // "T+01:00" is one hour ahead of UTC, so UTC = local - offset.
  return *local - offset;
}

}  // namespace sigil::sign
