#include "cmd/sigil/verify_trust.hpp"

#include <utility>

#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/key_files.hpp"
#include "cmd/sigil/trust_options.hpp"
#include "oci/artifact.hpp"

namespace sigil::cli {
namespace {

std::string time_text(sign::SigstoreTime t) {
  return oci::rfc3339_utc(static_cast<std::time_t>(t.time_since_epoch().count()));
}

}  // namespace

Result<VerifyTrust> verify_trust(const cxxopts::ParseResult& parsed, std::string_view command) {
  const bool key = parsed.count("key") > 0;
  const bool identity = has_identity_flags(parsed);
  if (key && identity) {
    return std::unexpected(usage_error(command, "--key and the certificate identity flags exclude each other "
                                                "(a key signature has no certificate identity to check)"));
  }
  if (!key && !identity) {
    return std::unexpected(usage_error(command, "--key FILE, or --certificate-identity[-regexp] with "
                                                "--certificate-oidc-issuer[-regexp] (keyless), is required"));
  }
  VerifyTrust out;
  if (key) {
    auto loaded = load_verification_key(parsed["key"].as<std::string>());
    if (!loaded) return std::unexpected(loaded.error());
    out.trusted.keys.push_back(std::move(*loaded));
    if (parsed.count("trusted-root") > 0) {
      auto root = load_trusted_root(parsed, false);
      if (!root) return std::unexpected(root.error());
      out.trusted.root = std::move(*root);
    }
    return out;
  }
  auto policy = identity_policy(parsed, command);
  if (!policy) return std::unexpected(policy.error());
  out.policy.identity = std::move(*policy);
  auto root = load_trusted_root(parsed, true);
  if (!root) return std::unexpected(root.error());
  if (!*root) return std::unexpected(usage_error(command, "keyless verification needs a trusted root (--trusted-root FILE)"));
  out.trusted.root = std::move(*root);
  out.keyless = true;
  return out;
}

std::string signer_text(const std::optional<sign::Facts>& facts, const std::string& key_id) {
  if (!facts) return "key " + key_id;
  std::string out = facts->certificate ? describe_signer(*facts) : "key " + facts->key_id;
  for (const auto& entry : facts->tlog_entries) out += "  logIndex " + std::to_string(entry.log_index);
  if (facts->signed_at) out += "  signed " + time_text(*facts->signed_at);
  return out;
}

void add_signer_json(nlohmann::ordered_json& out, const std::optional<sign::Facts>& facts) {
  if (!facts) return;
  if (!facts->key_id.empty()) out["keyId"] = facts->key_id;
  if (facts->certificate) {
    out["identity"] = facts->certificate->subject_alternative_name;
    out["issuer"] = facts->certificate->issuer;
    nlohmann::ordered_json extensions = nlohmann::ordered_json::object();
    for (const auto& [name, value] : facts->certificate->extensions) extensions[name] = value;
    out["extensions"] = std::move(extensions);
  }
  if (!facts->tlog_entries.empty()) {
    nlohmann::ordered_json indexes = nlohmann::ordered_json::array();
    for (const auto& entry : facts->tlog_entries) indexes.push_back(entry.log_index);
    out["logIndexes"] = std::move(indexes);
  }
  if (facts->signed_at) out["signedAt"] = time_text(*facts->signed_at);
}

std::string trust_checks_text(const VerifyTrust& trust) {
  if (trust.keyless) {
    return "  - The signing certificate chains to a trusted Fulcio CA and was valid when the signature was logged\n"
           "  - The certificate's identity and OIDC issuer match the ones given\n"
           "  - The transparency-log entry was verified offline (signed entry timestamp)\n";
  }
  return "  - The signature was verified against the specified public key\n";
}

}  // namespace sigil::cli
