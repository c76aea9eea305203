#include "sign/signer.hpp"

#include <openssl/evp.h>

#include <utility>

#include "common/base64.hpp"
#include "common/hex.hpp"
#include "sign/dsse.hpp"
#include "sign/signature.hpp"

namespace sigil::sign {
namespace {

// The hash sign_message applies for each key type; kept beside it so the recorded messageDigest
// is always the one the signature covers.
oci::DigestAlgorithm signing_hash(KeyAlgorithm algorithm) {
  return algorithm == KeyAlgorithm::ecdsa_p384 ? oci::DigestAlgorithm::sha384 : oci::DigestAlgorithm::sha256;
}

std::string_view protobuf_hash_name(oci::DigestAlgorithm algorithm) {
  switch (algorithm) {
    case oci::DigestAlgorithm::sha384: return "SHA2_384";
    case oci::DigestAlgorithm::sha512: return "SHA2_512";
    case oci::DigestAlgorithm::sha256: break;
  }
  return "SHA2_256";
}

// verificationMaterial from what the signer reported: a key hint, or the certificate(s) of a
// keyless signer (v0.3 bundles carry the leaf alone, as sigstore-go writes them).
void set_material(Bundle& bundle, const SignedBytes& signed_bytes) {
  bundle.material = signed_bytes.material;
  switch (signed_bytes.material) {
    case MaterialKind::public_key: bundle.public_key_hint = signed_bytes.public_key_hint; break;
    case MaterialKind::certificate:
      if (!signed_bytes.certificate_chain.empty()) bundle.certificate = signed_bytes.certificate_chain.front();
      break;
    case MaterialKind::certificate_chain: bundle.certificate_chain = signed_bytes.certificate_chain; break;
  }
}

Bundle new_bundle() {
  Bundle bundle;
  bundle.media_type = std::string(kBundleMediaTypeV03);
  bundle.version = BundleVersion::v0_3;
  return bundle;
}

}  // namespace

KeySigner::KeySigner(PrivateKey key) : key_(std::move(key)) {}

Result<SignedBytes> KeySigner::sign(std::string_view message) {
  auto signature = sign_message(key_.get(), message);
  if (!signature) return std::unexpected(std::move(signature.error()));
  SignedBytes out;
  out.signature = std::move(*signature);
  out.material = MaterialKind::public_key;
  out.public_key_hint = public_key_hint(key_.public_key());
  out.digest_algorithm = signing_hash(key_.algorithm());
  return out;
}

std::string public_key_hint(const PublicKey& key) {
  const std::string der = key.to_der();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(der.data(), der.size(), md, &length, EVP_sha256(), nullptr);
  return base64_encode(std::span<const unsigned char>(md, length));
}

Result<Bundle> sign_dsse_bundle(Signer& signer, std::string_view payload_type, std::string_view payload) {
  auto signed_bytes = signer.sign(pae(payload_type, payload));
  if (!signed_bytes) return std::unexpected(std::move(signed_bytes.error()).with_context("sign DSSE envelope"));
  Bundle bundle = new_bundle();
  set_material(bundle, *signed_bytes);
  Envelope envelope;
  envelope.payload_type = std::string(payload_type);
  envelope.payload = std::string(payload);
  envelope.signatures.push_back(DsseSignature{.keyid = "", .sig = std::move(signed_bytes->signature)});
  bundle.content = std::move(envelope);
  return bundle;
}

Result<Bundle> sign_message_bundle(Signer& signer, std::string_view artifact) {
  auto signed_bytes = signer.sign(artifact);
  if (!signed_bytes) return std::unexpected(std::move(signed_bytes.error()).with_context("sign blob"));
  Bundle bundle = new_bundle();
  set_material(bundle, *signed_bytes);
  const oci::Digest digest = oci::Digest::of(artifact, signed_bytes->digest_algorithm);
  auto raw = hex_decode(digest.hex());
  MessageSignature message;
  message.digest_algorithm = std::string(protobuf_hash_name(signed_bytes->digest_algorithm));
  message.digest.assign(raw->begin(), raw->end());
  message.signature = std::move(signed_bytes->signature);
  bundle.content = std::move(message);
  return bundle;
}

}  // namespace sigil::sign
