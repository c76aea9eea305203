// A tiny multi-threaded HTTP/1.1 server for tests: 127.0.0.1 on an ephemeral port, keep-alive,
// Content-Length and chunked request bodies, one handler function answering every request, and a
// log of what arrived (requests and connections) for assertions. Not a general server: it trusts
// its peer (the code under test) and keeps whole bodies in memory.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace sigil::test {

using StubHeaders = std::vector<std::pair<std::string, std::string>>;

/// Every value of `name` in an application/x-www-form-urlencoded string (a query or a form body).
[[nodiscard]] std::vector<std::string> form_values(std::string_view encoded, std::string_view name);

/// One request as the stub received it.
struct StubRequest {
  std::string method;
  std::string target;        ///< path + query, as sent ("/v2/x/blobs/uploads/?digest=...")
  std::string path;          ///< target before '?'
  std::string query;         ///< target after '?' (without it), empty when absent
  StubHeaders headers;       ///< names lower-cased, values trimmed, in arrival order
  std::string body;          ///< de-chunked
  bool chunked = false;      ///< the body came with Transfer-Encoding: chunked
  std::size_t connection = 0;  ///< 1-based number of the TCP connection it arrived on

  /// First header with this name (any case), if present.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
  /// Value of a query parameter (percent-decoded), if present.
  [[nodiscard]] std::optional<std::string> query_param(std::string_view name) const;
  /// Every value of a repeated query parameter (e.g. several scope=), percent-decoded.
  [[nodiscard]] std::vector<std::string> query_params(std::string_view name) const;
};

/// What the handler answers. Content-Length is added from `body` (for HEAD too, without the body).
struct StubResponse {
  int status = 200;
  StubHeaders headers;
  std::string body;
  bool close_connection = false;  ///< close the connection after this answer ("Connection: close")

  /// Convenience: a response with a body and a Content-Type.
  static StubResponse text(int status, std::string body, std::string content_type = "text/plain");
};

/// Answers every request; called from the stub's connection threads, possibly concurrently.
using StubHandler = std::function<StubResponse(const StubRequest&)>;

/// The server. Starts listening in the constructor (aborts the test binary if it cannot bind),
/// stops and joins every thread in the destructor.
class HttpStub {
 public:
  explicit HttpStub(StubHandler handler);
  ~HttpStub();
  HttpStub(const HttpStub&) = delete;
  HttpStub& operator=(const HttpStub&) = delete;

  /// The port bound on 127.0.0.1.
  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// "127.0.0.1:PORT".
  [[nodiscard]] std::string host_port() const;
  /// "http://127.0.0.1:PORT".
  [[nodiscard]] std::string base_url() const;

  /// Replaces the handler (safe while serving).
  void set_handler(StubHandler handler);
  /// When false, bodies are not kept in the request log (large uploads); the handler still sees them.
  void set_log_bodies(bool keep) { log_bodies_ = keep; }

  /// Copy of every request received so far, in completion order.
  [[nodiscard]] std::vector<StubRequest> requests() const;
  /// Number of TCP connections accepted so far.
  [[nodiscard]] std::size_t connection_count() const { return connections_accepted_.load(); }
  /// Forgets the request log and the connection count.
  void clear_log();

  /// Stops accepting, closes every connection and joins the threads. Idempotent.
  void stop();

 private:
  struct Connection;
  void accept_loop();
  void serve(const std::shared_ptr<Connection>& connection, std::size_t number);

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> log_bodies_{true};
  std::atomic<std::size_t> connections_accepted_{0};

  mutable std::mutex mutex_;  // guards handler_, log_, connections_, threads_
  StubHandler handler_;
  std::vector<StubRequest> log_;
  std::vector<std::shared_ptr<Connection>> connections_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace sigil::test
