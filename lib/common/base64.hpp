// Base64 (RFC 4648) in the standard and URL-safe alphabets.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sigil {

/// Standard alphabet with padding.
[[nodiscard]] std::string base64_encode(std::span<const unsigned char> bytes);
[[nodiscard]] std::string base64_encode(std::string_view bytes);
/// URL-safe alphabet without padding (JWT segments).
[[nodiscard]] std::string base64url_encode(std::string_view bytes);
/// Decodes standard or URL-safe base64, padded or not; nullopt on any other character.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

}  // namespace sigil
