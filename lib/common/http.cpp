#include "common/http.hpp"

#include <curl/curl.h>
#include <openssl/x509.h>

#include <mutex>

#include "common/detail/http_transfer.hpp"

namespace sigil::http {
namespace {

constexpr int kMaxRedirects = 10;
constexpr std::size_t kMaxIdleHandles = 32;

// curl_global_init is not thread-safe and must run once before any handle exists.
bool global_init() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
  return ok;
}

// The directory of hashed system CA certificates, used beside an extra ca_file.
std::string system_ca_path() {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  if (info != nullptr && info->age >= CURLVERSION_SEVENTH && info->capath != nullptr) return info->capath;
  const char* dir = X509_get_default_cert_dir();
  return dir != nullptr ? dir : "";
}

// "scheme://host:port" in lower case, with the scheme's default port made explicit, so that two
// URLs of one server compare equal. Empty when the URL does not parse.
std::string origin_of(const std::string& url) {
  CURLU* handle = curl_url();
  if (handle == nullptr) return {};
  std::string origin;
  if (curl_url_set(handle, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* scheme = nullptr;
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(handle, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(handle, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      origin = detail::ascii_lower(std::string(scheme) + "://" + host + ":" + port);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(handle);
  return origin;
}

// Which redirects are followed, and how. GET and HEAD follow every redirect. Other methods follow
// 303 as a GET without body, and 307/308 with the same method only when the body is in memory
// (a streamed body cannot be replayed); anything else is returned to the caller as it is.
bool follow(long status, detail::Hop& hop, const Request& request) {
  if (hop.method == "GET" || hop.method == "HEAD") return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  if (status == 303) {
    hop.method = "GET";
    hop.send_body = false;
    return true;
  }
  return (status == 307 || status == 308) && !request.body_reader;
}

}  // namespace

std::optional<std::string> Response::header(std::string_view name) const {
  std::string wanted = detail::ascii_lower(name);
  for (const auto& [key, value] : headers) {
    if (key == wanted) return value;
  }
  return std::nullopt;
}

std::vector<std::string> Response::headers_named(std::string_view name) const {
  std::string wanted = detail::ascii_lower(name);
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (key == wanted) values.push_back(value);
  }
  return values;
}

// Idle easy handles, each with its own connection cache: a handle returned after a request keeps
// its keep-alive connection, and the next request (LIFO) to that server reuses it.
struct Client::Impl {
  detail::TransferSettings settings;
  std::mutex mutex;
  std::vector<CURL*> idle;

  CURL* acquire() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        CURL* curl = idle.back();
        idle.pop_back();
        return curl;
      }
    }
    return curl_easy_init();
  }

  void release(CURL* curl) {
    {
      std::lock_guard lock(mutex);
      if (idle.size() < kMaxIdleHandles) {
        idle.push_back(curl);
        return;
      }
    }
    curl_easy_cleanup(curl);
  }

  ~Impl() {
    for (CURL* curl : idle) curl_easy_cleanup(curl);
  }
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  (void)global_init();
  auto& settings = impl_->settings;
  settings.ca_file = std::move(options.ca_file);
  if (!settings.ca_file.empty()) settings.ca_path = system_ca_path();
  settings.user_agent = std::move(options.user_agent);
  settings.connect_timeout_seconds = options.connect_timeout_seconds;
  settings.low_speed_seconds = options.low_speed_seconds;
}

Client::~Client() = default;

Result<Response> Client::send(const Request& request) {
  std::string context = request.method + " " + request.url;
  if (!global_init()) return fail(ErrorCategory::internal, context + ": curl_global_init failed");
  CURL* curl = impl_->acquire();
  if (curl == nullptr) return fail(ErrorCategory::internal, context + ": curl_easy_init failed");
  struct Releaser {
    Impl* impl;
    CURL* curl;
    ~Releaser() { impl->release(curl); }
  } releaser{impl_.get(), curl};

  const std::string origin = origin_of(request.url);
  detail::Hop hop{request.method, request.url, request.headers, true};
  for (int redirects = 0;; ++redirects) {
    std::string location;
    auto response = detail::perform(curl, request, hop, impl_->settings, location);
    if (!response) return std::unexpected(std::move(response).error().with_context(hop.method + " " + hop.url));
    if (!request.follow_redirects || location.empty() || !follow(response->status, hop, request)) {
      return response;
    }
    if (redirects == kMaxRedirects) {
      return fail(ErrorCategory::network, context + ": more than " + std::to_string(kMaxRedirects) + " redirects");
    }
    // Credentials are meant for the server they were given to: a registry redirecting a blob to
    // object storage must not hand that storage its token.
    if (origin.empty() || origin_of(location) != origin) {
      std::erase_if(hop.headers, [](const auto& header) { return detail::ascii_lower(header.first) == "authorization"; });
    }
    hop.url = std::move(location);
  }
}

}  // namespace sigil::http
