// UTF-8 decoding and the few Unicode classes Go's `unicode` package gives BuildKit's lexer
// (IsSpace, IsLetter, IsDigit), so words split and variable names end where BuildKit's do.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sigil::build::dockerfile::detail {

inline constexpr char32_t kEof = static_cast<char32_t>(-1);

/// Decodes the code point at `pos`; sets `width` (≥ 1). Invalid bytes decode as U+FFFD, width 1
/// (input is validated before lexing, so this only guards against misuse).
char32_t decode_utf8(std::string_view text, std::size_t pos, std::size_t& width);

/// Appends `cp` encoded as UTF-8.
void append_utf8(std::string& out, char32_t cp);

/// Whether `text` is valid UTF-8; on failure `bad_offset` is the first invalid byte.
bool valid_utf8(std::string_view text, std::size_t& bad_offset);

/// Go's unicode.IsSpace: ASCII \t \n \v \f \r space, U+0085, U+00A0 and the Z category.
bool is_space(char32_t cp);
/// Go's unicode.IsDigit for ASCII, plus the other decimal-digit blocks most likely to appear.
bool is_digit(char32_t cp);
/// Go's unicode.IsLetter: ASCII letters exactly; beyond ASCII, the letter blocks of the
/// alphabetic scripts (an approximation of category L without a full Unicode table).
bool is_letter(char32_t cp);

}  // namespace sigil::build::dockerfile::detail
