// DER TimeStampReq / TimeStampResp handling for the TSA client (OpenSSL TS API).
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"

namespace sigil::sign::keyless::detail {

/// A TimeStampReq over SHA-256(data), certReq true, random 64-bit nonce.
[[nodiscard]] Result<std::string> timestamp_query(std::string_view data);

/// See check_timestamp_response in tsa_client.hpp.
[[nodiscard]] Result<void> match_timestamp_reply(std::string_view response_der, std::string_view request_der);

}  // namespace sigil::sign::keyless::detail
