#include "sign/bundle.hpp"

#include <array>
#include <utility>

#include "common/base64.hpp"
#include "common/limits.hpp"

namespace sigil::sign {
namespace {

constexpr std::string_view kWhat = "sigstore bundle";

Error bad(std::string problem) { return Error{ErrorCategory::input, std::string(kWhat) + ": " + std::move(problem)}; }

const Json* member(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// A required, non-empty base64 bytes field (protobuf JSON "bytes").
Result<std::string> bytes_field(const Json& object, const char* key, std::string_view where) {
  const Json* value = member(object, key);
  if (value == nullptr || !value->is_string()) {
    return std::unexpected(bad(std::string(where) + ": missing string field \"" + key + "\""));
  }
  auto decoded = base64_decode(value->get_ref<const std::string&>());
  if (!decoded) return std::unexpected(bad(std::string(where) + "." + key + " is not base64"));
  if (decoded->empty()) return std::unexpected(bad(std::string(where) + "." + key + " is empty"));
  return std::move(*decoded);
}

bool known_hash_algorithm(std::string_view name) {
  constexpr std::array<std::string_view, 5> kKnown = {"SHA2_256", "SHA2_384", "SHA2_512", "SHA3_256",
                                                      "SHA3_384"};
  for (std::string_view known : kKnown) {
    if (name == known) return true;
  }
  return false;
}

// `ordered` is the same verificationMaterial parsed keeping key order, for the raw JSON members.
Result<void> parse_material(const Json& material, const nlohmann::ordered_json& ordered, Bundle& bundle) {
  if (!material.is_object()) return std::unexpected(bad("verificationMaterial is not an object"));
  if (const Json* key = member(material, "publicKey")) {
    if (!key->is_object()) return std::unexpected(bad("verificationMaterial.publicKey is not an object"));
    auto hint = json_string_member(*key, "hint", kWhat);
    if (!hint) return std::unexpected(std::move(hint.error()));
    bundle.material = MaterialKind::public_key;
    bundle.public_key_hint = std::move(*hint);
  } else if (const Json* chain = member(material, "x509CertificateChain")) {
    const Json* certificates = chain->is_object() ? member(*chain, "certificates") : nullptr;
    if (certificates == nullptr || !certificates->is_array()) {
      return std::unexpected(bad("x509CertificateChain without a certificates array"));
    }
    if (certificates->empty()) return std::unexpected(bad("x509CertificateChain has no certificates"));
    for (const Json& certificate : *certificates) {
      if (!certificate.is_object()) return std::unexpected(bad("certificate entry is not an object"));
      auto der = bytes_field(certificate, "rawBytes", "x509CertificateChain.certificates[]");
      if (!der) return std::unexpected(std::move(der.error()));
      bundle.certificate_chain.push_back(std::move(*der));
    }
    bundle.material = MaterialKind::certificate_chain;
  } else if (const Json* certificate = member(material, "certificate")) {
    if (!certificate->is_object()) return std::unexpected(bad("certificate is not an object"));
    auto der = bytes_field(*certificate, "rawBytes", "certificate");
    if (!der) return std::unexpected(std::move(der.error()));
    bundle.material = MaterialKind::certificate;
    bundle.certificate = std::move(*der);
  } else {
    return std::unexpected(bad("verificationMaterial has no publicKey, x509CertificateChain or certificate"));
  }
  if (const Json* entries = member(material, "tlogEntries")) {
    if (!entries->is_array()) return std::unexpected(bad("tlogEntries is not an array"));
    bundle.tlog_entries = ordered["tlogEntries"];
  }
  if (const Json* timestamps = member(material, "timestampVerificationData")) {
    if (!timestamps->is_object()) return std::unexpected(bad("timestampVerificationData is not an object"));
    bundle.timestamp_verification_data = ordered["timestampVerificationData"];
  }
  return {};
}

Result<MessageSignature> parse_message_signature(const Json& value) {
  if (!value.is_object()) return std::unexpected(bad("messageSignature is not an object"));
  MessageSignature out;
  if (const Json* digest = member(value, "messageDigest")) {
    if (!digest->is_object()) return std::unexpected(bad("messageDigest is not an object"));
    auto algorithm = json_string_member(*digest, "algorithm", kWhat);
    if (!algorithm) return std::unexpected(std::move(algorithm.error()));
    if (!known_hash_algorithm(*algorithm)) {
      return std::unexpected(bad("unknown messageDigest.algorithm \"" + *algorithm + "\""));
    }
    auto bytes = bytes_field(*digest, "digest", "messageDigest");
    if (!bytes) return std::unexpected(std::move(bytes.error()));
    out.digest_algorithm = std::move(*algorithm);
    out.digest = std::move(*bytes);
  }
  auto signature = bytes_field(value, "signature", "messageSignature");
  if (!signature) return std::unexpected(std::move(signature.error()));
  out.signature = std::move(*signature);
  return out;
}

}  // namespace

Result<BundleVersion> bundle_version(std::string_view media_type) {
  constexpr std::string_view kPrefix = "application/vnd.dev.sigstore.bundle";
  const std::pair<std::string_view, BundleVersion> kKnown[] = {
      {"+json;version=0.1", BundleVersion::v0_1}, {"+json;version=0.2", BundleVersion::v0_2},
      {"+json;version=0.3", BundleVersion::v0_3}, {".v0.1+json", BundleVersion::v0_1},
      {".v0.2+json", BundleVersion::v0_2},        {".v0.3+json", BundleVersion::v0_3}};
  if (media_type.starts_with(kPrefix)) {
    for (auto [suffix, version] : kKnown) {
      if (media_type.substr(kPrefix.size()) == suffix) return version;
    }
  }
  return std::unexpected(bad("unsupported media type \"" + std::string(media_type) + "\""));
}

Result<Bundle> parse_bundle(std::string_view json) {
  if (json.size() > limits::kMaxBundleBytes) {
    return std::unexpected(bad("larger than " + std::to_string(limits::kMaxBundleBytes) + " bytes"));
  }
  auto document = parse_json(json, kWhat);
  if (!document) return std::unexpected(std::move(document.error()));
  if (!document->is_object()) return std::unexpected(bad("not a JSON object"));
  Bundle bundle;
  const Json* media_type = member(*document, "mediaType");
  if (media_type == nullptr || !media_type->is_string()) return std::unexpected(bad("missing mediaType"));
  bundle.media_type = media_type->get<std::string>();
  auto version = bundle_version(bundle.media_type);
  if (!version) return std::unexpected(std::move(version.error()));
  bundle.version = *version;

  const Json* material = member(*document, "verificationMaterial");
  if (material == nullptr) return std::unexpected(bad("missing verificationMaterial"));
  // parse_json already refused deep or malformed input, so this second, order-keeping parse is safe.
  const auto ordered = nlohmann::ordered_json::parse(json, nullptr, false);
  if (ordered.is_discarded() || !ordered.contains("verificationMaterial")) {
    return std::unexpected(bad("cannot re-read verificationMaterial"));
  }
  if (auto parsed = parse_material(*material, ordered["verificationMaterial"], bundle); !parsed) {
    return std::unexpected(std::move(parsed.error()));
  }

  const Json* message = member(*document, "messageSignature");
  const Json* envelope = member(*document, "dsseEnvelope");
  if ((message == nullptr) == (envelope == nullptr)) {
    return std::unexpected(bad("needs exactly one of messageSignature and dsseEnvelope"));
  }
  if (message != nullptr) {
    auto signature = parse_message_signature(*message);
    if (!signature) return std::unexpected(std::move(signature.error()));
    bundle.content = std::move(*signature);
  } else {
    auto parsed = envelope_from_json(*envelope);
    if (!parsed) return std::unexpected(std::move(parsed.error()).with_context(kWhat));
    bundle.content = std::move(*parsed);
  }
  return bundle;
}

std::string serialize_bundle(const Bundle& bundle) {
  using Ordered = nlohmann::ordered_json;
  Ordered material = Ordered::object();
  switch (bundle.material) {
    case MaterialKind::public_key: {
      Ordered key = Ordered::object();
      if (!bundle.public_key_hint.empty()) key["hint"] = bundle.public_key_hint;
      material["publicKey"] = std::move(key);
      break;
    }
    case MaterialKind::certificate_chain: {
      Ordered certificates = Ordered::array();
      for (const std::string& der : bundle.certificate_chain) {
        certificates.push_back(Ordered{{"rawBytes", base64_encode(der)}});
      }
      material["x509CertificateChain"] = Ordered{{"certificates", std::move(certificates)}};
      break;
    }
    case MaterialKind::certificate:
      material["certificate"] = Ordered{{"rawBytes", base64_encode(bundle.certificate)}};
      break;
  }
  // protobuf JSON leaves out empty repeated fields and unset messages.
  if (bundle.tlog_entries.is_array() && !bundle.tlog_entries.empty()) {
    material["tlogEntries"] = bundle.tlog_entries;
  }
  if (!bundle.timestamp_verification_data.is_null()) {
    material["timestampVerificationData"] = bundle.timestamp_verification_data;
  }

  Ordered out = Ordered::object();
  out["mediaType"] = bundle.media_type;
  out["verificationMaterial"] = std::move(material);
  if (const auto* message = std::get_if<MessageSignature>(&bundle.content)) {
    Ordered signature = Ordered::object();
    if (!message->digest_algorithm.empty()) {
      Ordered digest = Ordered::object();
      digest["algorithm"] = message->digest_algorithm;
      digest["digest"] = base64_encode(message->digest);
      signature["messageDigest"] = std::move(digest);
    }
    signature["signature"] = base64_encode(message->signature);
    out["messageSignature"] = std::move(signature);
  } else {
    out["dsseEnvelope"] = envelope_to_json(std::get<Envelope>(bundle.content));
  }
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sigil::sign
