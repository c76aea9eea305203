// RFC 8785 JSON Canonicalization Scheme (JCS): the byte form Rekor signs (SET payloads) and hashes
// (Rekor v2 entry bodies). Keys sorted by UTF-16 code units, no whitespace, ECMAScript number form.
#pragma once

#include <string>

#include "common/error.hpp"
#include "common/json.hpp"

namespace sigil::sign::detail {

/// The canonical serialization of `value`. Numbers are IEEE doubles as RFC 8785 requires: integers
/// print exactly up to 2^53, larger ones and fractions in ECMAScript Number.prototype.toString form.
/// Input error for NaN/Infinity (not JSON) or strings that are not valid UTF-8.
[[nodiscard]] Result<std::string> canonical_json(const nlohmann::json& value);
[[nodiscard]] Result<std::string> canonical_json(const nlohmann::ordered_json& value);

/// ECMAScript Number.prototype.toString of a finite double ("1e+21", "0.000001", "1e-7", "-0" → "0").
[[nodiscard]] std::string ecmascript_number(double value);

}  // namespace sigil::sign::detail
