#include "sbom/formats/format.hpp"

#include <openssl/evp.h>

#include <ctime>

#include "oci/digest.hpp"
#include "sbom/formats/cyclonedx.hpp"
#include "sbom/formats/spdx.hpp"

namespace sigil::sbom {

std::string Format::name() const {
  return (kind == Kind::cyclonedx_json ? "cyclonedx-json@" : "spdx-json@") + version;
}

std::string_view Format::media_type() const {
  return kind == Kind::cyclonedx_json ? "application/vnd.cyclonedx+json" : "application/spdx+json";
}

Result<Format> parse_format(std::string_view text) {
  auto at = text.find('@');
  std::string_view base = text.substr(0, at);
  std::string_view version = at == std::string_view::npos ? std::string_view() : text.substr(at + 1);
  if (base == "cyclonedx-json") {
    if (version.empty()) version = "1.6";
    if (version == "1.5" || version == "1.6" || version == "1.7") return Format{Format::Kind::cyclonedx_json, std::string(version)};
    return fail(ErrorCategory::usage, "format " + std::string(text) + ": CycloneDX versions are 1.5, 1.6 and 1.7");
  }
  if (base == "spdx-json") {
    if (version.empty()) version = "2.3";
    if (version == "2.3") return Format{Format::Kind::spdx_json, "2.3"};
    return fail(ErrorCategory::usage, "format " + std::string(text) + ": the SPDX version is 2.3");
  }
  return fail(ErrorCategory::usage, "unknown format \"" + std::string(text) + "\" (cyclonedx-json[@1.5|1.6|1.7], spdx-json)");
}

std::string rfc3339_utc(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string uuid_v5(std::string_view name) {
  // RFC 9562 §5.5: SHA-1 over namespace bytes + name, then version and variant bits.
  static constexpr unsigned char kUrlNamespace[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                                      0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, kUrlNamespace, sizeof kUrlNamespace);
  EVP_DigestUpdate(ctx, name.data(), name.size());
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string subject_digest(const Inventory& inv) {
  if (!inv.subject.digest.empty()) return inv.subject.digest;
  std::string key = "dir\n" + inv.subject.name + "\n";
  for (const auto& p : inv.packages) key += p.purl.empty() ? p.id : p.purl, key += "\n";
  return oci::Digest::of(key).str();
}

std::string document_uuid(const Inventory& inv, const Format& format, const EncodeOptions& options) {
  return uuid_v5("sigil-sbom:" + subject_digest(inv) + ":" + format.name() + ":" + options.tool_name + "-" +
                 options.tool_version);
}

Result<std::string> encode(const Inventory& inv, const Format& format, const EncodeOptions& options) {
  if (format.kind == Format::Kind::cyclonedx_json) return encode_cyclonedx(inv, format.version, options);
  return encode_spdx(inv, options);
}

}  // namespace sigil::sbom
