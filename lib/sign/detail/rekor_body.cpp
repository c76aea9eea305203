#include "sign/detail/rekor_body.hpp"

#include <openssl/crypto.h>

#include <utility>

#include "common/base64.hpp"
#include "common/hex.hpp"
#include "common/json.hpp"
#include "oci/digest.hpp"
#include "sign/detail/key_pem.hpp"
#include "sign/dsse.hpp"

namespace sigil::sign::detail {
namespace {

Error bad(std::string problem) { return Error{ErrorCategory::input, "entry body: " + std::move(problem)}; }
Error mismatch(std::string_view what) {
  return Error{ErrorCategory::denied, "body does not match the bundle (" + std::string(what) + ")"};
}

// Protobuf JSON parsers accept both the lowerCamel and the original snake_case member names.
const Json* member(const Json& object, std::string_view camel, std::string_view snake = {}) {
  if (!object.is_object()) return nullptr;
  if (auto it = object.find(camel); it != object.end()) return &*it;
  if (!snake.empty()) {
    if (auto it = object.find(snake); it != object.end()) return &*it;
  }
  return nullptr;
}

Result<const Json*> need_object(const Json& parent, std::string_view name, std::string_view snake = {}) {
  const Json* value = member(parent, name, snake);
  if (value == nullptr || !value->is_object()) return std::unexpected(bad(std::string(name) + " is missing or not an object"));
  return value;
}

Result<std::string> need_string(const Json& parent, std::string_view name, std::string_view snake = {}) {
  const Json* value = member(parent, name, snake);
  if (value == nullptr || !value->is_string()) return std::unexpected(bad(std::string(name) + " is missing or not a string"));
  return value->get<std::string>();
}

Result<std::string> need_base64(const Json& parent, std::string_view name, std::string_view snake = {}) {
  auto text = need_string(parent, name, snake);
  if (!text) return std::unexpected(std::move(text.error()));
  auto bytes = base64_decode(*text);
  if (!bytes || bytes->empty()) return std::unexpected(bad(std::string(name) + " is not base64"));
  return std::move(*bytes);
}

// Rekor v1 hashes: {"algorithm": "sha256", "value": "<hex>"}.
Result<std::pair<std::string, std::string>> v1_hash(const Json& hash) {
  auto algorithm = need_string(hash, "algorithm");
  auto value = need_string(hash, "value");
  if (!algorithm || !value) return std::unexpected(bad("hash needs an algorithm and a value"));
  const std::size_t size = *algorithm == "sha256" ? 32 : *algorithm == "sha384" ? 48 : *algorithm == "sha512" ? 64 : 0;
  if (size == 0) return std::unexpected(bad("unsupported hash algorithm \"" + algorithm->substr(0, 20) + "\""));
  auto raw = hex_decode(*value);
  if (!raw || raw->size() != size) return std::unexpected(bad(*algorithm + " hash value is not " + std::to_string(size * 2) + " hex digits"));
  return std::pair{*algorithm, std::string(raw->begin(), raw->end())};
}

// Rekor v2 / protobuf HashOutput: {"algorithm": "SHA2_256", "digest": "<base64>"}.
Result<std::pair<std::string, std::string>> v2_hash(const Json& hash) {
  auto algorithm = need_string(hash, "algorithm");
  auto digest = need_base64(hash, "digest");
  if (!algorithm || !digest) return std::unexpected(bad("hash needs an algorithm and a base64 digest"));
  const std::string name = *algorithm == "SHA2_256" ? "sha256" : *algorithm == "SHA2_384" ? "sha384"
                           : *algorithm == "SHA2_512"                       ? "sha512"
                                                                            : "";
  if (name.empty()) return std::unexpected(bad("unsupported hash algorithm \"" + algorithm->substr(0, 20) + "\""));
  if (digest->size() != (name == "sha256" ? 32u : name == "sha384" ? 48u : 64u)) {
    return std::unexpected(bad(*algorithm + " digest has the wrong length"));
  }
  return std::pair{name, std::move(*digest)};
}

// Rekor v1 carries the verifier as base64 of PEM (a certificate or a public key).
Result<void> v1_verifier(std::string_view pem_base64, RekorBody& body) {
  auto pem = base64_decode(pem_base64);
  if (!pem || pem->empty()) return std::unexpected(bad("verifier is not base64"));
  auto block = parse_pem(*pem);
  if (!block) return std::unexpected(bad("verifier: " + block.error().message));
  if (block->label == "CERTIFICATE") {
    body.verifier_is_certificate = true;
  } else if (block->label != "PUBLIC KEY") {
    return std::unexpected(bad("verifier is a PEM " + block->label.substr(0, 40) + ", not a certificate or public key"));
  }
  body.verifier_der = std::move(block->der);
  return {};
}

// Rekor v2 Signature: {"content": b64, "verifier": {"keyDetails", "x509Certificate"|"publicKey": {"rawBytes"}}}.
Result<void> v2_signature(const Json& signature, RekorBody& body) {
  auto content = need_base64(signature, "content");
  if (!content) return std::unexpected(std::move(content.error()));
  body.signature = std::move(*content);
  auto verifier = need_object(signature, "verifier");
  if (!verifier) return std::unexpected(std::move(verifier.error()));
  auto details = need_string(**verifier, "keyDetails", "key_details");
  if (!details) return std::unexpected(std::move(details.error()));
  body.key_details = std::move(*details);
  const Json* holder = member(**verifier, "x509Certificate", "x509_certificate");
  body.verifier_is_certificate = holder != nullptr;
  if (holder == nullptr) holder = member(**verifier, "publicKey", "public_key");
  if (holder == nullptr || !holder->is_object()) return std::unexpected(bad("verifier has no x509Certificate or publicKey"));
  auto raw = need_base64(*holder, "rawBytes", "raw_bytes");
  if (!raw) return std::unexpected(std::move(raw.error()));
  body.verifier_der = std::move(*raw);
  return {};
}

Result<void> parse_hashedrekord_v1(const Json& spec, RekorBody& body) {
  auto signature = need_object(spec, "signature");
  if (!signature) return std::unexpected(std::move(signature.error()));
  auto content = need_base64(**signature, "content");
  if (!content) return std::unexpected(std::move(content.error()));
  body.signature = std::move(*content);
  auto key = need_object(**signature, "publicKey");
  if (!key) return std::unexpected(std::move(key.error()));
  auto pem = need_string(**key, "content");
  if (!pem) return std::unexpected(std::move(pem.error()));
  if (auto verifier = v1_verifier(*pem, body); !verifier) return verifier;
  auto data = need_object(spec, "data");
  if (!data) return std::unexpected(std::move(data.error()));
  auto hash = need_object(**data, "hash");
  if (!hash) return std::unexpected(std::move(hash.error()));
  auto parsed = v1_hash(**hash);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  body.hash_algorithm = parsed->first;
  body.digest = std::move(parsed->second);
  return {};
}

Result<void> parse_dsse_v1(const Json& spec, RekorBody& body) {
  auto payload_hash = need_object(spec, "payloadHash");
  if (!payload_hash) return std::unexpected(std::move(payload_hash.error()));
  auto parsed = v1_hash(**payload_hash);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  body.hash_algorithm = parsed->first;
  body.payload_hash = std::move(parsed->second);
  const Json* signatures = member(spec, "signatures");
  if (signatures == nullptr || !signatures->is_array() || signatures->empty() || !(*signatures)[0].is_object()) {
    return std::unexpected(bad("signatures is missing or empty"));
  }
  auto signature = need_base64((*signatures)[0], "signature");
  if (!signature) return std::unexpected(std::move(signature.error()));
  body.signature = std::move(*signature);
  auto verifier = need_string((*signatures)[0], "verifier");
  if (!verifier) return std::unexpected(std::move(verifier.error()));
  return v1_verifier(*verifier, body);
}

Result<void> parse_intoto_v2(const Json& spec, RekorBody& body) {
  auto content = need_object(spec, "content");
  if (!content) return std::unexpected(std::move(content.error()));
  auto payload_hash = need_object(**content, "payloadHash");
  if (!payload_hash) return std::unexpected(std::move(payload_hash.error()));
  auto parsed = v1_hash(**payload_hash);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  body.hash_algorithm = parsed->first;
  body.payload_hash = std::move(parsed->second);
  auto envelope = need_object(**content, "envelope");
  if (!envelope) return std::unexpected(std::move(envelope.error()));
  const Json* signatures = member(**envelope, "signatures");
  if (signatures == nullptr || !signatures->is_array() || signatures->empty() || !(*signatures)[0].is_object()) {
    return std::unexpected(bad("envelope signatures is missing or empty"));
  }
  // intoto v0.0.2 stores the envelope's own base64 strings base64-encoded once more (the OpenAPI
  // schema types them as bytes): "sig" is base64(base64(signature)), "publicKey" base64(PEM).
  auto sig_text = need_base64((*signatures)[0], "sig");
  if (!sig_text) return std::unexpected(std::move(sig_text.error()));
  auto signature = base64_decode(*sig_text);
  // A sig that is not base64 twice cannot equal any envelope signature (sigstore-go reads it as
  // empty); keep the undecodable bytes so the comparison reports the mismatch.
  body.signature = signature && !signature->empty() ? std::move(*signature) : std::string();
  auto verifier = need_string((*signatures)[0], "publicKey");
  if (!verifier) return std::unexpected(std::move(verifier.error()));
  return v1_verifier(*verifier, body);
}

Result<void> parse_hashedrekord_v2(const Json& spec, RekorBody& body) {
  auto inner = need_object(spec, "hashedRekordV002", "hashed_rekord_v002");
  if (!inner) return std::unexpected(std::move(inner.error()));
  auto data = need_object(**inner, "data");
  if (!data) return std::unexpected(std::move(data.error()));
  auto parsed = v2_hash(**data);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  body.hash_algorithm = parsed->first;
  body.digest = std::move(parsed->second);
  auto signature = need_object(**inner, "signature");
  if (!signature) return std::unexpected(std::move(signature.error()));
  return v2_signature(**signature, body);
}

Result<void> parse_dsse_v2(const Json& spec, RekorBody& body) {
  auto inner = need_object(spec, "dsseV002", "dsse_v002");
  if (!inner) return std::unexpected(std::move(inner.error()));
  auto payload_hash = need_object(**inner, "payloadHash", "payload_hash");
  if (!payload_hash) return std::unexpected(std::move(payload_hash.error()));
  auto parsed = v2_hash(**payload_hash);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  body.hash_algorithm = parsed->first;
  body.payload_hash = std::move(parsed->second);
  const Json* signatures = member(**inner, "signatures");
  if (signatures == nullptr || !signatures->is_array() || signatures->empty() || !(*signatures)[0].is_object()) {
    return std::unexpected(bad("signatures is missing or empty"));
  }
  return v2_signature((*signatures)[0], body);
}

bool same_bytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

oci::DigestAlgorithm digest_algorithm(std::string_view name) {
  return name == "sha512" ? oci::DigestAlgorithm::sha512
         : name == "sha384" ? oci::DigestAlgorithm::sha384
                            : oci::DigestAlgorithm::sha256;
}

std::string raw_digest(std::string_view bytes, std::string_view algorithm) {
  const auto hex = oci::Digest::of(bytes, digest_algorithm(algorithm)).hex();
  auto raw = hex_decode(hex);
  return raw ? std::string(raw->begin(), raw->end()) : std::string();
}

// The prehash a Rekor v2 keyDetails implies (sigstore's algorithm registry); "" when it names none.
std::string_view key_details_hash(std::string_view details) {
  if (details == "PKIX_ED25519_PH") return "sha512";
  if (details.ends_with("SHA_256") || details.ends_with("SHA256")) return "sha256";
  if (details.ends_with("SHA_384") || details.ends_with("SHA384")) return "sha384";
  if (details.ends_with("SHA_512") || details.ends_with("SHA512")) return "sha512";
  return "";
}

Result<void> match_content(const RekorBody& body, const Bundle& bundle, std::string_view artifact_sha256_hex) {
  if (const auto* message = std::get_if<MessageSignature>(&bundle.content)) {
    if (body.kind != "hashedrekord") return std::unexpected(mismatch(body.kind + " entry for a message signature"));
    bool compared = false;
    if (!message->digest.empty()) {
      const std::string algorithm = message->digest_algorithm == "SHA2_256"   ? "sha256"
                                    : message->digest_algorithm == "SHA2_384" ? "sha384"
                                    : message->digest_algorithm == "SHA2_512" ? "sha512"
                                                                              : message->digest_algorithm;
      if (algorithm != body.hash_algorithm) return std::unexpected(mismatch("digest algorithm"));
      if (!same_bytes(message->digest, body.digest)) return std::unexpected(mismatch("message digest"));
      compared = true;
    }
    if (!artifact_sha256_hex.empty() && body.hash_algorithm == "sha256") {
      auto artifact = hex_decode(artifact_sha256_hex);
      if (!artifact || !same_bytes(std::string(artifact->begin(), artifact->end()), body.digest)) {
        return std::unexpected(mismatch("artifact digest"));
      }
      compared = true;
    }
    if (!compared) return std::unexpected(mismatch("no artifact digest to compare with the entry"));
    return {};
  }
  const auto& envelope = std::get<Envelope>(bundle.content);
  if (body.kind == "hashedrekord") {
    // Rekor v2 logs DSSE as hashedrekord over Hash(PAE(type, payload)) (rekor-v2 spec §6.1.4).
    if (!body.rekor_v2) return std::unexpected(mismatch("hashedrekord v0.0.1 entry for a DSSE envelope"));
    if (std::string_view want = key_details_hash(body.key_details); !want.empty() && want != body.hash_algorithm) {
      return std::unexpected(mismatch("digest algorithm " + body.hash_algorithm + " for " + body.key_details));
    }
    if (!same_bytes(raw_digest(pae(envelope.payload_type, envelope.payload), body.hash_algorithm), body.digest)) {
      return std::unexpected(mismatch("envelope digest"));
    }
    return {};
  }
  if (!same_bytes(raw_digest(envelope.payload, body.hash_algorithm), body.payload_hash)) {
    return std::unexpected(mismatch("envelope payload hash"));
  }
  return {};
}

}  // namespace

Result<RekorBody> parse_rekor_body(std::string_view canonicalized_body) {
  auto document = parse_json(canonicalized_body, "entry body");
  if (!document) return std::unexpected(std::move(document.error()));
  if (!document->is_object()) return std::unexpected(bad("not a JSON object"));
  RekorBody body;
  auto kind = need_string(*document, "kind");
  if (!kind) return std::unexpected(std::move(kind.error()));
  auto version = need_string(*document, "apiVersion", "api_version");
  if (!version) return std::unexpected(std::move(version.error()));
  body.kind = std::move(*kind);
  body.api_version = std::move(*version);
  auto spec = need_object(*document, "spec");
  if (!spec) return std::unexpected(std::move(spec.error()));
  Result<void> parsed;
  if (body.kind == "hashedrekord" && body.api_version == "0.0.1") {
    parsed = parse_hashedrekord_v1(**spec, body);
  } else if (body.kind == "dsse" && body.api_version == "0.0.1") {
    parsed = parse_dsse_v1(**spec, body);
  } else if (body.kind == "intoto" && body.api_version == "0.0.2") {
    parsed = parse_intoto_v2(**spec, body);
  } else if (body.kind == "hashedrekord" && body.api_version == "0.0.2") {
    body.rekor_v2 = true;
    parsed = parse_hashedrekord_v2(**spec, body);
  } else if (body.kind == "dsse" && body.api_version == "0.0.2") {
    body.rekor_v2 = true;
    parsed = parse_dsse_v2(**spec, body);
  } else {
    return std::unexpected(bad("unsupported entry kind " + body.kind.substr(0, 40) + " " + body.api_version.substr(0, 20)));
  }
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  return body;
}

Result<void> match_rekor_body(const RekorBody& body, const Bundle& bundle, std::string_view artifact_sha256_hex) {
  // The entry's signature is the bundle's (sigstore-go: "transparency log signature does not match").
  const std::string* bundle_signature = nullptr;
  if (const auto* message = std::get_if<MessageSignature>(&bundle.content)) {
    bundle_signature = &message->signature;
  } else if (const auto& envelope = std::get<Envelope>(bundle.content); !envelope.signatures.empty()) {
    bundle_signature = &envelope.signatures.front().sig;
  }
  if (bundle_signature == nullptr || !same_bytes(*bundle_signature, body.signature)) {
    return std::unexpected(mismatch("signature"));
  }
  // The entry's verifier is the bundle's certificate; a bundle naming a key needs a key entry (which
  // key is the caller's to compare: the bundle holds only a hint).
  const std::string* leaf = bundle.material == MaterialKind::certificate ? &bundle.certificate
                            : bundle.material == MaterialKind::certificate_chain && !bundle.certificate_chain.empty()
                                ? &bundle.certificate_chain.front()
                                : nullptr;
  if (leaf != nullptr) {
    if (!body.verifier_is_certificate || !same_bytes(*leaf, body.verifier_der)) return std::unexpected(mismatch("certificate"));
  } else if (body.verifier_is_certificate) {
    return std::unexpected(mismatch("the entry holds a certificate, the bundle a public key"));
  }
  return match_content(body, bundle, artifact_sha256_hex);
}

}  // namespace sigil::sign::detail
