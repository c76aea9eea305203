// Debian control-file paragraphs (deb822: "Field: value", continuation lines starting with a
// space or tab, paragraphs separated by blank lines), as dpkg's status database and DEP-5
// copyright files use them.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::sbom::detail {

/// One paragraph: field names as written (case kept), values with continuation lines joined by '\n'.
struct Paragraph {
  std::map<std::string, std::string, std::less<>> fields;
  std::size_t line = 0;          ///< 1-based line where it starts
  std::size_t bad_lines = 0;     ///< lines that were neither a field nor a continuation

  /// The value of `name` or "" (field names compare case-insensitively, as dpkg does).
  [[nodiscard]] std::string get(std::string_view name) const;
};

/// Splits `text` into paragraphs; never fails (malformed lines are counted in bad_lines).
[[nodiscard]] std::vector<Paragraph> parse_deb822(std::string_view text);

}  // namespace sigil::sbom::detail
