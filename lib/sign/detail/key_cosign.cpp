// Cosign encrypts private keys with go-tuf's "encrypted" package: scrypt derives a 32-byte key
// from the password, and NaCl secretbox (XSalsa20-Poly1305) seals the PKCS#8 DER. The JSON is
// {"kdf":{"name":"scrypt","params":{"N":..,"r":8,"p":1},"salt":b64},
//  "cipher":{"name":"nacl/secretbox","nonce":b64},"ciphertext":b64}.
#include "sign/detail/key_cosign.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <string>

#include "common/base64.hpp"
#include "common/json.hpp"
#include "sign/detail/key_pem.hpp"

namespace sigil::sign::detail {
namespace {

constexpr std::size_t kKeyBytes = crypto_secretbox_KEYBYTES;  // 32
constexpr std::size_t kNonceBytes = crypto_secretbox_NONCEBYTES;  // 24
constexpr std::size_t kSaltBytes = 32;
constexpr std::uint64_t kWriteN = 65536;
// Enough for N=131072, r=8 (128 MiB of scrypt state) plus OpenSSL's bookkeeping.
constexpr std::uint64_t kScryptMaxMem = 160ULL * 1024 * 1024;

Result<void> ensure_sodium() {
  if (sodium_init() < 0) return fail(ErrorCategory::internal, "libsodium failed to initialise");
  return {};
}

// The derived key lives in a SecretBytes so it is wiped however we leave.
Result<SecretBytes> derive_key(const SecretBytes& password, std::string_view salt, std::uint64_t n, std::uint64_t r,
                               std::uint64_t p) {
  std::string key(kKeyBytes, '\0');
  auto pw = password.reveal();
  if (EVP_PBE_scrypt(pw.data(), pw.size(), reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n, r, p,
                     kScryptMaxMem, reinterpret_cast<unsigned char*>(key.data()), key.size()) != 1) {
    clear_openssl_errors();
    return fail(ErrorCategory::internal, "scrypt key derivation failed");
  }
  return SecretBytes::adopt(key);
}

// nlohmann's value() throws on a non-string member, so names are read only after a type check.
bool has_name(const Json& object, std::string_view name) {
  return object.is_object() && object.contains("name") && object["name"].is_string() &&
         object["name"].get<std::string>() == name;
}

Result<std::string> b64_member(const Json& object, const char* key, std::string_view where) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string())
    return fail(ErrorCategory::input, std::string(where) + " has no string \"" + key + "\"");
  auto decoded = base64_decode(object[key].get<std::string>());
  if (!decoded) return fail(ErrorCategory::input, std::string(where) + "." + key + " is not base64");
  return *decoded;
}

Result<std::uint64_t> uint_member(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_unsigned())
    return fail(ErrorCategory::input, std::string("kdf.params has no unsigned \"") + key + "\"");
  return object[key].get<std::uint64_t>();
}

}  // namespace

Result<SecretBytes> decrypt_cosign_envelope(std::string_view json, const SecretBytes& password) {
  if (auto ok = ensure_sodium(); !ok) return std::unexpected(ok.error());
  auto doc = parse_json(json, "encrypted key");
  if (!doc) return std::unexpected(doc.error());
  if (!doc->is_object() || !doc->contains("kdf") || !doc->contains("cipher"))
    return fail(ErrorCategory::input, "encrypted key: missing \"kdf\" or \"cipher\"");
  const Json& kdf = (*doc)["kdf"];
  const Json& cipher = (*doc)["cipher"];
  if (!has_name(kdf, "scrypt"))
    return fail(ErrorCategory::input, "encrypted key: unsupported kdf (want scrypt)");
  if (!has_name(cipher, "nacl/secretbox"))
    return fail(ErrorCategory::input, "encrypted key: unsupported cipher (want nacl/secretbox)");
  if (!kdf.contains("params")) return fail(ErrorCategory::input, "encrypted key: kdf has no params");
  const Json& params = kdf["params"];
  auto n = uint_member(params, "N");
  auto r = uint_member(params, "r");
  auto p = uint_member(params, "p");
  if (!n || !r || !p) return fail(ErrorCategory::input, "encrypted key: kdf.params needs unsigned N, r and p");
  // Only the parameter sets go-tuf writes: anything else is either weak or a memory bomb.
  if ((*n != 32768 && *n != 65536 && *n != 131072) || *r != 8 || *p != 1)
    return fail(ErrorCategory::input, "encrypted key: unsupported scrypt parameters N=" + std::to_string(*n) +
                                          " r=" + std::to_string(*r) + " p=" + std::to_string(*p) +
                                          " (want N of 32768, 65536 or 131072, r=8, p=1)");
  auto salt = b64_member(kdf, "salt", "kdf");
  if (!salt) return std::unexpected(salt.error().with_context("encrypted key"));
  auto nonce = b64_member(cipher, "nonce", "cipher");
  if (!nonce) return std::unexpected(nonce.error().with_context("encrypted key"));
  if (nonce->size() != kNonceBytes)
    return fail(ErrorCategory::input, "encrypted key: nonce must be " + std::to_string(kNonceBytes) + " bytes");
  auto ciphertext = b64_member(*doc, "ciphertext", "envelope");
  if (!ciphertext) return std::unexpected(ciphertext.error().with_context("encrypted key"));
  if (ciphertext->size() < crypto_secretbox_MACBYTES)
    return fail(ErrorCategory::input, "encrypted key: ciphertext too short");

  auto key = derive_key(password, *salt, *n, *r, *p);
  if (!key) return std::unexpected(key.error());
  std::string plain(ciphertext->size() - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 reinterpret_cast<const unsigned char*>(ciphertext->data()), ciphertext->size(),
                                 reinterpret_cast<const unsigned char*>(nonce->data()),
                                 reinterpret_cast<const unsigned char*>(key->reveal().data())) != 0)
    return fail(ErrorCategory::input, "decrypt private key: wrong password?");
  return SecretBytes::adopt(plain);
}

Result<std::string> encrypt_cosign_envelope(std::string_view plaintext, const SecretBytes& password) {
  if (auto ok = ensure_sodium(); !ok) return std::unexpected(ok.error());
  std::array<unsigned char, kSaltBytes> salt{};
  std::array<unsigned char, kNonceBytes> nonce{};
  randombytes_buf(salt.data(), salt.size());
  randombytes_buf(nonce.data(), nonce.size());
  auto key = derive_key(password, std::string_view(reinterpret_cast<const char*>(salt.data()), salt.size()), kWriteN,
                        8, 1);
  if (!key) return std::unexpected(key.error());
  std::string sealed(plaintext.size() + crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_easy(reinterpret_cast<unsigned char*>(sealed.data()),
                            reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), nonce.data(),
                            reinterpret_cast<const unsigned char*>(key->reveal().data())) != 0)
    return fail(ErrorCategory::internal, "secretbox encryption failed");
  // Written by hand to keep go's field order (kdf, cipher, ciphertext); every value is base64 or a number.
  return std::string("{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":") + std::to_string(kWriteN) +
         ",\"r\":8,\"p\":1},\"salt\":\"" + base64_encode(salt) + "\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"" +
         base64_encode(nonce) + "\"},\"ciphertext\":\"" + base64_encode(sealed) + "\"}";
}

}  // namespace sigil::sign::detail
