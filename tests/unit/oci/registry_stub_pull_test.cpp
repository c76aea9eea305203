// RegistryStore pulls against a stub registry, for what the real registry cannot show: tampered
// bytes, oversize manifests, the native referrers API, 429/503 handling, refused connections.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "registry_stub_common.hpp"

namespace sigil::oci {
namespace {

using namespace registry_stub;

TEST(RegistryStub, TamperedManifestIsAnIntegrityError) {
  Descriptor desc = Descriptor::of(kManifest, media_type::kOciManifest);
  std::string tampered = kManifest;
  tampered[tampered.size() - 3] = ' ';
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, "{}"};
    return manifest_response(tampered);
  });
  auto store = open_stub(stub);
  auto got = store->fetch_manifest(desc);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().category, ErrorCategory::integrity) << got.error().message;
  EXPECT_NE(got.error().message.find(desc.digest.str()), std::string::npos);

  stub.set_handler([&](const StubRequest&) { return manifest_response(kManifest + "   "); });
  got = store->fetch_manifest(desc);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().category, ErrorCategory::integrity) << got.error().message;
}

TEST(RegistryStub, TamperedBlobIsAnIntegrityError) {
  std::string bytes(100'000, 'x');
  Descriptor desc = Descriptor::of(bytes, "application/octet-stream");
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};
    std::string body = bytes;
    body[50'000] = 'y';
    return StubResponse{200, {}, body};
  });
  auto store = open_stub(stub);
  MemorySink sink(1 << 20);
  auto got = store->fetch_blob(desc, sink);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().category, ErrorCategory::integrity) << got.error().message;
  // A blob longer than its descriptor is cut off at the descriptor's size.
  stub.set_handler([&](const StubRequest&) { return StubResponse{200, {}, bytes + bytes}; });
  MemorySink sink2(1 << 20);
  got = store->fetch_blob(desc, sink2);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().category, ErrorCategory::integrity) << got.error().message;
  EXPECT_LE(sink2.bytes().size(), bytes.size());
}

TEST(RegistryStub, BlobDownloadsFollowRedirectsToStorage) {
  std::string bytes(20'000, 'r');
  Descriptor desc = Descriptor::of(bytes, "application/octet-stream");
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};
    if (r.path == path("/blobs/" + desc.digest.str())) {
      return StubResponse{307, {{"Location", "/storage/object?sig=abc"}}, ""};
    }
    if (r.path == "/storage/object" && r.query_param("sig") == "abc") return StubResponse{200, {}, bytes};
    return StubResponse::text(404, "no");
  });
  auto store = open_stub(stub);
  auto got = store->fetch_blob_bytes(desc, 1 << 20);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(*got == bytes);
}

TEST(RegistryStub, ResolveByTagHashesTheBytesItReceives) {
  Digest real = Digest::of(kManifest);
  std::string header_digest;
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};
    if (r.method == "HEAD") return StubResponse{405, {}, ""};  // forces the GET path
    return manifest_response(kManifest, header_digest);
  });
  auto store = open_stub(stub);
  auto d = store->resolve("v1");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->digest, real);
  EXPECT_EQ(d->size, static_cast<std::int64_t>(kManifest.size()));
  EXPECT_EQ(d->media_type, media_type::kOciManifest);

  header_digest = Digest::of("something else").str();
  d = store->resolve("v1");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().category, ErrorCategory::integrity) << d.error().message;

  header_digest.clear();
  d = store->resolve(Digest::of("other").str());  // by digest: the bytes must match it
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().category, ErrorCategory::integrity) << d.error().message;
}

TEST(RegistryStub, OversizeManifestIsRefused) {
  std::string big(limits::kMaxManifestBytes + 1024 * 1024, ' ');
  bool head_allowed = true;
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};
    if (r.method == "HEAD" && !head_allowed) return StubResponse{405, {}, ""};
    return manifest_response(big, Digest::of(big).str());
  });
  stub.set_log_bodies(false);
  auto store = open_stub(stub);
  auto d = store->resolve("big");  // refused from the HEAD's Content-Length
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().category, ErrorCategory::input) << d.error().message;
  EXPECT_NE(d.error().message.find("limit"), std::string::npos) << d.error().message;
  EXPECT_EQ(count_requests(stub, "GET", path("/manifests")), 0u);

  head_allowed = false;  // the GET is cut off at the limit
  d = store->resolve("big");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().category, ErrorCategory::input) << d.error().message;

  Descriptor huge = Descriptor::of("x", media_type::kOciManifest);
  huge.size = static_cast<std::int64_t>(big.size());
  stub.clear_log();
  auto m = store->fetch_manifest(huge);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().category, ErrorCategory::input) << m.error().message;
  EXPECT_EQ(count_requests(stub, "GET", path("/manifests")), 0u);
}

Json referrer_entry(const std::string& payload, const std::string& artifact_type) {
  Descriptor d = Descriptor::of(payload, media_type::kOciManifest);
  d.artifact_type = artifact_type;
  d.annotations["n"] = payload;
  return d.to_json();
}

TEST(RegistryStub, NativeReferrersApiWithPaginationAndFilters) {
  Digest subject = Digest::of(kManifest);
  const std::string sig = "application/vnd.example.sig";
  bool server_filters = false;
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};
    if (r.path != path("/referrers/" + subject.str())) return StubResponse{500, {}, "unexpected"};
    bool page2 = r.query_param("page").value_or("") == "2";
    Json manifests = page2 ? Json::array({referrer_entry("c", sig)})
                           : Json::array({referrer_entry("a", sig), referrer_entry("b", "application/sbom")});
    auto filter = r.query_param("artifactType");
    StubResponse resp{200, {{"Content-Type", std::string(media_type::kOciIndex)}}, ""};
    if (server_filters && filter) {
      Json kept = Json::array();
      for (auto& m : manifests) {
        if (m["artifactType"] == *filter) kept.push_back(m);
      }
      manifests = kept;
      resp.headers.emplace_back("OCI-Filters-Applied", "artifactType");
    }
    if (!page2) {
      resp.headers.emplace_back("Link", "<" + path("/referrers/" + subject.str()) + "?page=2" +
                                            (filter ? "&artifactType=" + *filter : "") + ">; rel=\"next\"");
    }
    resp.body = dump_json(Json{{"schemaVersion", 2}, {"mediaType", media_type::kOciIndex}, {"manifests", manifests}});
    return resp;
  });
  auto store = open_stub(stub);

  auto all = store->referrers(subject);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].annotations.at("n"), "a");
  EXPECT_EQ((*all)[2].annotations.at("n"), "c");

  // The registry ignores the filter (no OCI-Filters-Applied): sigil filters.
  auto sigs = store->referrers(subject, sig);
  ASSERT_TRUE(sigs) << sigs.error().message;
  ASSERT_EQ(sigs->size(), 2u);
  EXPECT_EQ((*sigs)[0].annotations.at("n"), "a");
  EXPECT_EQ((*sigs)[1].annotations.at("n"), "c");

  server_filters = true;
  stub.clear_log();
  sigs = store->referrers(subject, sig);
  ASSERT_TRUE(sigs) << sigs.error().message;
  ASSERT_EQ(sigs->size(), 2u);
  auto requests = stub.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.back().query_param("artifactType").value_or(""), sig);
  // The fallback tag is never consulted when the API answers.
  EXPECT_EQ(count_requests(stub, "GET", path("/manifests")), 0u);
}

TEST(RegistryStub, ReferrersFallBackToTheTagSchemaOn404) {
  Digest subject = Digest::of(kManifest);
  std::string tag_path = path("/manifests/" + detail::referrers_tag(subject));
  Json index = {{"schemaVersion", 2},
                {"mediaType", media_type::kOciIndex},
                {"manifests", Json::array({referrer_entry("a", "t1"), referrer_entry("b", "t2")})}};
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};
    if (r.path == tag_path) {
      return StubResponse{200, {{"Content-Type", std::string(media_type::kOciIndex)}}, dump_json(index)};
    }
    return StubResponse::text(404, "404 page not found");
  });
  auto store = open_stub(stub);
  auto got = store->referrers(subject, "t2");
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().annotations.at("n"), "b");
}

TEST(RegistryStub, TooManyRequestsHonoursRetryAfter) {
  int calls = 0;
  std::mutex mutex;
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};
    std::lock_guard lock(mutex);
    if (++calls == 1) {
      return StubResponse{429, {{"Retry-After", "1"}, {"Content-Type", "application/json"}},
                          R"({"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]})"};
    }
    return StubResponse{200, {{"Content-Type", "application/json"}}, R"({"name":"team/app","tags":["b","a"]})"};
  });
  auto store = open_stub(stub);
  auto start = std::chrono::steady_clock::now();
  auto tags = store->tags();
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(*tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(calls, 2);
  EXPECT_GE(elapsed, std::chrono::milliseconds(950));
}

TEST(RegistryStub, PersistentServerErrorsGiveUpAsNetworkErrors) {
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};
    return StubResponse{503, {{"Retry-After", "0"}}, "busy"};
  });
  RegistryOptions options;
  options.max_retries = 2;
  auto store = open_stub(stub, options);
  auto tags = store->tags();
  ASSERT_FALSE(tags);
  EXPECT_EQ(tags.error().category, ErrorCategory::network);
  EXPECT_NE(tags.error().message.find("503"), std::string::npos) << tags.error().message;
  EXPECT_EQ(count_requests(stub, "GET", path("/tags/list")), 3u);

  // 404 is not retried.
  stub.set_handler([](const StubRequest&) { return StubResponse::text(404, "no"); });
  stub.clear_log();
  auto d = store->resolve("x");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().category, ErrorCategory::input);
  EXPECT_EQ(count_requests(stub, "GET", path("/manifests")), 1u);
}

TEST(RegistryStub, ConnectionRefusedIsANetworkError) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);  // nothing listens on this port now
  auto ref = Reference::parse("127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/a/b");
  ASSERT_TRUE(ref);
  RegistryOptions options;
  options.max_retries = 0;
  auto store = RegistryStore::open(*ref, options);
  ASSERT_TRUE(store);
  auto d = (*store)->resolve("latest");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().category, ErrorCategory::network) << d.error().message;
}

// A minimal upload endpoint recording what arrived.
}  // namespace
}  // namespace sigil::oci
