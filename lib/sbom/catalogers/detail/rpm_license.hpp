// rpm License tags: current Fedora/RHEL packages write SPDX expressions; older ones (RHEL ≤ 9,
// CentOS, Amazon Linux 2) write Fedora's legacy short names ("GPLv2+ and ASL 2.0"). This maps the
// unambiguous legacy names to SPDX ids, so either form becomes an SPDX id or expression; any name
// that cannot be mapped (such as "BSD" or "Public Domain") keeps the whole tag as declared text.
#pragma once

#include <string_view>

#include "sbom/model.hpp"

namespace sigil::sbom::detail {

/// The license an rpm License tag declares: SPDX id or expression when every operand maps, else text.
[[nodiscard]] License rpm_license(std::string_view declared);

}  // namespace sigil::sbom::detail
