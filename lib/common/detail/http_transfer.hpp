// One HTTP exchange on one libcurl easy handle, without following redirects (the client's redirect
// loop decides what to follow and which headers survive). Private to lib/common/http.cpp.
#pragma once

#include <string>

#include "common/error.hpp"
#include "common/http.hpp"

namespace sigil::http::detail {

/// One hop of a request: what to send where.
struct Hop {
  std::string method;
  std::string url;
  Headers headers;       ///< already filtered (Authorization dropped for other origins)
  bool send_body = true; ///< false after a 303 turned the request into a GET
};

/// Options every hop uses, resolved once per client.
struct TransferSettings {
  std::string ca_file;  ///< extra CA bundle (empty: system CAs only)
  std::string ca_path;  ///< system CA directory used beside ca_file
  std::string user_agent;
  long connect_timeout_seconds = 30;
  long low_speed_seconds = 60;
};

/// Performs the hop on `curl` (reset first, connections kept). The request's body (string or
/// reader) is sent when hop.send_body; its on_body callback receives the body of a 2xx answer,
/// other bodies go to Response::body (at most request.max_body bytes). `redirect_url` receives the
/// absolute Location of a 3xx answer (empty otherwise). Errors carry no "METHOD URL" context yet.
[[nodiscard]] Result<Response> perform(void* curl, const Request& request, const Hop& hop,
                                       const TransferSettings& settings, std::string& redirect_url);

/// Lower-cases ASCII letters.
[[nodiscard]] std::string ascii_lower(std::string_view text);

}  // namespace sigil::http::detail
