// Time text as Sigstore writes it (protobuf JSON Timestamps, RFC 3339) in both directions.
#pragma once

#include <string>

#include "sign/trusted_root.hpp"

namespace sigil::sign::detail {

/// "2024-03-19T17:26:26Z": RFC 3339 UTC, seconds resolution (for messages and facts).
[[nodiscard]] std::string format_sigstore_time(SigstoreTime time);

/// The UTC time of a calendar date and time of day; nullopt when the date or time does not exist.
[[nodiscard]] std::optional<SigstoreTime> civil_time(int year, int month, int day, int hour, int minute,
                                                     int second);

}  // namespace sigil::sign::detail
