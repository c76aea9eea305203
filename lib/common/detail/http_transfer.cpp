#include "common/detail/http_transfer.hpp"

#include <curl/curl.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

namespace sigil::http::detail {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Everything the callbacks of one hop share.
struct TransferState {
  const Request* request = nullptr;
  Response* response = nullptr;
  std::size_t upload_offset = 0;      // position in request->body for in-memory uploads
  std::optional<Error> callback_error;  // first error raised inside a callback
};

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return std::string(text);
}

// Called once per header line. A status line starts a new response (a 100 Continue or a
// redirect), so the headers collected so far belong to an earlier response and are dropped.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  std::size_t bytes = size * count;
  std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    state->response->headers.clear();
    auto space = line.find(' ');
    state->response->status = space == std::string_view::npos ? 0 : std::strtol(std::string(line.substr(space + 1, 3)).c_str(), nullptr, 10);
    return bytes;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    state->response->headers.emplace_back(ascii_lower(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
  }
  return bytes;
}

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  std::size_t bytes = size * count;
  const Request& request = *state->request;
  long status = state->response->status;
  if (request.on_body && status >= 200 && status < 300) {
    auto written = request.on_body(std::string_view(data, bytes));
    if (!written) {
      state->callback_error = std::move(written.error());
      return CURL_WRITEFUNC_ERROR;
    }
    return bytes;
  }
  std::string& body = state->response->body;
  if (body.size() + bytes > request.max_body) {
    state->callback_error = Error{ErrorCategory::input, "response body larger than " + std::to_string(request.max_body) + " bytes"};
    return CURL_WRITEFUNC_ERROR;
  }
  body.append(data, bytes);
  return bytes;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  std::size_t capacity = size * count;
  const Request& request = *state->request;
  if (request.body_reader) {
    auto got = request.body_reader(buffer, capacity);
    if (!got) {
      state->callback_error = std::move(got.error());
      return CURL_READFUNC_ABORT;
    }
    if (*got > capacity) {
      state->callback_error = Error{ErrorCategory::internal, "body reader returned more bytes than asked for"};
      return CURL_READFUNC_ABORT;
    }
    return *got;
  }
  std::size_t left = request.body.size() - state->upload_offset;
  std::size_t n = left < capacity ? left : capacity;
  std::memcpy(buffer, request.body.data() + state->upload_offset, n);
  state->upload_offset += n;
  return n;
}

// curl rewinds an upload when it must resend it (a reused connection that turned out dead). An
// in-memory body can be rewound; a streamed one cannot, and curl then fails the transfer.
int on_seek(void* user, curl_off_t offset, int origin) {
  auto* state = static_cast<TransferState*>(user);
  if (state->request->body_reader || origin != SEEK_SET || offset < 0 ||
      static_cast<std::size_t>(offset) > state->request->body.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  state->upload_offset = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

bool has_body(const Request& request, const Hop& hop) {
  if (!hop.send_body) return false;
  if (request.body_reader || !request.body.empty()) return true;
  return hop.method == "POST" || hop.method == "PUT" || hop.method == "PATCH";
}

}  // namespace

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<Response> perform(void* handle, const Request& request, const Hop& hop,
                         const TransferSettings& settings, std::string& redirect_url) {
  CURL* curl = static_cast<CURL*>(handle);
  curl_easy_reset(curl);  // forgets options, keeps the connection cache
  redirect_url.clear();

  Response response;
  TransferState state;
  state.request = &request;
  state.response = &response;
  char error_text[CURL_ERROR_SIZE] = {};

  Slist headers;
  auto append = [&headers](const std::string& line) -> bool {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) return false;
    (void)headers.release();
    headers.reset(next);
    return true;
  };
  bool ok = true;
  for (const auto& [name, value] : hop.headers) {
    // "Name;" is curl's spelling of a header with an empty value; "Name:" would remove it.
    ok = ok && append(value.empty() ? name + ";" : name + ": " + value);
  }
  // curl sends "Expect: 100-continue" before large uploads and waits for the interim answer;
  // registries and their proxies handle it badly, so never send it.
  ok = ok && append("Expect:");
  if (!ok) return fail(ErrorCategory::internal, "out of memory building request headers");

  curl_easy_setopt(curl, CURLOPT_URL, hop.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: we are multi-threaded
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, settings.connect_timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, settings.low_speed_seconds);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  // Layers are large: bigger transfer buffers than curl's 16/64 KiB defaults mean far fewer
  // callbacks and syscalls per GiB (both are only hints; curl clamps them to what it supports).
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, settings.user_agent.c_str());
  // Loopback servers (test registries, local mirrors) are never reached through a proxy from
  // http_proxy/https_proxy, unless the user set no_proxy and so decided for themselves.
  if (std::getenv("no_proxy") == nullptr && std::getenv("NO_PROXY") == nullptr) {
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
  }
  if (!settings.ca_file.empty()) {
    // CURLOPT_CAINFO replaces the system bundle, so the system CAs come back through CAPATH (the
    // hashed directory OpenSSL looks certificates up in): both are trusted.
    curl_easy_setopt(curl, CURLOPT_CAINFO, settings.ca_file.c_str());
    if (!settings.ca_path.empty()) curl_easy_setopt(curl, CURLOPT_CAPATH, settings.ca_path.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &state);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &state);

  if (hop.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (hop.method == "GET" && !has_body(request, hop)) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    if (has_body(request, hop)) {
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(curl, CURLOPT_READDATA, &state);
      curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, on_seek);
      curl_easy_setopt(curl, CURLOPT_SEEKDATA, &state);
      // A known size becomes Content-Length; -1 makes curl send Transfer-Encoding: chunked.
      curl_off_t size = request.body_reader ? static_cast<curl_off_t>(request.body_size)
                                            : static_cast<curl_off_t>(request.body.size());
      curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, size);
    }
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, hop.method.c_str());
  }

  CURLcode code = curl_easy_perform(curl);
  if (state.callback_error) return std::unexpected(std::move(*state.callback_error));
  if (code != CURLE_OK) {
    std::string text = error_text[0] != '\0' ? std::string(error_text) : std::string(curl_easy_strerror(code));
    return fail(ErrorCategory::network, text);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = status;
  response.effective_url = hop.url;
  if (status >= 300 && status < 400) {
    char* location = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location != nullptr) {
      redirect_url = location;
    }
  }
  return response;
}

}  // namespace sigil::http::detail
