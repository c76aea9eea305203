// RFC 3161 signed timestamps: verification against the trusted timestamp authorities, and the
// request a client sends to a TSA.
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "sign/trusted_root.hpp"

namespace sigil::sign {

/// Facts about a verified timestamp.
struct TimestampFacts {
  SigstoreTime time;   ///< genTime, truncated to seconds
  std::string tsa_uri; ///< uri of the trusted authority that verified it
};

/// Verifies a DER TimeStampResponse or TimeStampToken (`signed_timestamp`, as bundles carry it in
/// timestampVerificationData.rfc3161Timestamps[].signedTimestamp) over `signed_data` (the bundle's
/// signature bytes: messageSignature.signature or the DSSE signature): the message imprint is the
/// hash of signed_data, the token signature verifies, the signing certificate chains to a trusted
/// TSA (embedded certificates are used only as candidates, never as anchors), every certificate and
/// the authority's window contain genTime. Denied errors name the failure: "timestamp: message
/// imprint does not match the signature", "timestamp: not signed by a trusted timestamp authority",
/// "timestamp: time <t> outside the authority's validity"; input error for bad DER.
[[nodiscard]] Result<TimestampFacts> verify_rfc3161_timestamp(std::string_view signed_timestamp,
                                                              std::string_view signed_data,
                                                              const TrustedRoot& root);

/// A DER TimeStampReq over SHA-256(signed_data) with certReq true and a random nonce.
[[nodiscard]] Result<std::string> make_timestamp_request(std::string_view signed_data);

}  // namespace sigil::sign
