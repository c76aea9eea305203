// Transparency-log entry verification. The steps follow sigstore-go (pkg/verify/tlog.go,
// pkg/tlog/entry.go) and Rekor (pkg/verify): body ↔ bundle, SET over the RFC 8785 payload, RFC 6962
// inclusion proof, signed checkpoint. Every member of the entry is untrusted input.
#include "sign/tlog_verify.hpp"

#include <openssl/crypto.h>

#include <charconv>
#include <utility>
#include <vector>

#include "common/base64.hpp"
#include "common/hex.hpp"
#include "oci/digest.hpp"
#include "sign/detail/canonical_json.hpp"
#include "sign/detail/checkpoint.hpp"
#include "sign/detail/merkle.hpp"
#include "sign/detail/rekor_body.hpp"
#include "sign/signature.hpp"

namespace sigil::sign {
namespace {

using Ordered = nlohmann::ordered_json;

constexpr std::string_view kWhat = "tlog entry";

Error bad(std::string problem) { return Error{ErrorCategory::input, std::string(kWhat) + ": " + std::move(problem)}; }
Error denied(std::string problem) {
  return Error{ErrorCategory::denied, std::string(kWhat) + ": " + std::move(problem)};
}

const Ordered* member(const Ordered& object, std::string_view camel, std::string_view snake) {
  if (!object.is_object()) return nullptr;
  if (auto it = object.find(camel); it != object.end()) return &*it;
  if (auto it = object.find(snake); it != object.end()) return &*it;
  return nullptr;
}

// protobuf JSON writes int64 as a decimal string but parsers also take a JSON number.
Result<std::optional<std::int64_t>> int64_member(const Ordered& object, std::string_view camel, std::string_view snake) {
  const Ordered* value = member(object, camel, snake);
  if (value == nullptr || value->is_null()) return std::optional<std::int64_t>();
  if (value->is_number_integer()) {
    if (value->is_number_unsigned() && value->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      return std::unexpected(bad(std::string(camel) + " is out of range"));
    }
    return std::optional<std::int64_t>(value->get<std::int64_t>());
  }
  if (value->is_string()) {
    const auto& text = value->get_ref<const std::string&>();
    std::int64_t number = 0;
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), number);
    if (!text.empty() && parsed.ec == std::errc() && parsed.ptr == text.data() + text.size()) {
      return std::optional<std::int64_t>(number);
    }
  }
  return std::unexpected(bad(std::string(camel) + " is not an integer"));
}

Result<std::string> bytes_member(const Ordered& object, std::string_view camel, std::string_view snake) {
  const Ordered* value = member(object, camel, snake);
  if (value == nullptr || !value->is_string()) return std::unexpected(bad(std::string(camel) + " is missing or not a string"));
  auto bytes = base64_decode(value->get_ref<const std::string&>());
  if (!bytes) return std::unexpected(bad(std::string(camel) + " is not base64"));
  return std::move(*bytes);
}

struct Proof {
  std::int64_t log_index = 0;
  std::int64_t tree_size = 0;
  std::string root_hash;
  std::vector<std::string> hashes;
  std::string checkpoint;
};

Result<Proof> parse_proof(const Ordered& value) {
  if (!value.is_object()) return std::unexpected(bad("inclusionProof is not an object"));
  Proof proof;
  auto index = int64_member(value, "logIndex", "log_index");
  if (!index) return std::unexpected(std::move(index.error()));
  auto size = int64_member(value, "treeSize", "tree_size");
  if (!size) return std::unexpected(std::move(size.error()));
  proof.log_index = index->value_or(0);
  proof.tree_size = size->value_or(0);
  if (proof.log_index < 0 || proof.tree_size < 0) return std::unexpected(bad("inclusionProof has a negative index or size"));
  auto root = bytes_member(value, "rootHash", "root_hash");
  if (!root) return std::unexpected(std::move(root.error()));
  proof.root_hash = std::move(*root);
  if (const Ordered* hashes = member(value, "hashes", "hashes"); hashes != nullptr && !hashes->is_null()) {
    if (!hashes->is_array()) return std::unexpected(bad("inclusionProof.hashes is not an array"));
    if (hashes->size() > 64) return std::unexpected(bad("inclusionProof has more than 64 hashes"));
    for (const Ordered& hash : *hashes) {
      auto bytes = hash.is_string() ? base64_decode(hash.get_ref<const std::string&>()) : std::nullopt;
      if (!bytes) return std::unexpected(bad("inclusionProof.hashes has a value that is not base64"));
      proof.hashes.push_back(std::move(*bytes));
    }
  }
  // Required, but checked after the proof itself so that a wrong proof is reported as such.
  if (const Ordered* checkpoint = member(value, "checkpoint", "checkpoint"); checkpoint != nullptr && !checkpoint->is_null()) {
    const Ordered* envelope = member(*checkpoint, "envelope", "envelope");
    if (envelope == nullptr || !envelope->is_string()) return std::unexpected(bad("checkpoint has no envelope string"));
    proof.checkpoint = envelope->get<std::string>();
  }
  return proof;
}

// "https://host:port/path" → {"host", "host:port"}.
std::pair<std::string, std::string> url_host(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  std::string_view host = url;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  return {std::string(host), std::string(url)};
}

// The SET: the log's signature over the RFC 8785 form of {body, integratedTime, logIndex, logID}
// (body as standard base64 of the canonicalized body, logID as hex), as Rekor signs it.
Result<void> verify_set(const TransparencyLog& log, std::string_view body, std::int64_t integrated_time,
                        std::int64_t log_index, std::string_view log_id, std::string_view set) {
  Ordered payload = Ordered::object();
  payload["body"] = base64_encode(body);
  payload["integratedTime"] = integrated_time;
  payload["logIndex"] = log_index;
  payload["logID"] = hex_encode(std::span(reinterpret_cast<const unsigned char*>(log_id.data()), log_id.size()));
  auto canonical = detail::canonical_json(payload);
  if (!canonical) return std::unexpected(denied("invalid signed entry timestamp: " + canonical.error().message));
  Result<void> verified;
  if (log.public_key->algorithm() == KeyAlgorithm::ed25519) {
    verified = verify_message(log.public_key->get(), *canonical, set);
  } else {
    verified = verify_digest_signature(log.public_key->get(), oci::DigestAlgorithm::sha256,
                                       detail::sha256_raw(*canonical), set);
  }
  if (!verified) return std::unexpected(denied("invalid signed entry timestamp (SET)"));
  return {};
}

// Verifies the Merkle path up to the proof's root hash and, when the proof carries one, the
// checkpoint that signs that root. Returns whether a signed checkpoint was verified.
Result<bool> verify_proof(const Proof& proof, const TransparencyLog& log, bool rekor_v2, std::string_view body) {
  const auto leaf = detail::merkle_leaf_hash(body);
  auto root = detail::root_from_inclusion_proof(static_cast<std::uint64_t>(proof.log_index),
                                                static_cast<std::uint64_t>(proof.tree_size), leaf, proof.hashes);
  if (!root) {
    if (root.error().category == ErrorCategory::denied) return std::unexpected(denied(root.error().message));
    return std::unexpected(bad(root.error().message));
  }
  if (root->size() != proof.root_hash.size() || CRYPTO_memcmp(root->data(), proof.root_hash.data(), root->size()) != 0) {
    return std::unexpected(denied("inclusion proof does not match its root hash"));
  }
  if (proof.checkpoint.empty()) return false;
  auto checkpoint = detail::parse_checkpoint(proof.checkpoint);
  if (!checkpoint) return std::unexpected(bad(checkpoint.error().message));
  // The checkpoint must come from this log: Rekor v2 (C2SP tlog-checkpoint) names the log by the
  // host of its URL, signature lines included; Rekor v1 origins are "<host> - <tree id>".
  const auto [host, authority] = url_host(log.base_url);
  const std::string_view origin = checkpoint->origin;
  if (rekor_v2) {
    if (origin != host) {
      return std::unexpected(denied("checkpoint origin \"" + std::string(origin.substr(0, 100)) + "\" is not log " + host));
    }
  } else {
    const std::string_view name = origin.substr(0, origin.find(" - "));
    if (name != host && name != authority) {
      return std::unexpected(denied("checkpoint origin \"" + std::string(origin.substr(0, 100)) + "\" is not log " + authority));
    }
  }
  detail::CheckpointKey key{log.public_key.get(), log.log_id.substr(0, 4), rekor_v2 ? host : std::string()};
  if (auto signed_by_log = detail::verify_checkpoint_signature(*checkpoint, key); !signed_by_log) {
    return std::unexpected(std::move(signed_by_log.error()).with_context(kWhat));
  }
  if (checkpoint->size != static_cast<std::uint64_t>(proof.tree_size) || checkpoint->root_hash != proof.root_hash) {
    return std::unexpected(denied("inclusion proof does not match the checkpoint root (tree size " +
                                  std::to_string(proof.tree_size) + ", checkpoint size " +
                                  std::to_string(checkpoint->size) + ")"));
  }
  return true;
}

}  // namespace

Result<TlogFacts> verify_tlog_entry(const nlohmann::ordered_json& entry, const Bundle& bundle,
                                    std::string_view artifact_sha256_hex, const TrustedRoot& root,
                                    SigstoreTime now) {
  if (!entry.is_object()) return std::unexpected(bad("not a JSON object"));
  TlogFacts facts;

  auto log_index = int64_member(entry, "logIndex", "log_index");
  if (!log_index) return std::unexpected(std::move(log_index.error()));
  if (log_index->value_or(0) < 0) return std::unexpected(bad("logIndex is negative"));
  facts.log_index = log_index->value_or(0);
  const Ordered* log_id_object = member(entry, "logId", "log_id");
  if (log_id_object == nullptr || !log_id_object->is_object()) return std::unexpected(bad("missing logId"));
  auto log_id = bytes_member(*log_id_object, "keyId", "key_id");
  if (!log_id) return std::unexpected(std::move(log_id.error()));
  if (log_id->empty()) return std::unexpected(bad("logId.keyId is empty"));
  facts.log_id_hex = hex_encode(std::span(reinterpret_cast<const unsigned char*>(log_id->data()), log_id->size()));
  const Ordered* kind_version = member(entry, "kindVersion", "kind_version");
  const Ordered* kind = kind_version != nullptr ? member(*kind_version, "kind", "kind") : nullptr;
  const Ordered* version = kind_version != nullptr ? member(*kind_version, "version", "version") : nullptr;
  if (kind == nullptr || version == nullptr || !kind->is_string() || !version->is_string()) {
    return std::unexpected(bad("kindVersion needs a kind and a version"));
  }
  facts.kind = kind->get<std::string>();
  facts.kind_version = version->get<std::string>();
  auto body_bytes = bytes_member(entry, "canonicalizedBody", "canonicalized_body");
  if (!body_bytes) return std::unexpected(std::move(body_bytes.error()));
  if (body_bytes->empty()) return std::unexpected(bad("canonicalizedBody is empty"));
  auto integrated_time = int64_member(entry, "integratedTime", "integrated_time");
  if (!integrated_time) return std::unexpected(std::move(integrated_time.error()));
  std::optional<std::string> set;
  if (const Ordered* promise = member(entry, "inclusionPromise", "inclusion_promise"); promise != nullptr && !promise->is_null()) {
    if (!promise->is_object()) return std::unexpected(bad("inclusionPromise is not an object"));
    auto bytes = bytes_member(*promise, "signedEntryTimestamp", "signed_entry_timestamp");
    if (!bytes) return std::unexpected(std::move(bytes.error()));
    if (!bytes->empty()) set = std::move(*bytes);
  }
  std::optional<Proof> proof;
  if (const Ordered* value = member(entry, "inclusionProof", "inclusion_proof"); value != nullptr && !value->is_null()) {
    auto parsed = parse_proof(*value);
    if (!parsed) return std::unexpected(std::move(parsed.error()));
    proof = std::move(*parsed);
  }

  const TransparencyLog* log = nullptr;
  for (const TransparencyLog& candidate : root.tlogs) {
    if (candidate.log_id == *log_id) log = &candidate;
  }
  if (log == nullptr) return std::unexpected(denied("log " + facts.log_id_hex + " is not trusted"));
  if (log->public_key == nullptr) return std::unexpected(denied("log " + facts.log_id_hex + " has no usable key"));
  facts.base_url = log->base_url;

  auto body = detail::parse_rekor_body(*body_bytes);
  if (!body) return std::unexpected(std::move(body.error()).with_context(kWhat));
  if (body->kind != facts.kind || body->api_version != facts.kind_version) {
    return std::unexpected(bad("kindVersion " + facts.kind + "/" + facts.kind_version + " does not match the body's " +
                               body->kind + "/" + body->api_version));
  }
  facts.rekor_v2 = body->rekor_v2;
  facts.entry_verifier_der = body->verifier_der;

  // 1. The entry describes this bundle.
  if (auto matched = detail::match_rekor_body(*body, bundle, artifact_sha256_hex); !matched) {
    return std::unexpected(std::move(matched.error()).with_context(kWhat));
  }
  // Offline verification needs a proof (v0.2+ bundles, every Rekor v2 entry) or at least a promise.
  const bool proof_required = facts.rekor_v2 || bundle.version != BundleVersion::v0_1;
  if (!proof && proof_required) return std::unexpected(denied("no inclusion proof"));
  if (!proof && !set) return std::unexpected(denied("no inclusion proof and no inclusion promise"));

  // 2. The SET (Rekor v1): only a verified SET makes the integrated time a fact.
  if (set && !facts.rekor_v2) {
    const std::int64_t time = integrated_time->value_or(0);
    if (auto verified = verify_set(*log, *body_bytes, time, facts.log_index, *log_id, *set); !verified) {
      return std::unexpected(std::move(verified.error()));
    }
    const SigstoreTime at{std::chrono::seconds(time)};
    if (!log->valid_for.contains(at)) {
      return std::unexpected(denied("log " + facts.log_id_hex + " was not valid at the integrated time"));
    }
    // No grace period: a log's time ahead of ours is refused (a compromised log could otherwise
    // vouch for an entry it has not published yet).
    if (at > now) return std::unexpected(denied("integrated time is in the future"));
    facts.integrated_time = at;
  } else if (!proof) {
    return std::unexpected(denied("no inclusion proof"));
  }

  // 3 and 4. The inclusion proof up to a checkpoint the log signed. v0.1 bundles predate
  // checkpoints: their proof is checked against its own (unsigned) root and the SET is the evidence.
  if (proof) {
    auto verified = verify_proof(*proof, *log, facts.rekor_v2, *body_bytes);
    if (!verified) return std::unexpected(std::move(verified.error()));
    if (!*verified && (proof_required || !set)) return std::unexpected(bad("inclusion proof has no checkpoint"));
    facts.inclusion_proof_verified = *verified;
  }
  return facts;
}

}  // namespace sigil::sign
