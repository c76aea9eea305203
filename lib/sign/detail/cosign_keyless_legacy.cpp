#include "sign/detail/cosign_keyless_legacy.hpp"

#include <cstdint>
#include <span>
#include <utility>

#include "common/base64.hpp"
#include "common/hex.hpp"
#include "common/json.hpp"
#include "oci/digest.hpp"
#include "sign/cosign_image.hpp"
#include "sign/detail/key_pem.hpp"

namespace sigil::sign::detail {
namespace {

using Ordered = nlohmann::ordered_json;

Error bad(std::string_view annotation, std::string_view problem) {
  return Error{ErrorCategory::input, "annotation " + std::string(annotation) + ": " + std::string(problem)};
}

const std::string* find(const oci::Annotations& annotations, std::string_view key) {
  auto it = annotations.find(std::string(key));
  return it == annotations.end() ? nullptr : &it->second;
}

const Json* member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  if (auto it = object.find(key); it != object.end()) return &*it;
  return nullptr;
}

std::string string_member(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

// An integer member of cosign's RekorBundle payload (Go int64, written as a JSON number).
Result<std::int64_t> integer_member(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  if (value == nullptr || !value->is_number_integer()) {
    return std::unexpected(bad(kCosignRekorBundleAnnotation, "Payload." + std::string(key) + " is not an integer"));
  }
  return value->get<std::int64_t>();
}

// cosign's bundle.RekorBundle {"SignedEntryTimestamp": base64, "Payload": {"body": base64,
// "integratedTime": n, "logIndex": n, "logID": hex}} as a protobuf-JSON TransparencyLogEntry: the
// same facts the SET signs, so the tlog verifier checks the SET over exactly what cosign's did.
Result<Ordered> tlog_entry(std::string_view rekor_bundle) {
  auto json = parse_json(rekor_bundle, "annotation " + std::string(kCosignRekorBundleAnnotation));
  if (!json) return std::unexpected(json.error());
  if (!json->is_object()) return std::unexpected(bad(kCosignRekorBundleAnnotation, "is not a JSON object"));
  const std::string set = string_member(*json, "SignedEntryTimestamp");
  if (set.empty()) return std::unexpected(bad(kCosignRekorBundleAnnotation, "has no SignedEntryTimestamp"));
  if (!base64_decode(set)) {
    return std::unexpected(bad(kCosignRekorBundleAnnotation, "SignedEntryTimestamp is not base64"));
  }
  const Json* payload = member(*json, "Payload");
  if (payload == nullptr || !payload->is_object()) {
    return std::unexpected(bad(kCosignRekorBundleAnnotation, "has no Payload object"));
  }
  const std::string body_b64 = string_member(*payload, "body");
  auto body = base64_decode(body_b64);
  if (body_b64.empty() || !body || body->empty()) {
    return std::unexpected(bad(kCosignRekorBundleAnnotation, "Payload.body is not base64"));
  }
  auto body_json = parse_json(*body, "annotation " + std::string(kCosignRekorBundleAnnotation) + " Payload.body");
  if (!body_json) return std::unexpected(body_json.error());
  const std::string kind = string_member(*body_json, "kind");
  const std::string api_version = string_member(*body_json, "apiVersion");
  if (kind.empty() || api_version.empty()) {
    return std::unexpected(bad(kCosignRekorBundleAnnotation, "Payload.body has no kind and apiVersion"));
  }
  auto integrated_time = integer_member(*payload, "integratedTime");
  if (!integrated_time) return std::unexpected(integrated_time.error());
  auto log_index = integer_member(*payload, "logIndex");
  if (!log_index) return std::unexpected(log_index.error());
  auto log_id = hex_decode(string_member(*payload, "logID"));
  if (!log_id || log_id->empty()) return std::unexpected(bad(kCosignRekorBundleAnnotation, "Payload.logID is not hex"));

  Ordered entry = Ordered::object();
  entry["logIndex"] = std::to_string(*log_index);
  entry["logId"] = Ordered{{"keyId", base64_encode(std::span<const unsigned char>(*log_id))}};
  entry["kindVersion"] = Ordered{{"kind", kind}, {"version", api_version}};
  entry["integratedTime"] = std::to_string(*integrated_time);
  entry["inclusionPromise"] = Ordered{{"signedEntryTimestamp", set}};
  entry["canonicalizedBody"] = body_b64;
  return entry;
}

// cosign's bundle.RFC3161Timestamp {"SignedRFC3161Timestamp": base64 DER} as verification data.
Result<Ordered> timestamp_data(std::string_view annotation) {
  auto json = parse_json(annotation, "annotation " + std::string(kCosignTimestampAnnotation));
  if (!json) return std::unexpected(json.error());
  const std::string token = string_member(*json, "SignedRFC3161Timestamp");
  if (token.empty() || !base64_decode(token)) {
    return std::unexpected(bad(kCosignTimestampAnnotation, "has no base64 SignedRFC3161Timestamp"));
  }
  Ordered out = Ordered::object();
  out["rfc3161Timestamps"] = Ordered::array({Ordered{{"signedTimestamp", token}}});
  return out;
}

}  // namespace

bool has_legacy_certificate(const oci::Annotations& annotations) {
  const std::string* cert = find(annotations, kCosignCertificateAnnotation);
  return cert != nullptr && !cert->empty();
}

Result<Bundle> legacy_keyless_bundle(const oci::Annotations& annotations,
                                     std::variant<MessageSignature, Envelope> content) {
  const std::string* cert = find(annotations, kCosignCertificateAnnotation);
  if (cert == nullptr || cert->empty()) return std::unexpected(bad(kCosignCertificateAnnotation, "is missing"));
  auto pem = parse_pem(*cert);
  if (!pem || pem->label != "CERTIFICATE") {
    return std::unexpected(bad(kCosignCertificateAnnotation, "is not a PEM certificate"));
  }
  const std::string* rekor = find(annotations, kCosignRekorBundleAnnotation);
  if (rekor == nullptr || rekor->empty()) {
    // cosign verifies such a signature online against Rekor; sigil never queries at verify time.
    return std::unexpected(bad(kCosignRekorBundleAnnotation,
                               "is missing (a keyless signature needs its Rekor bundle to verify offline)"));
  }
  auto entry = tlog_entry(*rekor);
  if (!entry) return std::unexpected(entry.error());

  Bundle bundle;
  bundle.media_type = "application/vnd.dev.sigstore.bundle+json;version=0.1";
  bundle.version = BundleVersion::v0_1;
  bundle.material = MaterialKind::certificate_chain;
  bundle.certificate_chain.push_back(std::move(pem->der));
  bundle.tlog_entries = Ordered::array({std::move(*entry)});
  if (const std::string* ts = find(annotations, kCosignTimestampAnnotation); ts != nullptr && !ts->empty()) {
    auto data = timestamp_data(*ts);
    if (!data) return std::unexpected(data.error());
    bundle.timestamp_verification_data = std::move(*data);
  }
  bundle.content = std::move(content);
  return bundle;
}

Result<Bundle> legacy_signature_bundle(const oci::Annotations& annotations, std::string_view payload,
                                       std::string_view signature) {
  MessageSignature message;
  message.digest_algorithm = "SHA2_256";
  auto digest = hex_decode(oci::Digest::of(payload).hex());
  message.digest.assign(digest->begin(), digest->end());
  message.signature = std::string(signature);
  return legacy_keyless_bundle(annotations, std::move(message));
}

}  // namespace sigil::sign::detail

namespace sigil::sign {

// The public face of the conversion for verify-attestation's legacy `.att` layers; the key case
// is the envelope alone, so both go through the same bundle verifier.
Result<Bundle> legacy_attestation_bundle(const oci::Annotations& annotations, Envelope envelope, bool keyless) {
  if (keyless && detail::has_legacy_certificate(annotations)) {
    return detail::legacy_keyless_bundle(annotations, std::move(envelope));
  }
  Bundle bundle;
  bundle.media_type = std::string(kBundleMediaTypeV03);
  bundle.material = MaterialKind::public_key;
  bundle.content = std::move(envelope);
  return bundle;
}

}  // namespace sigil::sign
