#include "sign/verifier.hpp"

#include <utility>

#include "sign/detail/bundle_signature.hpp"

namespace sigil::sign {

// Interim: key bundles only, until the trusted-root verifiers (tlog, certificates, timestamps) land.
Result<Facts> verify_bundle(const Bundle& bundle, const ArtifactRef& artifact, const TrustedMaterial& trusted,
                            const VerificationPolicy& /*policy*/) {
  if (bundle.material != MaterialKind::public_key) {
    return fail(ErrorCategory::input, "verify bundle: certificate-signed (keyless) bundles are not verified yet");
  }
  if (trusted.keys.empty()) return fail(ErrorCategory::input, "verify bundle: no trusted public key given");
  std::vector<const PublicKey*> candidates;
  for (const PublicKey& key : trusted.keys) candidates.push_back(&key);
  return detail::check_bundle_signature(bundle, artifact, candidates, "no trusted key verifies the signature");
}

}  // namespace sigil::sign
