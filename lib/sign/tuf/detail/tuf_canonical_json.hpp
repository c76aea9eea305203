// OLPC canonical JSON, the encoding TUF signs (securesystemslib / tuf-js `canonicalize`).
// NOT RFC 8785: keys sorted by their bytes, no whitespace, strings escape only '\\' and '"'
// (every other byte, control characters and UTF-8 included, is written as is), integers only.
#pragma once

#include <string>

#include "common/error.hpp"
#include "common/json.hpp"

namespace sigil::sign::tuf::detail {

/// The canonical bytes of `value`. Input error for a floating-point number (OLPC canonical JSON
/// has none, and TUF metadata never carries one), naming the member path.
[[nodiscard]] Result<std::string> canonical_json(const Json& value);

}  // namespace sigil::sign::tuf::detail
