#include "sign/signature.hpp"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <string>

#include "common/openssl_ptr.hpp"

namespace sigil::sign {
namespace {

enum class KeyKind { ecdsa, ed25519, rsa, unsupported };

KeyKind kind_of(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: return KeyKind::ecdsa;
    case EVP_PKEY_ED25519: return KeyKind::ed25519;
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS: return KeyKind::rsa;
    default: return KeyKind::unsupported;
  }
}

// ECDSA hashes with the digest matching the curve strength, as cosign does.
Result<const EVP_MD*> ecdsa_digest(EVP_PKEY* key) {
  char group[64] = {};
  size_t length = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) != 1) {
    return fail(ErrorCategory::input, "ECDSA key without a named curve");
  }
  const std::string name(group, length);
  if (name == "prime256v1" || name == "P-256") return EVP_sha256();
  if (name == "secp384r1" || name == "P-384") return EVP_sha384();
  return fail(ErrorCategory::input, "unsupported ECDSA curve " + name + " (want P-256 or P-384)");
}

// The digest for a key, or nullptr for Ed25519 (which hashes internally).
Result<const EVP_MD*> message_digest(EVP_PKEY* key) {
  switch (kind_of(key)) {
    case KeyKind::ecdsa: return ecdsa_digest(key);
    case KeyKind::ed25519: return static_cast<const EVP_MD*>(nullptr);
    case KeyKind::rsa: return EVP_sha256();
    case KeyKind::unsupported: break;
  }
  return fail(ErrorCategory::input, "unsupported key type (want ECDSA P-256/P-384, Ed25519 or RSA)");
}

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

// Malformed signatures are an input problem, not a "no": catch them before asking OpenSSL.
Result<void> check_signature_shape(EVP_PKEY* key, std::string_view signature) {
  if (signature.empty()) return fail(ErrorCategory::input, "empty signature");
  switch (kind_of(key)) {
    case KeyKind::ecdsa: {
      const unsigned char* cursor = bytes(signature);
      ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(signature.size()));
      const bool whole = parsed != nullptr && cursor == bytes(signature) + signature.size();
      ECDSA_SIG_free(parsed);
      ERR_clear_error();
      if (!whole) return fail(ErrorCategory::input, "signature is not a DER-encoded ECDSA signature");
      break;
    }
    case KeyKind::ed25519:
      if (signature.size() != 64) {
        return fail(ErrorCategory::input, "Ed25519 signature must be 64 bytes, got " +
                                              std::to_string(signature.size()));
      }
      break;
    default: break;
  }
  return {};
}

// A failed verification leaves entries on OpenSSL's per-thread error queue; drop them so they are
// not mistaken for the cause of a later, unrelated failure.
Error mismatch() {
  ERR_clear_error();
  return Error{ErrorCategory::denied, "signature does not verify with the given key"};
}

enum class RsaPadding { none, pkcs1, pss };

// One EVP_DigestVerify attempt; true when the signature verifies.
bool digest_verify(EVP_PKEY* key, const EVP_MD* md, RsaPadding padding, std::string_view message,
                   std::string_view signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key) != 1) return false;
  if (padding == RsaPadding::pss &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1)) {
    return false;
  }
  const bool ok = EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message),
                                   message.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

bool prehashed_verify(EVP_PKEY* key, const EVP_MD* md, RsaPadding padding, std::string_view digest,
                      std::string_view signature) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) return false;
  if (padding == RsaPadding::pss) {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_AUTO) != 1) {
      return false;
    }
  } else if (padding == RsaPadding::pkcs1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return false;
  }
  if (EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1) return false;
  const bool ok = EVP_PKEY_verify(ctx.get(), bytes(signature), signature.size(), bytes(digest),
                                  digest.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace

Result<std::string> sign_message(EVP_PKEY* key, std::string_view message) {
  if (key == nullptr) return fail(ErrorCategory::input, "sign: no key");
  auto md = message_digest(key);
  if (!md) return std::unexpected(std::move(md.error()).with_context("sign"));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, *md, nullptr, key) != 1) {
    return fail(ErrorCategory::input, "sign: key cannot sign (is it a private key?)");
  }
  if (kind_of(key) == KeyKind::rsa && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    return fail(ErrorCategory::internal, "sign: cannot select RSA PKCS#1 v1.5 padding");
  }
  size_t length = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &length, bytes(message), message.size()) != 1) {
    return fail(ErrorCategory::input, "sign: key cannot sign (is it a private key?)");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     bytes(message), message.size()) != 1) {
    // OpenSSL only notices a missing private half here for some key types.
    return fail(ErrorCategory::input, "sign: signing failed (is it a private key?)");
  }
  signature.resize(length);
  return signature;
}

Result<void> verify_message(EVP_PKEY* key, std::string_view message, std::string_view signature) {
  if (key == nullptr) return fail(ErrorCategory::input, "verify: no key");
  auto md = message_digest(key);
  if (!md) return std::unexpected(std::move(md.error()).with_context("verify"));
  if (auto shape = check_signature_shape(key, signature); !shape) {
    return std::unexpected(std::move(shape.error()).with_context("verify"));
  }
  if (kind_of(key) == KeyKind::rsa) {
    if (digest_verify(key, *md, RsaPadding::pkcs1, message, signature) ||
        digest_verify(key, *md, RsaPadding::pss, message, signature)) {
      return {};
    }
    return std::unexpected(mismatch());
  }
  if (digest_verify(key, *md, RsaPadding::none, message, signature)) return {};
  return std::unexpected(mismatch());
}

Result<void> verify_digest_signature(EVP_PKEY* key, oci::DigestAlgorithm algorithm,
                                     std::string_view digest, std::string_view signature) {
  if (key == nullptr) return fail(ErrorCategory::input, "verify digest: no key");
  const KeyKind kind = kind_of(key);
  if (kind == KeyKind::ed25519) {
    return fail(ErrorCategory::input,
                "verify digest: Ed25519 signs the message itself: a digest alone cannot be verified");
  }
  if (kind == KeyKind::unsupported) {
    return fail(ErrorCategory::input, "verify digest: unsupported key type");
  }
  const EVP_MD* md = algorithm == oci::DigestAlgorithm::sha512   ? EVP_sha512()
                     : algorithm == oci::DigestAlgorithm::sha384 ? EVP_sha384()
                                                                 : EVP_sha256();
  if (digest.size() != static_cast<size_t>(EVP_MD_get_size(md))) {
    return fail(ErrorCategory::input, "verify digest: " + std::string(oci::algorithm_name(algorithm)) +
                                          " digest must be " + std::to_string(EVP_MD_get_size(md)) +
                                          " bytes, got " + std::to_string(digest.size()));
  }
  if (auto shape = check_signature_shape(key, signature); !shape) {
    return std::unexpected(std::move(shape.error()).with_context("verify digest"));
  }
  if (kind == KeyKind::rsa) {
    if (prehashed_verify(key, md, RsaPadding::pkcs1, digest, signature) ||
        prehashed_verify(key, md, RsaPadding::pss, digest, signature)) {
      return {};
    }
    return std::unexpected(mismatch());
  }
  if (prehashed_verify(key, md, RsaPadding::none, digest, signature)) return {};
  return std::unexpected(mismatch());
}

}  // namespace sigil::sign
