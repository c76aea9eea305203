// Layout fixtures shared by unit and e2e tests: open a layout or fail the test, and a generated
// image carrying a small referrer graph (an SBOM on the image, a signature on the SBOM).
#pragma once

#include <filesystem>
#include <memory>

#include "oci/descriptor.hpp"
#include "oci/layout_store.hpp"
#include "support/test_image.hpp"

namespace sigil::test {

/// Opens (creating when missing) the layout at `dir`; records a test failure and returns null otherwise.
[[nodiscard]] std::unique_ptr<oci::LayoutStore> open_layout(const std::filesystem::path& dir);

/// A generated image with an SPDX SBOM referring to it and a Sigstore bundle referring to the SBOM.
struct ImageWithReferrers {
  TestImage image;
  oci::Descriptor sbom;
  oci::Descriptor signature;
};

/// Writes that image (and, when `referrers`, its two referrers) into a layout at `dir`;
/// failures are recorded as test failures.
[[nodiscard]] ImageWithReferrers write_layout_image(const std::filesystem::path& dir, const TestImageOptions& options,
                                                    bool referrers = true);

}  // namespace sigil::test
