// Licenses as SBOMs want them: an SPDX license id when the declared name is one (or a known
// alias: Debian's "GPL-2+" is GPL-2.0-or-later, "Expat" is MIT), an SPDX expression when every
// operand is an id, else the declared text as it was written.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sbom/model.hpp"

namespace sigil::sbom {

/// The SPDX license id `name` denotes (case-insensitive, Debian short names mapped); nullopt otherwise.
[[nodiscard]] std::optional<std::string> spdx_license_id(std::string_view name);

/// Classifies a declared license: spdx_id, expression (operands AND/OR/WITH of known ids) or text.
[[nodiscard]] License classify_license(std::string_view declared);

}  // namespace sigil::sbom
