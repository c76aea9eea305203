#include "sign/detail/bundle_signature.hpp"

#include <optional>
#include <utility>
#include <variant>

#include "common/hex.hpp"
#include "sign/dsse.hpp"
#include "sign/signature.hpp"

namespace sigil::sign::detail {
namespace {

std::unexpected<Error> denied(std::string reason) {
  return fail(ErrorCategory::denied, "verify bundle: " + std::move(reason));
}
std::unexpected<Error> bad_input(std::string problem) {
  return fail(ErrorCategory::input, "verify bundle: " + std::move(problem));
}

// protobuf HashAlgorithm names sigil can recompute; others (SHA3) are refused as unsupported.
std::optional<oci::DigestAlgorithm> digest_algorithm(std::string_view protobuf_name) {
  if (protobuf_name == "SHA2_256") return oci::DigestAlgorithm::sha256;
  if (protobuf_name == "SHA2_384") return oci::DigestAlgorithm::sha384;
  if (protobuf_name == "SHA2_512") return oci::DigestAlgorithm::sha512;
  return std::nullopt;
}

std::string raw_digest(const oci::Digest& digest) {
  auto bytes = hex_decode(digest.hex());
  return bytes ? std::string(bytes->begin(), bytes->end()) : std::string();
}

// Tries every candidate in turn (a key bundle's hint is advisory: cosign and sigstore-go do not
// require it to match) and returns the first that verifies. A signature that is not even
// well-formed for a key is as much a "no" as a mismatch: it came from the bundle, not the user.
template <class Check>
Result<const PublicKey*> first_verifying_key(const std::vector<const PublicKey*>& candidates,
                                             std::string_view no_key_verifies, Check&& check) {
  std::string last_reason;
  for (const PublicKey* key : candidates) {
    auto verified = check(*key);
    if (verified) return key;
    last_reason = verified.error().message;
  }
  return denied(std::string(no_key_verifies) + " (" + last_reason + ")");
}

Result<Facts> check_message(const MessageSignature& message, const ArtifactRef& artifact,
                            const std::vector<const PublicKey*>& candidates,
                            std::string_view no_key_verifies) {
  std::optional<oci::DigestAlgorithm> recorded;
  if (!message.digest_algorithm.empty()) {
    recorded = digest_algorithm(message.digest_algorithm);
    if (!recorded) return bad_input("messageDigest algorithm " + message.digest_algorithm + " is not supported");
  }
  Result<const PublicKey*> key = nullptr;
  if (artifact.bytes) {
    // The recorded digest must describe these bytes (sigstore-go checks it too), then the signature
    // is checked over the bytes themselves, which works for every key type.
    if (recorded) {
      const oci::Digest actual = oci::Digest::of(*artifact.bytes, *recorded);
      if (raw_digest(actual) != message.digest) return denied("artifact digest does not match the bundle");
    }
    key = first_verifying_key(candidates, no_key_verifies, [&](const PublicKey& candidate) {
      return verify_message(candidate.get(), *artifact.bytes, message.signature);
    });
  } else {
    if (artifact.digest.empty()) return bad_input("no artifact or artifact digest to verify against");
    if (recorded && *recorded != artifact.digest.algorithm()) {
      return bad_input("the bundle records a " + message.digest_algorithm + " digest; give the artifact or its " +
                       std::string(oci::algorithm_name(*recorded)) + " digest instead of " +
                       std::string(oci::algorithm_name(artifact.digest.algorithm())));
    }
    const std::string given = raw_digest(artifact.digest);
    if (recorded && given != message.digest) return denied("artifact digest does not match the bundle");
    for (const PublicKey* candidate : candidates) {
      if (candidate->algorithm() == KeyAlgorithm::ed25519) {
        return bad_input(
            "Ed25519 signs the artifact itself: verifying with only its digest is impossible (give the artifact)");
      }
    }
    key = first_verifying_key(candidates, no_key_verifies, [&](const PublicKey& candidate) {
      return verify_digest_signature(candidate.get(), artifact.digest.algorithm(), given, message.signature);
    });
  }
  if (!key) return std::unexpected(std::move(key.error()));
  Facts facts;
  facts.key_id = (*key)->key_id();
  facts.content = "message-signature";
  return facts;
}

Result<Facts> check_dsse(const Envelope& envelope, const ArtifactRef& artifact,
                         const std::vector<const PublicKey*>& candidates,
                            std::string_view no_key_verifies) {
  if (envelope.signatures.empty()) return bad_input("DSSE envelope has no signatures");
  auto key = first_verifying_key(
      candidates, no_key_verifies,
      [&](const PublicKey& candidate) { return verify_envelope(candidate.get(), envelope); });
  if (!key) return std::unexpected(std::move(key.error()));

  Facts facts;
  facts.key_id = (*key)->key_id();
  facts.content = "dsse-envelope";
  facts.payload_type = envelope.payload_type;
  facts.payload = envelope.payload;

  oci::Digest digest = artifact.digest;
  if (digest.empty() && artifact.bytes) digest = oci::Digest::of(*artifact.bytes);
  const bool in_toto = envelope.payload_type == kInTotoPayloadType;
  if (!in_toto) {
    if (!digest.empty()) return denied("payload type \"" + envelope.payload_type + "\" is not in-toto");
    return facts;
  }
  // The payload is signed, but the signer may still have signed garbage: that is the bundle's
  // problem, reported as a refusal, not as the user's bad input.
  auto statement = parse_statement(envelope.payload);
  if (!statement) return denied("signed payload is not a valid statement: " + statement.error().message);
  if (!digest.empty() && !has_subject_digest(*statement, digest)) {
    return denied("statement has no subject with digest " + digest.str());
  }
  facts.statement = std::move(*statement);
  return facts;
}

}  // namespace

Result<Facts> check_bundle_signature(const Bundle& bundle, const ArtifactRef& artifact,
                                     const std::vector<const PublicKey*>& candidates,
                                     std::string_view no_key_verifies) {
  if (const auto* message = std::get_if<MessageSignature>(&bundle.content)) {
    return check_message(*message, artifact, candidates, no_key_verifies);
  }
  return check_dsse(std::get<Envelope>(bundle.content), artifact, candidates, no_key_verifies);
}

std::string signature_bytes(const Bundle& bundle) {
  if (const auto* message = std::get_if<MessageSignature>(&bundle.content)) return message->signature;
  const auto& envelope = std::get<Envelope>(bundle.content);
  return envelope.signatures.empty() ? std::string() : envelope.signatures.front().sig;
}

}  // namespace sigil::sign::detail
