// An RFC 3161 timestamp authority client: POST a DER TimeStampReq (application/timestamp-query),
// receive a DER TimeStampResp (application/timestamp-reply), as Sigstore's TSA and every RFC 3161
// server speak.
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/http.hpp"

namespace sigil::sign::keyless {

/// Checks a DER TimeStampResp against the request it answers: status granted (or grantedWithMods),
/// a token present, the message imprint equal to the request's and the nonce echoed. Network error
/// naming the mismatch (a TSA that answers something else is not one to trust with a signature).
[[nodiscard]] Result<void> check_timestamp_response(std::string_view response_der, std::string_view request_der);

/// Timestamps `signature` (the bundle's signature bytes) at `tsa_url` (the full URL, e.g.
/// "https://timestamp.sigstore.dev/api/v1/timestamp") and returns the DER TimeStampResp, checked with
/// check_timestamp_response. The token's signature is verified later, against the trusted root.
[[nodiscard]] Result<std::string> request_timestamp(http::Client& client, std::string_view tsa_url,
                                                    std::string_view signature);

}  // namespace sigil::sign::keyless
