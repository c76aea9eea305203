// Signer: the one interface every way of signing implements. A key signer is here; the keyless
// signer (ephemeral key + Fulcio certificate) slots in beside it. Bundle builders take a Signer and
// never know which kind they were given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "sign/bundle.hpp"
#include "oci/digest.hpp"
#include "sign/keys.hpp"

namespace sigil::sign {

/// What one signing produced: the raw signature and what identifies the signer to a verifier.
struct SignedBytes {
  std::string signature;                       ///< raw signature bytes (DER for ECDSA)
  MaterialKind material = MaterialKind::public_key;
  std::string public_key_hint;                 ///< MaterialKind::public_key: the key's hint
  std::vector<std::string> certificate_chain;  ///< DER, leaf first (keyless)
  /// The hash the signature scheme applied to the message (SHA-384 for ECDSA P-384, SHA-256 for
  /// P-256 and RSA; Ed25519 signs the message itself and reports SHA-256). A messageSignature bundle
  /// records the artifact digest with this algorithm, so a digest alone can verify it.
  oci::DigestAlgorithm digest_algorithm = oci::DigestAlgorithm::sha256;
};

/// Signs message bytes (for DSSE: the PAE; for blobs: the blob).
class Signer {
 public:
  virtual ~Signer() = default;
  [[nodiscard]] virtual Result<SignedBytes> sign(std::string_view message) = 0;
};

/// Signs with a private key held in memory (see sign_message for the algorithms). The hint written
/// into bundles is public_key_hint() of its public key.
class KeySigner final : public Signer {
 public:
  explicit KeySigner(PrivateKey key);
  Result<SignedBytes> sign(std::string_view message) override;
  [[nodiscard]] const PrivateKey& key() const { return key_; }

 private:
  PrivateKey key_;
};

/// The verificationMaterial.publicKey.hint sigil writes for a key, as cosign v3 / sigstore-go write
/// it: standard base64 of the SHA-256 of the DER SubjectPublicKeyInfo (44 characters).
[[nodiscard]] std::string public_key_hint(const PublicKey& key);

/// A bundle v0.3 (kBundleMediaTypeV03) whose content is a DSSE envelope over (payload_type, payload),
/// signed by `signer` over the PAE, with one signature and no keyid (as cosign v3 writes it). No
/// transparency-log entries.
[[nodiscard]] Result<Bundle> sign_dsse_bundle(Signer& signer, std::string_view payload_type, std::string_view payload);

/// A bundle v0.3 whose content is a messageSignature over `artifact`, recording the artifact digest
/// with the signer's hash (SHA2_256, or SHA2_384 for ECDSA P-384). No transparency-log entries.
[[nodiscard]] Result<Bundle> sign_message_bundle(Signer& signer, std::string_view artifact);

}  // namespace sigil::sign
