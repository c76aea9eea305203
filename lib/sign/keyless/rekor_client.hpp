// Rekor v1 (POST <rekor>/api/v1/log/entries): proposes a hashedrekord or dsse entry for a signed
// bundle and turns Rekor's answer into the bundle's TransparencyLogEntry, as sigstore-go writes it.
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/http.hpp"
#include "common/json.hpp"
#include "sign/bundle.hpp"

namespace sigil::sign::keyless {

/// The proposed entry for `bundle` (its certificate, or the first of its chain, as the verifier):
/// hashedrekord v0.0.1 for a messageSignature (the recorded digest must be SHA2_256, SHA2_384 or
/// SHA2_512), dsse v0.0.1 for a DSSE envelope. Input error when the bundle has no certificate or
/// no digest.
[[nodiscard]] Result<Json> proposed_entry(const Bundle& bundle);

/// Converts Rekor's answer ({"<uuid>": {body, integratedTime, logID, logIndex, verification:
/// {inclusionProof, signedEntryTimestamp}}}) into a protobuf-JSON TransparencyLogEntry: logIndex,
/// logId.keyId, kindVersion (from the body), integratedTime, inclusionPromise, inclusionProof
/// (logIndex, rootHash, treeSize, hashes, checkpoint.envelope) and canonicalizedBody. Network error
/// naming the member for a malformed answer.
[[nodiscard]] Result<nlohmann::ordered_json> tlog_entry_from_response(std::string_view body);

/// Posts `entry` to the Rekor at `rekor_url` (base URL) and returns the converted entry. Network
/// error for transport failures, HTTP errors (status and the start of Rekor's answer) and malformed
/// answers.
[[nodiscard]] Result<nlohmann::ordered_json> create_log_entry(http::Client& client, std::string_view rekor_url,
                                                              const Json& entry);

}  // namespace sigil::sign::keyless
