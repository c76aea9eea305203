// HTTP/1.1 client over libcurl. Connections are reused (a pool of easy handles), the client is
// safe to use from several threads at once, and bodies stream in both directions.
// HTTP statuses are returned, not turned into errors: only transport failures are Errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/limits.hpp"

namespace sigil::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// One request. Set either `body` or `body_reader` (+ `body_size`) for uploads.
struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  /// Streaming upload: fills the buffer, returns bytes written, 0 at the end.
  std::function<Result<std::size_t>(char*, std::size_t)> body_reader;
  std::int64_t body_size = -1;  ///< Content-Length for body_reader; -1 = chunked transfer
  /// Streaming download: receives the body in chunks (only for 2xx answers); when unset the body
  /// is collected into Response::body up to max_body bytes.
  std::function<Result<void>(std::string_view)> on_body;
  std::size_t max_body = limits::kMaxApiResponseBytes;
  /// Blob GETs redirect to storage. Authorization is not forwarded to another origin
  /// (scheme, host or port). GET/HEAD follow 301/302/303/307/308; other methods follow 303 as a
  /// GET without body and 307/308 only with an in-memory body; other redirects are returned.
  bool follow_redirects = true;
};

struct Response {
  long status = 0;
  Headers headers;  ///< names lower-cased, in arrival order (of the final response after redirects)
  std::string body;
  std::string effective_url;

  /// First header with this (case-insensitive) name.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
  /// All headers with this name (e.g. several WWW-Authenticate or Link).
  [[nodiscard]] std::vector<std::string> headers_named(std::string_view name) const;
};

struct ClientOptions {
  /// Extra CA bundle (PEM) trusted in addition to the system CAs. libcurl's CAINFO replaces
  /// the system bundle, so the client sets CAINFO to this file and CAPATH to the system's hashed
  /// certificate directory (curl's built-in CAPATH, /etc/ssl/certs on Debian).
  std::string ca_file;
  std::string user_agent = "sigil/" SIGIL_VERSION;
  long connect_timeout_seconds = 30;
  long low_speed_seconds = 60;  ///< abort a transfer that moved < 1 byte/s for this long
};

class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends the request. Network error ("GET URL: <curl message>") when no HTTP answer arrived or
  /// a body callback failed (the callback's error is returned with context).
  [[nodiscard]] Result<Response> send(const Request& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sigil::http
