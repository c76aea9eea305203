// SPDX 2.3 JSON in syft's shape: a DocumentRoot package for the subject (the image with its
// manifest digest, or the directory) that the document DESCRIBES and that CONTAINS every
// package; the distro as an OPERATING_SYSTEM package; purls as PACKAGE-MANAGER externalRefs;
// declared licenses as SPDX expressions, free text as LicenseRef- with its extracted text;
// deb → Python ownership as CONTAINS and dependencies as DEPENDS_ON.
#pragma once

#include <string>

#include "common/error.hpp"
#include "common/json.hpp"
#include "sbom/formats/format.hpp"

namespace sigil::sbom {

/// Encodes an SPDX 2.3 JSON document; internal error if check_spdx() rejects it.
[[nodiscard]] Result<std::string> encode_spdx(const Inventory& inventory, const EncodeOptions& options);

/// The checks the SPDX schema lacks: every SPDXID matches SPDXRef-[A-Za-z0-9.-]+ and is unique,
/// every relationship names existing elements, every LicenseRef- used is defined, and exactly one
/// DESCRIBES from SPDXRef-DOCUMENT. Input error naming the first problem.
[[nodiscard]] Result<void> check_spdx(const Json& document);

/// "a b/c@1" → "a-b-c-1": the characters an SPDXID (or LicenseRef) may hold.
[[nodiscard]] std::string spdx_id_part(std::string_view text);

}  // namespace sigil::sbom
