// Lower-case hexadecimal encoding.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sigil {

/// Lower-case hex of the bytes.
[[nodiscard]] std::string hex_encode(std::span<const unsigned char> bytes);
/// Bytes of a hex string (either case); nullopt on odd length or a non-hex character.
[[nodiscard]] std::optional<std::vector<unsigned char>> hex_decode(std::string_view text);
/// True when every character is 0-9 or a-f (lower case only, as digests require).
[[nodiscard]] bool is_lower_hex(std::string_view text);

}  // namespace sigil
