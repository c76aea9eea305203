// License names from Debian copyright files. Only machine-readable files (DEP-5: the first
// non-blank line is "Format: http(s)://www.debian.org/doc/packaging-manuals/copyright-format/...")
// are read, as syft does: free-form files yield nothing rather than guesses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sigil::sbom::detail {

/// Sorted, unique license short names: every "License: NAME" (first word) and every
/// /usr/share/common-licenses/NAME reference, without multi-license summaries ("A or B"),
/// "none", or a trailing period.
[[nodiscard]] std::vector<std::string> debian_copyright_licenses(std::string_view text);

}  // namespace sigil::sbom::detail
