#include "sign/keyless/rekor_client.hpp"

#include <utility>

#include "common/base64.hpp"
#include "common/hex.hpp"
#include "sign/keyless/detail/form.hpp"
#include "sign/keyless/detail/pem.hpp"

namespace sigil::sign::keyless {
namespace {

constexpr std::string_view kWhat = "Rekor";

Error network(const std::string& problem) { return Error{ErrorCategory::network, std::string(kWhat) + ": " + problem}; }

std::string_view rekor_hash_name(std::string_view protobuf_name) {
  if (protobuf_name == "SHA2_256") return "sha256";
  if (protobuf_name == "SHA2_384") return "sha384";
  if (protobuf_name == "SHA2_512") return "sha512";
  return {};
}

// An int64 member as Rekor writes it (a JSON number), for protobuf JSON's decimal string.
Result<std::string> integer_member(const Json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer() || it->get<long long>() < 0) {
    return std::unexpected(network(where + " has no non-negative integer \"" + key + "\""));
  }
  return std::to_string(it->get<long long>());
}

Result<std::string> string_member(const Json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return std::unexpected(network(where + " has no string \"" + key + "\""));
  }
  return it->get<std::string>();
}

// Rekor v1 writes hashes as hex; protobuf bytes are base64.
Result<std::string> hex_to_base64(const std::string& hex, const std::string& what) {
  auto raw = hex_decode(hex);
  if (!raw) return std::unexpected(network(what + " is not hex"));
  return base64_encode(std::span<const unsigned char>(raw->data(), raw->size()));
}

}  // namespace

Result<Json> proposed_entry(const Bundle& bundle) {
  std::string leaf;
  if (bundle.material == MaterialKind::certificate) leaf = bundle.certificate;
  if (bundle.material == MaterialKind::certificate_chain && !bundle.certificate_chain.empty()) {
    leaf = bundle.certificate_chain.front();
  }
  if (leaf.empty()) return fail(ErrorCategory::input, "rekor entry: the bundle has no signing certificate");
  const std::string pem = detail::certificate_to_pem(leaf);
  if (pem.empty()) return fail(ErrorCategory::input, "rekor entry: the bundle's certificate is not DER X.509");

  if (const auto* message = std::get_if<MessageSignature>(&bundle.content)) {
    const std::string_view algorithm = rekor_hash_name(message->digest_algorithm);
    if (algorithm.empty() || message->digest.empty()) {
      return fail(ErrorCategory::input, "rekor entry: the bundle's message digest is missing or not SHA-2");
    }
    return Json{{"apiVersion", "0.0.1"},
                {"kind", "hashedrekord"},
                {"spec",
                 {{"data", {{"hash", {{"algorithm", algorithm}, {"value", hex_encode(std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(message->digest.data()), message->digest.size()))}}}}},
                  {"signature",
                   {{"content", base64_encode(message->signature)},
                    {"publicKey", {{"content", base64_encode(pem)}}}}}}}};
  }
  const auto& envelope = std::get<Envelope>(bundle.content);
  return Json{{"apiVersion", "0.0.1"},
              {"kind", "dsse"},
              {"spec",
               {{"proposedContent",
                 {{"envelope", serialize_envelope(envelope)}, {"verifiers", Json::array({base64_encode(pem)})}}}}}};
}

Result<nlohmann::ordered_json> tlog_entry_from_response(std::string_view body) {
  auto document = parse_json(body, "Rekor answer");
  if (!document) return std::unexpected(network("answer is not JSON"));
  if (!document->is_object() || document->size() != 1 || !document->begin()->is_object()) {
    return std::unexpected(network("answer is not one {uuid: entry} object"));
  }
  const Json& entry = document->begin().value();
  const std::string where = "entry";
  auto log_index = integer_member(entry, "logIndex", where);
  if (!log_index) return std::unexpected(std::move(log_index.error()));
  auto integrated_time = integer_member(entry, "integratedTime", where);
  if (!integrated_time) return std::unexpected(std::move(integrated_time.error()));
  auto log_id = string_member(entry, "logID", where);
  if (!log_id) return std::unexpected(std::move(log_id.error()));
  auto log_id_b64 = hex_to_base64(*log_id, "entry.logID");
  if (!log_id_b64) return std::unexpected(std::move(log_id_b64.error()));
  auto canonical_body = string_member(entry, "body", where);
  if (!canonical_body) return std::unexpected(std::move(canonical_body.error()));

  // kindVersion comes from the logged body itself, as sigstore-go reads it.
  auto decoded = base64_decode(*canonical_body);
  if (!decoded) return std::unexpected(network("entry.body is not base64"));
  auto logged = parse_json(*decoded, "Rekor entry body");
  if (!logged || !logged->is_object()) return std::unexpected(network("entry.body is not a JSON object"));
  auto kind = string_member(*logged, "kind", "entry.body");
  if (!kind) return std::unexpected(std::move(kind.error()));
  auto version = string_member(*logged, "apiVersion", "entry.body");
  if (!version) return std::unexpected(std::move(version.error()));

  const auto verification = entry.find("verification");
  if (verification == entry.end() || !verification->is_object()) {
    return std::unexpected(network("entry has no verification (inclusion proof and SET)"));
  }
  auto set = string_member(*verification, "signedEntryTimestamp", "entry.verification");
  if (!set) return std::unexpected(std::move(set.error()));
  const auto proof = verification->find("inclusionProof");
  if (proof == verification->end() || !proof->is_object()) {
    return std::unexpected(network("entry has no inclusionProof"));
  }
  const std::string proof_where = "entry.verification.inclusionProof";
  auto proof_index = integer_member(*proof, "logIndex", proof_where);
  if (!proof_index) return std::unexpected(std::move(proof_index.error()));
  auto tree_size = integer_member(*proof, "treeSize", proof_where);
  if (!tree_size) return std::unexpected(std::move(tree_size.error()));
  auto root_hash = string_member(*proof, "rootHash", proof_where);
  if (!root_hash) return std::unexpected(std::move(root_hash.error()));
  auto root_hash_b64 = hex_to_base64(*root_hash, proof_where + ".rootHash");
  if (!root_hash_b64) return std::unexpected(std::move(root_hash_b64.error()));
  auto checkpoint = string_member(*proof, "checkpoint", proof_where);
  if (!checkpoint) return std::unexpected(std::move(checkpoint.error()));
  nlohmann::ordered_json hashes = nlohmann::ordered_json::array();
  if (const auto list = proof->find("hashes"); list != proof->end()) {
    if (!list->is_array()) return std::unexpected(network(proof_where + ".hashes is not an array"));
    for (const Json& hash : *list) {
      if (!hash.is_string()) return std::unexpected(network(proof_where + ".hashes has a non-string"));
      auto b64 = hex_to_base64(hash.get<std::string>(), proof_where + ".hashes[]");
      if (!b64) return std::unexpected(std::move(b64.error()));
      hashes.push_back(std::move(*b64));
    }
  }

  nlohmann::ordered_json out;
  out["logIndex"] = *log_index;
  out["logId"] = {{"keyId", *log_id_b64}};
  out["kindVersion"] = {{"kind", *kind}, {"version", *version}};
  out["integratedTime"] = *integrated_time;
  out["inclusionPromise"] = {{"signedEntryTimestamp", *set}};
  nlohmann::ordered_json inclusion;
  inclusion["logIndex"] = *proof_index;
  inclusion["rootHash"] = *root_hash_b64;
  inclusion["treeSize"] = *tree_size;
  inclusion["hashes"] = std::move(hashes);
  inclusion["checkpoint"] = {{"envelope", *checkpoint}};
  out["inclusionProof"] = std::move(inclusion);
  out["canonicalizedBody"] = *canonical_body;
  return out;
}

Result<nlohmann::ordered_json> create_log_entry(http::Client& client, std::string_view rekor_url, const Json& entry) {
  std::string url(rekor_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/api/v1/log/entries";
  http::Request request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  request.body = dump_json(entry);
  auto response = client.send(request);
  if (!response) return std::unexpected(std::move(response.error()).with_context(kWhat));
  if (response->status < 200 || response->status > 299) {
    return std::unexpected(network("POST " + url + ": HTTP " + std::to_string(response->status) + ": " +
                                   detail::excerpt(response->body)));
  }
  return tlog_entry_from_response(response->body);
}

}  // namespace sigil::sign::keyless
