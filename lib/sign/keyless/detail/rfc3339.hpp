// RFC 3339 UTC times as Sigstore documents write them ("2021-01-12T11:53:27Z", optional fractional
// seconds, truncated). Private to keyless/ until sign::parse_sigstore_time has an implementation.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sign/trusted_root.hpp"

namespace sigil::sign::keyless::detail {

[[nodiscard]] std::optional<SigstoreTime> parse_rfc3339_utc(std::string_view text);

/// "2021-01-12T11:53:27Z".
[[nodiscard]] std::string format_rfc3339_utc(SigstoreTime time);

}  // namespace sigil::sign::keyless::detail
