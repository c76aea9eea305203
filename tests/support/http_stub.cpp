#include "support/http_stub.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sigil::test {
namespace {

constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return std::string(text);
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::strtol(std::string(text.substr(i + 1, 2)).c_str(), nullptr, 16)));
      i += 2;
    } else if (text[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

// Buffered reads from a socket; every function returns false when the peer went away.
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd) {}

  bool line(std::string& out) {
    for (;;) {
      auto end = buffer_.find("\r\n", pos_);
      if (end != std::string::npos) {
        out.assign(buffer_, pos_, end - pos_);
        pos_ = end + 2;
        return true;
      }
      if (buffer_.size() - pos_ > kMaxHeaderBytes || !fill()) return false;
    }
  }

  /// True when the next bytes start a TLS handshake record (a client trying HTTPS on this plain port).
  bool at_tls_handshake() {
    if (pos_ == buffer_.size() && !fill()) return false;
    return buffer_[pos_] == '\x16';
  }

  bool exact(std::size_t count, std::string& out) {
    while (buffer_.size() - pos_ < count) {
      if (!fill()) return false;
    }
    out.append(buffer_, pos_, count);
    pos_ += count;
    return true;
  }

 private:
  bool fill() {
    if (pos_ > 0) {
      buffer_.erase(0, pos_);
      pos_ = 0;
    }
    char chunk[65536];
    for (;;) {
      ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
      if (got > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(got));
        return true;
      }
      if (got < 0 && errno == EINTR) continue;
      return false;
    }
  }

  int fd_;
  std::string buffer_;
  std::size_t pos_ = 0;
};

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// Reads one request (head + body). False when the connection ended or the request is malformed.
bool read_request(Reader& reader, int fd, StubRequest& request) {
  // A TLS ClientHello has no line end; answer it as Go's net/http (the real registry) does, at once,
  // so clients probing HTTPS on this port fall back to HTTP without waiting for a timeout.
  if (reader.at_tls_handshake()) {
    (void)send_all(fd, "HTTP/1.0 400 Bad Request\r\nConnection: close\r\n\r\nmalformed HTTP request\n");
    return false;
  }
  std::string line;
  do {
    if (!reader.line(line)) return false;
  } while (line.empty());  // tolerate stray CRLF between requests
  auto sp1 = line.find(' ');
  auto sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return false;
  request.method = line.substr(0, sp1);
  request.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  auto q = request.target.find('?');
  request.path = request.target.substr(0, q);
  request.query = q == std::string::npos ? "" : request.target.substr(q + 1);
  std::size_t head_bytes = 0;
  for (;;) {
    if (!reader.line(line)) return false;
    if (line.empty()) break;
    head_bytes += line.size();
    if (head_bytes > kMaxHeaderBytes) return false;
    auto colon = line.find(':');
    if (colon == std::string::npos) return false;
    request.headers.emplace_back(lower(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
  }
  if (auto expect = request.header("expect"); expect && lower(*expect) == "100-continue") {
    if (!send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n")) return false;
  }
  auto encoding = request.header("transfer-encoding");
  if (encoding && lower(*encoding).find("chunked") != std::string::npos) {
    request.chunked = true;
    for (;;) {
      if (!reader.line(line)) return false;
      std::size_t size = std::strtoull(line.c_str(), nullptr, 16);  // ignores ";ext"
      if (size == 0) break;
      if (!reader.exact(size, request.body) || !reader.line(line) || !line.empty()) return false;
    }
    do {  // trailers up to the empty line
      if (!reader.line(line)) return false;
    } while (!line.empty());
  } else if (auto length = request.header("content-length")) {
    if (!reader.exact(std::strtoull(length->c_str(), nullptr, 10), request.body)) return false;
  }
  return true;
}

std::string response_head(const StubResponse& response) {
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + reason_phrase(response.status) + "\r\n";
  bool has_length = false;
  for (const auto& [name, value] : response.headers) {
    if (lower(name) == "content-length") has_length = true;
    head += name + ": " + value + "\r\n";
  }
  bool no_body = response.status == 204 || response.status == 304 || (response.status >= 100 && response.status < 200);
  if (!has_length && !no_body) head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  if (response.close_connection) head += "Connection: close\r\n";
  head += "\r\n";
  return head;
}

}  // namespace

std::optional<std::string> StubRequest::header(std::string_view name) const {
  std::string wanted = lower(name);
  for (const auto& [key, value] : headers) {
    if (key == wanted) return value;
  }
  return std::nullopt;
}

std::optional<std::string> StubRequest::query_param(std::string_view name) const {
  auto values = query_params(name);
  if (values.empty()) return std::nullopt;
  return values.front();
}

std::vector<std::string> StubRequest::query_params(std::string_view name) const { return form_values(query, name); }

std::vector<std::string> form_values(std::string_view encoded, std::string_view name) {
  std::vector<std::string> values;
  while (!encoded.empty()) {
    auto amp = encoded.find('&');
    std::string_view pair = encoded.substr(0, amp);
    auto eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) == name) {
      values.push_back(eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    encoded.remove_prefix(amp + 1);
  }
  return values;
}

StubResponse StubResponse::text(int status, std::string body, std::string content_type) {
  StubResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

// A socket shared between its serving thread and stop(): whoever gets there first closes it, so
// stop() never shuts down a descriptor number that has been reused.
struct HttpStub::Connection {
  std::mutex mutex;
  int fd = -1;

  void shutdown_socket() {
    std::lock_guard lock(mutex);
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }
  void close_socket() {
    std::lock_guard lock(mutex);
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

HttpStub::HttpStub(StubHandler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) {
    std::perror("http_stub: socket");
    std::abort();
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;  // the kernel picks a free port
  socklen_t length = sizeof address;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::perror("http_stub: bind/listen");
    std::abort();
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

HttpStub::~HttpStub() { stop(); }

std::string HttpStub::host_port() const { return "127.0.0.1:" + std::to_string(port_); }
std::string HttpStub::base_url() const { return "http://" + host_port(); }

void HttpStub::set_handler(StubHandler handler) {
  std::lock_guard lock(mutex_);
  handler_ = std::move(handler);
}

std::vector<StubRequest> HttpStub::requests() const {
  std::lock_guard lock(mutex_);
  return log_;
}

void HttpStub::clear_log() {
  std::lock_guard lock(mutex_);
  log_.clear();
  connections_accepted_ = 0;
}

void HttpStub::stop() {
  if (stopping_.exchange(true)) return;
  // shutdown() wakes the thread blocked in accept(); the acceptor then closes the socket.
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    for (auto& connection : connections_) connection->shutdown_socket();
    threads.swap(threads_);
  }
  for (auto& thread : threads) thread.join();
}

void HttpStub::accept_loop() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // shut down by stop()
    }
    if (stopping_) {
      ::close(fd);
      return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto connection = std::make_shared<Connection>();
    connection->fd = fd;
    std::size_t number = ++connections_accepted_;
    std::lock_guard lock(mutex_);
    connections_.push_back(connection);
    threads_.emplace_back([this, connection, number] { serve(connection, number); });
  }
}

void HttpStub::serve(const std::shared_ptr<Connection>& connection, std::size_t number) {
  int fd = connection->fd;  // stays valid: only this thread closes it
  Reader reader(fd);
  while (!stopping_) {
    StubRequest request;
    request.connection = number;
    if (!read_request(reader, fd, request)) break;
    StubHandler handler;
    {
      std::lock_guard lock(mutex_);
      handler = handler_;
    }
    StubResponse response = handler ? handler(request) : StubResponse::text(500, "no handler");
    auto connection_header = request.header("connection");
    bool close = response.close_connection || (connection_header && lower(*connection_header) == "close");
    response.close_connection = close;
    {
      std::lock_guard lock(mutex_);
      log_.push_back(request);
      if (!log_bodies_) log_.back().body.clear();
    }
    std::string bytes = response_head(response);
    if (request.method != "HEAD") bytes += response.body;
    if (!send_all(fd, bytes) || close) break;
  }
  connection->close_socket();
}

}  // namespace sigil::test
