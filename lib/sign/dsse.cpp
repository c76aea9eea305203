#include "sign/dsse.hpp"

#include <optional>

#include "common/base64.hpp"
#include "common/limits.hpp"
#include "sign/signature.hpp"

namespace sigil::sign {
namespace {

constexpr std::string_view kWhat = "DSSE envelope";

Result<std::string> required_base64(const Json& object, const char* key, bool allow_empty) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return fail(ErrorCategory::input, std::string(kWhat) + ": missing string field \"" + key + "\"");
  }
  std::optional<std::string> decoded = base64_decode(it->get_ref<const std::string&>());
  if (!decoded) {
    return fail(ErrorCategory::input, std::string(kWhat) + ": field \"" + key + "\" is not base64");
  }
  if (!allow_empty && decoded->empty()) {
    return fail(ErrorCategory::input, std::string(kWhat) + ": field \"" + key + "\" is empty");
  }
  return std::move(*decoded);
}

}  // namespace

std::string pae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 ";
  out += std::to_string(payload_type.size());
  out += ' ';
  out += payload_type;
  out += ' ';
  out += std::to_string(payload.size());
  out += ' ';
  out += payload;
  return out;
}

Result<Envelope> envelope_from_json(const Json& value) {
  if (!value.is_object()) return fail(ErrorCategory::input, std::string(kWhat) + ": not a JSON object");
  Envelope envelope;
  auto type = value.find("payloadType");
  if (type == value.end() || !type->is_string() || type->get_ref<const std::string&>().empty()) {
    return fail(ErrorCategory::input, std::string(kWhat) + ": missing string field \"payloadType\"");
  }
  envelope.payload_type = type->get<std::string>();
  auto payload = required_base64(value, "payload", true);
  if (!payload) return std::unexpected(std::move(payload.error()));
  envelope.payload = std::move(*payload);

  auto signatures = value.find("signatures");
  if (signatures == value.end() || !signatures->is_array()) {
    return fail(ErrorCategory::input, std::string(kWhat) + ": missing array field \"signatures\"");
  }
  if (signatures->size() > limits::kMaxDsseSignatures) {
    return fail(ErrorCategory::input, std::string(kWhat) + ": more than " +
                                          std::to_string(limits::kMaxDsseSignatures) + " signatures");
  }
  for (const Json& entry : *signatures) {
    if (!entry.is_object()) {
      return fail(ErrorCategory::input, std::string(kWhat) + ": signature is not a JSON object");
    }
    auto sig = required_base64(entry, "sig", false);
    if (!sig) return std::unexpected(std::move(sig.error()));
    auto keyid = json_string_member(entry, "keyid", kWhat);
    if (!keyid) return std::unexpected(std::move(keyid.error()));
    const bool had_keyid = entry.contains("keyid");
    envelope.signatures.push_back(DsseSignature{std::move(*keyid), std::move(*sig), had_keyid});
  }
  return envelope;
}

Result<Envelope> parse_envelope(std::string_view json) {
  if (json.size() > limits::kMaxDsseEnvelopeBytes) {
    return fail(ErrorCategory::input, std::string(kWhat) + ": larger than " +
                                          std::to_string(limits::kMaxDsseEnvelopeBytes) + " bytes");
  }
  auto value = parse_json(json, kWhat);
  if (!value) return std::unexpected(std::move(value.error()));
  return envelope_from_json(*value);
}

nlohmann::ordered_json envelope_to_json(const Envelope& envelope) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["payload"] = base64_encode(envelope.payload);
  out["payloadType"] = envelope.payload_type;
  nlohmann::ordered_json signatures = nlohmann::ordered_json::array();
  for (const DsseSignature& signature : envelope.signatures) {
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    entry["sig"] = base64_encode(signature.sig);
    // protobuf JSON leaves out empty strings, and sigstore bundles are protobuf JSON.
    if (!signature.keyid.empty() || signature.write_empty_keyid) entry["keyid"] = signature.keyid;
    signatures.push_back(std::move(entry));
  }
  out["signatures"] = std::move(signatures);
  return out;
}

std::string serialize_envelope(const Envelope& envelope) {
  return envelope_to_json(envelope).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string serialize_envelope_for_oci_layer(const Envelope& envelope) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["payloadType"] = envelope.payload_type;
  out["payload"] = base64_encode(envelope.payload);
  nlohmann::ordered_json signatures = nlohmann::ordered_json::array();
  for (const DsseSignature& signature : envelope.signatures) {
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    entry["keyid"] = signature.keyid;  // a Go struct field without omitempty: always present
    entry["sig"] = base64_encode(signature.sig);
    signatures.push_back(std::move(entry));
  }
  out["signatures"] = std::move(signatures);
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Envelope> sign_envelope(EVP_PKEY* key, std::string_view payload_type, std::string_view payload,
                               std::string_view keyid) {
  auto signature = sign_message(key, pae(payload_type, payload));
  if (!signature) return std::unexpected(std::move(signature.error()).with_context("sign DSSE envelope"));
  Envelope envelope{std::string(payload_type), std::string(payload), {}};
  envelope.signatures.push_back(DsseSignature{std::string(keyid), std::move(*signature), false});
  return envelope;
}

Result<void> verify_envelope(EVP_PKEY* key, const Envelope& envelope) {
  if (envelope.signatures.empty()) {
    return fail(ErrorCategory::input, std::string(kWhat) + ": no signatures");
  }
  const std::string message = pae(envelope.payload_type, envelope.payload);
  // Any one verifying signature is enough; report the last reason when none does.
  Error last{ErrorCategory::denied, "signature does not verify with the given key"};
  for (const DsseSignature& signature : envelope.signatures) {
    auto verified = verify_message(key, message, signature.sig);
    if (verified) return {};
    last = std::move(verified.error());
  }
  if (envelope.signatures.size() > 1) {
    last.message = "none of " + std::to_string(envelope.signatures.size()) +
                   " signatures verifies with the given key";
    last.category = ErrorCategory::denied;
  }
  return std::unexpected(std::move(last).with_context(kWhat));
}

}  // namespace sigil::sign
