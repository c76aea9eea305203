// Verifying one signature candidate of an image: a bundle referrer or a legacy simple-signing layer.
#pragma once

#include "oci/descriptor.hpp"
#include "oci/store.hpp"
#include "sign/image_verify.hpp"

namespace sigil::sign::detail {

/// Fetches and verifies the bundle referrer `referrer` of `image`. Network errors are returned;
/// every other failure is recorded in the result.
[[nodiscard]] Result<CandidateResult> verify_bundle_referrer(oci::Store& store,
                                                             const oci::Descriptor& referrer,
                                                             const oci::Digest& image,
                                                             const TrustedMaterial& trusted,
                                                             const ImageVerifyOptions& options);

/// Verifies one layer of the legacy `.sig` manifest (already read) against `image`.
[[nodiscard]] CandidateResult verify_legacy_layer(const LegacyLayer& layer, std::size_t index,
                                                  const std::string& tag, const oci::Digest& image,
                                                  const TrustedMaterial& trusted,
                                                  const ImageVerifyOptions& options);

/// Checks `annotations` (a JSON object or null) against the required ones: "" when all match, else why not.
[[nodiscard]] std::string check_annotations(const nlohmann::ordered_json& annotations,
                                            const SignatureAnnotations& required);

}  // namespace sigil::sign::detail
