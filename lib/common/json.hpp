// JSON parsing that never throws across the library boundary and refuses hostile nesting.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace sigil {

using Json = nlohmann::json;

/// Parses `text` as one JSON document. `what` names the input in the error
/// ("manifest sha256:...: invalid JSON at byte 12: ..."). Depth is limited to limits::kMaxJsonDepth.
[[nodiscard]] Result<Json> parse_json(std::string_view text, std::string_view what);

/// Serializes without spaces, as registries and cosign write JSON; never throws (invalid UTF-8 is replaced).
[[nodiscard]] std::string dump_json(const Json& value);

/// Pretty-prints with two-space indentation for humans.
[[nodiscard]] std::string dump_json_pretty(const Json& value);

/// Reads an optional string member: "" when absent; an error when present but not a string.
[[nodiscard]] Result<std::string> json_string_member(const Json& object, std::string_view key,
                                                     std::string_view what);

}  // namespace sigil
