// The signature step of bundle verification: the bundle's signature over the artifact (message
// signatures) or over the PAE (DSSE), with candidate keys, and the DSSE subject check.
#pragma once

#include <string>
#include <vector>

#include "common/error.hpp"
#include "sign/bundle.hpp"
#include "sign/keys.hpp"
#include "sign/verifier.hpp"

namespace sigil::sign::detail {

/// Checks the bundle's content with the first candidate key that verifies it and fills the
/// content-related members of Facts (key_id, content, payload, statement). Errors are prefixed
/// "verify bundle: " as verify_bundle's are; when no candidate verifies, the denied reason is
/// `no_key_verifies` followed by the last key's reason in parentheses.
[[nodiscard]] Result<Facts> check_bundle_signature(const Bundle& bundle, const ArtifactRef& artifact,
                                                   const std::vector<const PublicKey*>& candidates,
                                                   std::string_view no_key_verifies);

/// The signature bytes that a timestamp covers: the messageSignature's signature, or the first DSSE
/// signature. Empty when the bundle has none.
[[nodiscard]] std::string signature_bytes(const Bundle& bundle);

}  // namespace sigil::sign::detail
