// PEM framing is parsed here rather than with OpenSSL's PEM reader so every failure is one
// clear line (OpenSSL's reader reports "no start line" for everything) and the label decides
// exactly which DER decoder runs.
#include "sign/detail/key_pem.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>

#include <array>

#include "common/base64.hpp"

namespace sigil::sign::detail {
namespace {
constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";
constexpr std::size_t kMaxPemBytes = 1024 * 1024;
}  // namespace

void clear_openssl_errors() { ERR_clear_error(); }

Result<PemBlock> parse_pem(std::string_view text) {
  if (text.size() > kMaxPemBytes) return fail(ErrorCategory::input, "PEM is larger than 1 MiB");
  // `openssl ecparam -genkey` writes an "EC PARAMETERS" block before the key: skip it.
  constexpr std::string_view kEcParams = "-----END EC PARAMETERS-----";
  if (auto start = text.find(kBegin); start != std::string_view::npos &&
                                      text.substr(start).starts_with("-----BEGIN EC PARAMETERS-----")) {
    auto end = text.find(kEcParams, start);
    if (end != std::string_view::npos) text = text.substr(end + kEcParams.size());
  }
  auto begin = text.find(kBegin);
  if (begin == std::string_view::npos) return fail(ErrorCategory::input, "not PEM: no \"-----BEGIN\" line");
  auto label_start = begin + kBegin.size();
  auto label_end = text.find(kDashes, label_start);
  auto line_end = text.find('\n', label_start);
  if (label_end == std::string_view::npos || (line_end != std::string_view::npos && label_end > line_end))
    return fail(ErrorCategory::input, "malformed PEM BEGIN line");
  std::string label(text.substr(label_start, label_end - label_start));
  std::string end_line = std::string(kEnd) + label + std::string(kDashes);
  auto body_start = label_end + kDashes.size();
  auto end = text.find(end_line, body_start);
  if (end == std::string_view::npos)
    return fail(ErrorCategory::input, "truncated PEM: no \"-----END " + label + "-----\" line");
  std::string body;
  for (char c : text.substr(body_start, end - body_start)) {
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    // Legacy "Proc-Type:" headers (OpenSSL-encrypted traditional keys) are not supported.
    if (c == ':') return fail(ErrorCategory::input, "PEM " + label + " has headers (legacy encryption is not supported)");
    body.push_back(c);
  }
  auto der = base64_decode(body);
  if (!der || der->empty()) return fail(ErrorCategory::input, "PEM " + label + " body is not valid base64");
  return PemBlock{std::move(label), std::move(*der)};
}

std::string make_pem(std::string_view label, std::string_view der) {
  std::string b64 = base64_encode(der);
  std::string out = std::string(kBegin) + std::string(label) + std::string(kDashes) + "\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  out += std::string(kEnd) + std::string(label) + std::string(kDashes) + "\n";
  return out;
}

Result<KeyAlgorithm> check_key(const EVP_PKEY* pkey) {
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_ED25519:
      return KeyAlgorithm::ed25519;
    case EVP_PKEY_RSA: {
      int bits = EVP_PKEY_get_bits(pkey);
      if (bits < 2048)
        return fail(ErrorCategory::input, "RSA key of " + std::to_string(bits) + " bits is too small (need >= 2048)");
      return KeyAlgorithm::rsa;
    }
    case EVP_PKEY_EC: {
      std::array<char, 64> group{};
      std::size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(), &len) != 1) {
        clear_openssl_errors();
        return fail(ErrorCategory::input, "EC key without a named curve is not supported");
      }
      std::string_view name(group.data(), len);
      if (name == "prime256v1" || name == "P-256") return KeyAlgorithm::ecdsa_p256;
      if (name == "secp384r1" || name == "P-384") return KeyAlgorithm::ecdsa_p384;
      return fail(ErrorCategory::input, "EC curve " + std::string(name) + " is not supported (use P-256 or P-384)");
    }
    default:
      return fail(ErrorCategory::input, std::string("unsupported key type ") +
                                            (EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "?") +
                                            " (use ECDSA P-256/P-384, Ed25519 or RSA)");
  }
}

}  // namespace sigil::sign::detail
