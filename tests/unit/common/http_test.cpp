#include "common/http.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <cstdint>
#include <thread>

#include "support/docker_config.hpp"
#include "support/http_stub.hpp"

namespace sigil::http {
namespace {

using test::HttpStub;
using test::StubRequest;
using test::StubResponse;

constexpr std::size_t k20MiB = 20 * 1024 * 1024;

// Deterministic noise, so a lost or reordered chunk changes the content.
std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  std::uint32_t x = 2463534242u;
  for (auto& c : bytes) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return bytes;
}

// A body_reader over a string, handing out at most `step` bytes per call.
auto reader_over(const std::string& data, std::size_t step = 7000) {
  return [&data, step, offset = std::size_t{0}](char* buffer, std::size_t capacity) mutable -> Result<std::size_t> {
    std::size_t n = std::min({capacity, step, data.size() - offset});
    std::copy_n(data.data() + offset, n, buffer);
    offset += n;
    return n;
  };
}

// Designated initializers would be shorter, but GCC 12 warns about the members they omit.
Request req(std::string method, std::string url, std::string body = {}) {
  Request request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.body = std::move(body);
  return request;
}

StubResponse echo(const StubRequest& request) {
  StubResponse response = StubResponse::text(201, request.method + " " + request.target + " " + request.body);
  response.headers.emplace_back("X-Body-Length", std::to_string(request.body.size()));
  return response;
}

TEST(HttpClient, GetReturnsStatusLowerCasedHeadersAndErrorBody) {
  HttpStub stub([](const StubRequest&) {
    StubResponse response = StubResponse::text(404, R"({"errors":[{"code":"NAME_UNKNOWN"}]})", "application/json");
    response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"a\"");
    response.headers.emplace_back("Www-Authenticate", "Bearer realm=\"b\"");
    return response;
  });
  Client client;
  bool streamed = false;
  Request request = req("GET", stub.base_url() + "/v2/x?n=1");
  request.headers = {{"Accept", "application/json"}};
  request.on_body = [&](std::string_view) -> Result<void> {
    streamed = true;
    return {};
  };
  auto response = client.send(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 404);
  EXPECT_FALSE(streamed) << "non-2xx bodies are collected, not streamed";
  EXPECT_EQ(response->body, R"({"errors":[{"code":"NAME_UNKNOWN"}]})");
  EXPECT_EQ(response->header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(response->headers_named("www-authenticate"),
            (std::vector<std::string>{"Basic realm=\"a\"", "Bearer realm=\"b\""}));
  for (const auto& header : response->headers) {
    EXPECT_TRUE(std::none_of(header.first.begin(), header.first.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); }))
        << header.first;
  }
  EXPECT_EQ(response->effective_url, stub.base_url() + "/v2/x?n=1");
  auto requests = stub.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/v2/x?n=1");
  EXPECT_EQ(requests[0].header("accept"), "application/json");
  EXPECT_EQ(requests[0].header("user-agent"), "sigil/" SIGIL_VERSION);
}

TEST(HttpClient, PutPostPatchDeleteSendMethodAndBody) {
  HttpStub stub(echo);
  Client client;
  for (std::string method : {"PUT", "POST", "PATCH"}) {
    auto response = client.send(req(method, stub.base_url() + "/up", "payload-" + method));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 201);
    EXPECT_EQ(response->body, method + " /up payload-" + method);
  }
  // An empty POST (start of a registry upload) still says Content-Length: 0.
  auto empty = client.send(req("POST", stub.base_url() + "/v2/r/blobs/uploads/"));
  ASSERT_TRUE(empty) << empty.error().message;
  auto deleted = client.send(req("DELETE", stub.base_url() + "/gone"));
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_EQ(deleted->body, "DELETE /gone ");

  auto requests = stub.requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0].header("content-length"), "11");
  EXPECT_EQ(requests[3].method, "POST");
  EXPECT_EQ(requests[3].header("content-length"), "0");
  for (const auto& request : requests) EXPECT_FALSE(request.header("expect")) << request.method;
}

TEST(HttpClient, HeadReturnsHeadersWithoutBody) {
  HttpStub stub([](const StubRequest& request) {
    StubResponse response = StubResponse::text(200, "0123456789");
    response.headers.emplace_back("Docker-Content-Digest", "sha256:abc");
    EXPECT_EQ(request.method, "HEAD");
    return response;
  });
  Client client;
  auto response = client.send(req("HEAD", stub.base_url() + "/v2/r/blobs/sha256:abc"));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("content-length"), "10");
  EXPECT_EQ(response->header("docker-content-digest"), "sha256:abc");
  EXPECT_TRUE(response->body.empty());
}

TEST(HttpClient, StreamsA20MiBUploadWithContentLengthAndChunked) {
  const std::string data = pattern(k20MiB);
  HttpStub stub([&data](const StubRequest& request) {
    return StubResponse::text(request.body == data ? 201 : 400, std::to_string(request.body.size()));
  });
  stub.set_log_bodies(false);
  Client client;
  Request put = req("PUT", stub.base_url() + "/sized");
  put.body_reader = reader_over(data);
  put.body_size = static_cast<std::int64_t>(data.size());
  auto sized = client.send(put);
  ASSERT_TRUE(sized) << sized.error().message;
  EXPECT_EQ(sized->status, 201) << "stub received " << sized->body << " bytes";
  Request patch = req("PATCH", stub.base_url() + "/chunked");
  patch.body_reader = reader_over(data);  // body_size -1: chunked
  auto chunked = client.send(patch);
  ASSERT_TRUE(chunked) << chunked.error().message;
  EXPECT_EQ(chunked->status, 201) << "stub received " << chunked->body << " bytes";

  auto requests = stub.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("content-length"), std::to_string(k20MiB));
  EXPECT_FALSE(requests[0].chunked);
  EXPECT_TRUE(requests[1].chunked);
  EXPECT_FALSE(requests[1].header("content-length"));
  for (const auto& request : requests) EXPECT_FALSE(request.header("expect")) << "Expect: must be disabled";
}

TEST(HttpClient, StreamsA20MiBDownloadPastMaxBody) {
  const std::string data = pattern(k20MiB);
  HttpStub stub([&data](const StubRequest&) { return StubResponse::text(200, data, "application/octet-stream"); });
  Client client;
  std::string received;
  std::size_t calls = 0;
  Request request = req("GET", stub.base_url() + "/blob");
  request.on_body = [&](std::string_view chunk) -> Result<void> {
    ++calls;
    received.append(chunk);
    return {};
  };
  request.max_body = 1024;  // applies to collected bodies only
  auto response = client.send(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->body.empty());
  EXPECT_GT(calls, 1u);
  EXPECT_TRUE(received == data);
}

TEST(HttpClient, CollectedBodyOverMaxBodyIsAnError) {
  HttpStub stub([](const StubRequest&) { return StubResponse::text(200, std::string(5000, 'x')); });
  Client client;
  Request request = req("GET", stub.base_url() + "/big");
  request.max_body = 4096;
  auto response = client.send(request);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().category, ErrorCategory::input);
  EXPECT_EQ(response.error().message, "GET " + stub.base_url() + "/big: response body larger than 4096 bytes");
  request.max_body = 5000;
  auto fits = client.send(request);
  ASSERT_TRUE(fits) << fits.error().message;
  EXPECT_EQ(fits->body.size(), 5000u);
}

TEST(HttpClient, CallbackErrorsComeBackWithContext) {
  HttpStub stub(echo);
  Client client;
  Request put = req("PUT", stub.base_url() + "/u");
  put.body_reader = [](char*, std::size_t) -> Result<std::size_t> {
    return fail(ErrorCategory::integrity, "source went bad");
  };
  auto upload = client.send(put);
  ASSERT_FALSE(upload);
  EXPECT_EQ(upload.error().category, ErrorCategory::integrity);
  EXPECT_EQ(upload.error().message, "PUT " + stub.base_url() + "/u: source went bad");

  Request get = req("GET", stub.base_url() + "/d");
  get.on_body = [](std::string_view) -> Result<void> { return fail(ErrorCategory::internal, "disk full"); };
  auto download = client.send(get);
  ASSERT_FALSE(download);
  EXPECT_EQ(download.error().category, ErrorCategory::internal);
  EXPECT_EQ(download.error().message, "GET " + stub.base_url() + "/d: disk full");
}

TEST(HttpClient, RedirectToAnotherPortDropsAuthorization) {
  HttpStub storage([](const StubRequest&) { return StubResponse::text(200, "blob-bytes"); });
  HttpStub registry([&storage](const StubRequest& request) {
    StubResponse response;
    if (request.path == "/same") {
      response.status = 302;
      response.headers.emplace_back("Location", "/other");
    } else if (request.path == "/other") {
      response = StubResponse::text(200, "same-origin");
    } else {
      response.status = 307;
      response.headers.emplace_back("Location", storage.base_url() + "/storage/blob?sig=1");
    }
    response.headers.emplace_back("X-Hop", "registry");
    return response;
  });
  Client client;
  Headers headers = {{"Authorization", "Bearer secret"}, {"Accept", "*/*"}};
  Request request = req("GET", registry.base_url() + "/v2/r/blobs/sha256:1");
  request.headers = headers;
  auto response = client.send(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "blob-bytes");
  EXPECT_EQ(response->effective_url, storage.base_url() + "/storage/blob?sig=1");
  EXPECT_FALSE(response->header("x-hop")) << "headers must be those of the final response";
  ASSERT_EQ(storage.requests().size(), 1u);
  EXPECT_FALSE(storage.requests()[0].header("authorization"));
  EXPECT_EQ(storage.requests()[0].header("accept"), "*/*");

  request.url = registry.base_url() + "/same";
  auto same = client.send(request);
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_EQ(same->body, "same-origin");
  auto requests = registry.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].path, "/other");
  EXPECT_EQ(requests[2].header("authorization"), "Bearer secret");

  request.follow_redirects = false;
  auto unfollowed = client.send(request);
  ASSERT_TRUE(unfollowed) << unfollowed.error().message;
  EXPECT_EQ(unfollowed->status, 302);
  EXPECT_EQ(unfollowed->header("location"), "/other");
}

TEST(HttpClient, SequentialRequestsReuseOneConnection) {
  HttpStub stub(echo);
  Client client;
  for (int i = 0; i < 10; ++i) {
    auto response = client.send(req(i % 2 ? "PUT" : "GET", stub.base_url() + "/k", i % 2 ? "x" : ""));
    ASSERT_TRUE(response) << response.error().message;
  }
  EXPECT_EQ(stub.requests().size(), 10u);
  EXPECT_EQ(stub.connection_count(), 1u);
}

TEST(HttpClient, ConnectionRefusedIsANetworkError) {
  std::string url;
  {
    HttpStub closed(echo);
    url = closed.base_url() + "/v2/";
  }
  ClientOptions options;
  options.connect_timeout_seconds = 5;
  Client client(options);
  auto response = client.send(req("GET", url));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().category, ErrorCategory::network);
  EXPECT_TRUE(response.error().message.starts_with("GET " + url + ": ")) << response.error().message;
  EXPECT_NE(response.error().message.find("onnect"), std::string::npos) << response.error().message;
}

TEST(HttpClient, ParallelSendsFromFourThreads) {
  HttpStub stub(echo);
  Client client;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string body = std::to_string(t) + "-" + std::to_string(i);
        auto response = client.send(req("POST", stub.base_url() + "/p", body));
        if (response && response->status == 201 && response->body == "POST /p " + body) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(stub.requests().size(), 100u);
  EXPECT_LE(stub.connection_count(), 4u) << "each thread holds one pooled handle at a time";
}

TEST(HttpClient, LoopbackBypassesTheProxyFromTheEnvironment) {
  HttpStub proxy([](const StubRequest&) { return StubResponse::text(502, "proxied"); });
  HttpStub target(echo);
  test::ScopedEnv http_proxy("http_proxy", proxy.base_url());
  test::ScopedEnv no_proxy("no_proxy", std::nullopt);
  test::ScopedEnv no_proxy_upper("NO_PROXY", std::nullopt);
  Client client;
  auto response = client.send(req("GET", target.base_url() + "/direct"));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 201);
  EXPECT_TRUE(proxy.requests().empty());
}

}  // namespace
}  // namespace sigil::http
