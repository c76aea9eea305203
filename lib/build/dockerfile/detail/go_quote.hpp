// Go's %q / strconv.Quote rendering, used where BuildKit's messages quote user text.
#pragma once

#include <string>
#include <string_view>

namespace sigil::build::dockerfile::detail {

/// Double-quoted with \" \\ \n \t \r and \xNN for other control bytes (valid UTF-8 kept, invalid bytes as \\xNN).
std::string go_quote(std::string_view text);

}  // namespace sigil::build::dockerfile::detail
