// CycloneDX JSON (1.5, 1.6, 1.7) in syft's shape: metadata names the tool and the subject (an
// image as a `container` component with its digest as version, a directory as a `file`),
// packages are `library` components with bom-ref = purl (unique after finalize), the distro is
// an `operating-system` component, package evidence goes into `sigil:` properties, packages a
// deb (or apk/rpm) installed are nested in that component's `components` (CycloneDX's
// "contains"), and depends-on edges form `dependencies`. Warnings are metadata properties.
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/json.hpp"
#include "sbom/formats/format.hpp"

namespace sigil::sbom {

/// The bom-ref of a package in CycloneDX documents (and the basis of SPDX ids).
[[nodiscard]] std::string cyclonedx_bom_ref(const Package& package);

/// Encodes a CycloneDX document of spec version `version` ("1.5", "1.6", "1.7").
[[nodiscard]] Result<std::string> encode_cyclonedx(const Inventory& inventory, std::string_view version,
                                                   const EncodeOptions& options);

}  // namespace sigil::sbom
