// trusted_root.json is protobuf JSON (sigstore protobuf-specs TrustedRoot). The parser follows
// sigstore-go's rules: every log needs SHA2_256, a key id, a key that loads and a validity start;
// every authority needs a non-empty chain of certificates that parse. Everything is checked here,
// once, so verifiers can rely on a TrustedRoot without re-validating it. Unknown members are
// ignored (protobuf JSON evolves by adding fields, e.g. Rekor v2's checkpointKeyId and operator).
#include "sign/trusted_root.hpp"

#include <openssl/x509.h>

#include "common/base64.hpp"
#include "common/json.hpp"
#include "common/limits.hpp"
#include "sign/detail/key_pem.hpp"
#include "sign/detail/trusted_root_keys.hpp"

namespace sigil::sign {
namespace {

constexpr std::string_view kMediaType01 = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
constexpr std::string_view kMediaType02 = "application/vnd.dev.sigstore.trustedroot.v0.2+json";

std::unexpected<Error> bad(const std::string& where, const std::string& problem) {
  return fail(ErrorCategory::input, where + ": " + problem);
}

// An optional member that must be an object when present; nullptr when absent or null.
Result<const Json*> object_member(const Json& parent, std::string_view key, const std::string& where) {
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return nullptr;
  if (!it->is_object()) return bad(where, std::string(key) + " is not an object");
  return &*it;
}

// An optional member that must be an array when present (protobuf JSON omits empty lists).
Result<const Json*> array_member(const Json& parent, std::string_view key, const std::string& where) {
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return nullptr;
  if (!it->is_array()) return bad(where, std::string(key) + " is not an array");
  return &*it;
}

// A required base64 member ("rawBytes", "keyId"), decoded.
Result<std::string> bytes_member(const Json& parent, std::string_view key, const std::string& where) {
  auto text = json_string_member(parent, key, where);
  if (!text) return std::unexpected(text.error());
  if (text->empty()) return bad(where, std::string(key) + " missing");
  auto bytes = base64_decode(*text);
  if (!bytes) return bad(where, std::string(key) + " is not valid base64");
  return std::move(*bytes);
}

Result<std::optional<SigstoreTime>> time_member(const Json& parent, std::string_view key, const std::string& where) {
  auto text = json_string_member(parent, key, where);
  if (!text) return std::unexpected(text.error());
  if (text->empty()) return std::optional<SigstoreTime>();
  auto time = parse_sigstore_time(*text);
  if (!time) return bad(where, std::string(key) + ": " + time.error().message);
  return std::optional<SigstoreTime>(*time);
}

Result<ValidityWindow> validity(const Json& parent, const std::string& where) {
  ValidityWindow window;
  auto valid_for = object_member(parent, "validFor", where);
  if (!valid_for) return std::unexpected(valid_for.error());
  if (*valid_for == nullptr) return window;
  auto start = time_member(**valid_for, "start", where + ": validFor");
  if (!start) return std::unexpected(start.error());
  auto end = time_member(**valid_for, "end", where + ": validFor");
  if (!end) return std::unexpected(end.error());
  window.start = *start;
  window.end = *end;
  if (window.start && window.end && *window.end < *window.start) return bad(where, "validFor ends before it starts");
  return window;
}

Result<TransparencyLog> parse_log(const Json& item, const std::string& where_index) {
  if (!item.is_object()) return bad(where_index, "not an object");
  TransparencyLog log;
  auto base_url = json_string_member(item, "baseUrl", where_index);
  if (!base_url) return std::unexpected(base_url.error());
  log.base_url = std::move(*base_url);
  // Every message about this log names it, so a user can tell which entry of the root is broken.
  const std::string where = log.base_url.empty() ? where_index : where_index + " (" + log.base_url + ")";
  auto hash = json_string_member(item, "hashAlgorithm", where);
  if (!hash) return std::unexpected(hash.error());
  if (*hash != "SHA2_256") {
    return bad(where, hash->empty() ? "hashAlgorithm missing" : "unsupported hashAlgorithm " + *hash);
  }
  log.hash_algorithm = std::move(*hash);

  auto log_id = object_member(item, "logId", where);
  if (!log_id) return std::unexpected(log_id.error());
  if (*log_id == nullptr) return bad(where, "logId missing");
  auto key_id = bytes_member(**log_id, "keyId", where + ": logId");
  if (!key_id) return std::unexpected(key_id.error());
  log.log_id = std::move(*key_id);

  auto public_key = object_member(item, "publicKey", where);
  if (!public_key) return std::unexpected(public_key.error());
  if (*public_key == nullptr) return bad(where, "publicKey missing");
  const Json& pk = **public_key;
  auto details = json_string_member(pk, "keyDetails", where + ": publicKey");
  if (!details) return std::unexpected(details.error());
  log.key_details = std::move(*details);
  auto raw = bytes_member(pk, "rawBytes", where + ": publicKey");
  if (!raw) return std::unexpected(raw.error());
  log.public_key_der = std::move(*raw);
  auto key = detail::public_key_for_details(log.public_key_der, log.key_details);
  if (!key) return bad(where, "public key does not load: " + key.error().message);
  // A PKCS#1 key (the staging CT log) is kept as SPKI too, so public_key_der is always an SPKI.
  if (log.key_details == "PKCS1_RSA_PKCS1V5") log.public_key_der = key->to_der();
  log.public_key = std::make_shared<const PublicKey>(std::move(*key));

  // sigstore-go refuses a log without a validity start: a key must say since when it is trusted.
  if (pk.find("validFor") == pk.end() || pk["validFor"].is_null()) return bad(where, "publicKey.validFor missing");
  auto window = validity(pk, where + ": publicKey");
  if (!window) return std::unexpected(window.error());
  if (!window->start) return bad(where, "publicKey.validFor.start missing");
  log.valid_for = *window;
  return log;
}

Result<CertificateAuthority> parse_authority(const Json& item, const std::string& where_index) {
  if (!item.is_object()) return bad(where_index, "not an object");
  CertificateAuthority ca;
  auto uri = json_string_member(item, "uri", where_index);
  if (!uri) return std::unexpected(uri.error());
  ca.uri = std::move(*uri);
  const std::string where = ca.uri.empty() ? where_index : where_index + " (" + ca.uri + ")";
  auto subject = object_member(item, "subject", where);
  if (!subject) return std::unexpected(subject.error());
  if (*subject != nullptr) {
    auto org = json_string_member(**subject, "organization", where + ": subject");
    if (!org) return std::unexpected(org.error());
    auto cn = json_string_member(**subject, "commonName", where + ": subject");
    if (!cn) return std::unexpected(cn.error());
    ca.subject_organization = std::move(*org);
    ca.subject_common_name = std::move(*cn);
  }
  auto chain = object_member(item, "certChain", where);
  if (!chain) return std::unexpected(chain.error());
  if (*chain == nullptr) return bad(where, "certChain missing");
  auto certs = array_member(**chain, "certificates", where + ": certChain");
  if (!certs) return std::unexpected(certs.error());
  if (*certs == nullptr || (*certs)->empty()) return bad(where, "certChain.certificates is empty");
  for (std::size_t i = 0; i < (*certs)->size(); ++i) {
    const std::string cert_where = where + ": certChain.certificates[" + std::to_string(i) + "]";
    const Json& cert = (**certs)[i];
    if (!cert.is_object()) return bad(cert_where, "not an object");
    auto der = bytes_member(cert, "rawBytes", cert_where);
    if (!der) return std::unexpected(der.error());
    const auto* p = reinterpret_cast<const unsigned char*>(der->data());
    const auto* end = p + der->size();
    X509Ptr parsed(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
    if (!parsed || p != end) {
      detail::clear_openssl_errors();
      return bad(cert_where, "not a DER X.509 certificate");
    }
    ca.chain_der.push_back(std::move(*der));
  }
  auto window = validity(item, where);
  if (!window) return std::unexpected(window.error());
  ca.valid_for = *window;
  return ca;
}

template <class T, class Parse>
Result<std::vector<T>> parse_list(const Json& root, std::string_view key, Parse parse) {
  std::vector<T> out;
  auto items = array_member(root, key, "trusted root");
  if (!items) return std::unexpected(items.error());
  if (*items == nullptr) return out;
  for (std::size_t i = 0; i < (*items)->size(); ++i) {
    auto item = parse((**items)[i], "trusted root: " + std::string(key) + "[" + std::to_string(i) + "]");
    if (!item) return std::unexpected(item.error());
    out.push_back(std::move(*item));
  }
  return out;
}

const TransparencyLog* find_log(const std::vector<TransparencyLog>& logs, std::string_view log_id) {
  for (const auto& log : logs) {
    if (log.log_id == log_id) return &log;
  }
  return nullptr;
}

}  // namespace

const TransparencyLog* TrustedRoot::find_tlog(std::string_view log_id) const { return find_log(tlogs, log_id); }

const TransparencyLog* TrustedRoot::find_ctlog(std::string_view log_id) const { return find_log(ctlogs, log_id); }

Result<TrustedRoot> parse_trusted_root(std::string_view json) {
  if (json.size() > limits::kMaxBundleBytes) {
    return fail(ErrorCategory::input, "trusted root: larger than " + std::to_string(limits::kMaxBundleBytes) + " bytes");
  }
  auto doc = parse_json(json, "trusted root");
  if (!doc) return std::unexpected(doc.error());
  if (!doc->is_object()) return fail(ErrorCategory::input, "trusted root: not a JSON object");
  TrustedRoot root;
  auto media_type = json_string_member(*doc, "mediaType", "trusted root");
  if (!media_type) return std::unexpected(media_type.error());
  if (media_type->empty()) return fail(ErrorCategory::input, "trusted root: mediaType missing");
  if (*media_type != kMediaType01 && *media_type != kMediaType02) {
    return fail(ErrorCategory::input, "trusted root: unsupported mediaType \"" + *media_type + "\"");
  }
  root.media_type = std::move(*media_type);

  auto tlogs = parse_list<TransparencyLog>(*doc, "tlogs", parse_log);
  if (!tlogs) return std::unexpected(tlogs.error());
  root.tlogs = std::move(*tlogs);
  auto cas = parse_list<CertificateAuthority>(*doc, "certificateAuthorities", parse_authority);
  if (!cas) return std::unexpected(cas.error());
  root.certificate_authorities = std::move(*cas);
  auto ctlogs = parse_list<TransparencyLog>(*doc, "ctlogs", parse_log);
  if (!ctlogs) return std::unexpected(ctlogs.error());
  root.ctlogs = std::move(*ctlogs);
  auto tsas = parse_list<CertificateAuthority>(*doc, "timestampAuthorities", parse_authority);
  if (!tsas) return std::unexpected(tsas.error());
  root.timestamp_authorities = std::move(*tsas);
  return root;
}

}  // namespace sigil::sign
