// DSSE (Dead Simple Signing Envelope, secure-systems-lab/dsse v1): the pre-authentication encoding
// that is actually signed, the JSON envelope, and signing/verifying it with an EVP key.
#pragma once

#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"

namespace sigil::sign {

/// The bytes DSSE signs: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in decimal.
[[nodiscard]] std::string pae(std::string_view payload_type, std::string_view payload);

/// One signature of an envelope; `sig` holds raw bytes (base64 only on the wire). keyid may be "".
struct DsseSignature {
  std::string keyid;
  std::string sig;
  /// Write "keyid":"" when keyid is empty. Off by default (protobuf JSON, cosign v3 and sigstore-go
  /// leave it out); parse_envelope sets it when the input had it, so documents re-serialize unchanged.
  bool write_empty_keyid = false;
};

/// A DSSE envelope with its payload as raw bytes.
struct Envelope {
  std::string payload_type;
  std::string payload;
  std::vector<DsseSignature> signatures;
};

/// Parses envelope JSON ({"payload","payloadType","signatures":[{"keyid","sig"}]}); base64 in the
/// standard or URL-safe alphabet. Input error for malformed JSON/base64, missing fields, or more than
/// limits::kMaxDsseSignatures signatures / kMaxDsseEnvelopeBytes bytes.
[[nodiscard]] Result<Envelope> parse_envelope(std::string_view json);
/// The same from an already parsed JSON value (the dsseEnvelope member of a bundle).
[[nodiscard]] Result<Envelope> envelope_from_json(const Json& value);

/// JSON as sigstore writes it (protobuf JSON): payload, payloadType, signatures[{sig, keyid}] in that
/// order, standard base64, an empty keyid omitted unless write_empty_keyid.
[[nodiscard]] nlohmann::ordered_json envelope_to_json(const Envelope& envelope);
/// envelope_to_json without whitespace.
[[nodiscard]] std::string serialize_envelope(const Envelope& envelope);

/// The envelope as cosign writes it into an OCI attestation layer (go-securesystemslib's DSSE struct):
/// {"payloadType","payload","signatures":[{"keyid","sig"}]} in that order, keyid always written.
[[nodiscard]] std::string serialize_envelope_for_oci_layer(const Envelope& envelope);

/// Signs pae(payload_type, payload) with `key` (see sign_message) into a one-signature envelope.
[[nodiscard]] Result<Envelope> sign_envelope(EVP_PKEY* key, std::string_view payload_type,
                                             std::string_view payload, std::string_view keyid = "");

/// Succeeds when at least one signature of the envelope verifies with `key` over the PAE.
/// Denied error when none does; input error for an envelope without signatures.
[[nodiscard]] Result<void> verify_envelope(EVP_PKEY* key, const Envelope& envelope);

}  // namespace sigil::sign
