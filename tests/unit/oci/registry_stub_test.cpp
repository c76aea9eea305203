// RegistryStore against a stub registry (support/http_stub) for what the real registry cannot
// show: tampered bytes, oversize manifests, the native referrers API, 429/503 handling, the exact
// upload protocol (relative/absolute Locations, chunk ranges), mounts, OCI-Subject, bearer tokens.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>

#include "common/file.hpp"
#include "common/json.hpp"
#include "oci/detail/registry_referrers.hpp"
#include "oci/media_types.hpp"
#include "oci/registry_store.hpp"
#include "support/http_stub.hpp"
#include "support/temp_dir.hpp"

namespace sigil::oci {
namespace {

using test::HttpStub;
using test::StubRequest;
using test::StubResponse;

const std::string kRepo = "team/app";

std::unique_ptr<RegistryStore> open_stub(const HttpStub& stub, RegistryOptions options = {}) {
  // An empty docker config dir: the developer's own credentials never reach a stub.
  static test::TempDir no_config;
  if (options.docker_config_dir.empty()) options.docker_config_dir = no_config.path();
  auto ref = Reference::parse(stub.host_port() + "/" + kRepo);
  EXPECT_TRUE(ref) << ref.error().message;
  auto store = RegistryStore::open(*ref, options);
  EXPECT_TRUE(store) << store.error().message;
  return store ? std::move(*store) : nullptr;
}

std::string path(const std::string& rest) { return "/v2/" + kRepo + rest; }

StubResponse manifest_response(const std::string& body, const std::string& digest = "") {
  StubResponse r{200, {{"Content-Type", std::string(media_type::kOciManifest)}}, body};
  if (!digest.empty()) r.headers.emplace_back("Docker-Content-Digest", digest);
  return r;
}

const std::string kManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]})";

std::size_t count_requests(const HttpStub& stub, std::string_view method, std::string_view path_prefix) {
  std::size_t n = 0;
  for (const auto& r : stub.requests()) {
    if (r.method == method && r.path.starts_with(path_prefix)) ++n;
  }
  return n;
}

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
struct UploadStub {
  std::mutex mutex;
  std::vector<StubRequest> log;
  std::string received;
  std::string post_answers_201;  ///< when set: the POST completes the upload with this digest

  StubResponse handle(const StubRequest& r, const std::string& base) {
    std::lock_guard lock(mutex);
    if (r.path == "/v2/") return {200, {}, ""};
    log.push_back(r);
    if (r.method == "HEAD") return StubResponse{404, {}, ""};
    if (r.method == "POST") {
      if (!post_answers_201.empty()) {
        return {201, {{"Location", path("/blobs/x")}, {"Docker-Content-Digest", post_answers_201}}, ""};
      }
      return {202, {{"Location", path("/blobs/uploads/u1?_state=abc")}}, ""};  // relative, with a query
    }
    if (r.method == "PATCH") {
      received += r.body;
      // Absolute Location with a new state, as distribution answers.
      return {202, {{"Location", base + path("/blobs/uploads/u2?_state=s" + std::to_string(received.size()))}}, ""};
    }
    if (r.method == "PUT") {
      received += r.body;
      return {201, {{"Location", path("/blobs/done")}}, ""};
    }
    return {500, {}, ""};
  }
};

TEST(RegistryStub, MonolithicUploadFollowsARelativeLocationKeepingItsQuery) {
  UploadStub up;
  HttpStub stub([&](const StubRequest& r) { return up.handle(r, ""); });
  auto store = open_stub(stub);
  std::string bytes = "hello blob";
  Descriptor desc = Descriptor::of(bytes, "application/octet-stream");
  auto pushed = store->push_blob_bytes(desc, bytes);
  ASSERT_TRUE(pushed) << pushed.error().message;
  ASSERT_EQ(up.log.size(), 3u);  // HEAD, POST, PUT
  const auto& put = up.log[2];
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.path, path("/blobs/uploads/u1"));
  EXPECT_EQ(put.query_param("_state").value_or(""), "abc");
  EXPECT_EQ(put.query_param("digest").value_or(""), desc.digest.str());
  EXPECT_EQ(put.body, bytes);
  EXPECT_FALSE(put.chunked);
  EXPECT_EQ(put.header("content-length").value_or(""), std::to_string(bytes.size()));
}

TEST(RegistryStub, PostAnswering201CompletesTheUpload) {
  UploadStub up;
  HttpStub stub([&](const StubRequest& r) { return up.handle(r, ""); });
  auto store = open_stub(stub);
  Descriptor desc = Descriptor::of("already there", "application/octet-stream");
  up.post_answers_201 = desc.digest.str();
  auto pushed = store->push_blob_bytes(desc, "already there");
  ASSERT_TRUE(pushed) << pushed.error().message;
  ASSERT_EQ(up.log.size(), 2u);  // HEAD, POST: no PUT
  EXPECT_EQ(up.log[1].method, "POST");
  up.log.clear();
  up.post_answers_201 = Digest::of("something else").str();
  pushed = store->push_blob_bytes(desc, "already there");
  ASSERT_FALSE(pushed);
  EXPECT_EQ(pushed.error().category, ErrorCategory::integrity);
}

TEST(RegistryStub, ChunkedUploadSendsOrderedRangesThenClosingPut) {
  UploadStub up;
  std::string base;
  HttpStub stub([&](const StubRequest& r) { return up.handle(r, base); });
  base = stub.base_url();
  RegistryOptions options;
  options.chunk_threshold = 10;
  options.chunk_size = 4;
  auto store = open_stub(stub, options);
  std::string bytes = "0123456789a";  // 11 bytes: 4 + 4 + 3
  Descriptor desc = Descriptor::of(bytes, "application/octet-stream");
  auto pushed = store->push_blob_bytes(desc, bytes);
  ASSERT_TRUE(pushed) << pushed.error().message;
  ASSERT_EQ(up.log.size(), 6u);  // HEAD, POST, 3 PATCH, PUT
  std::vector<std::string> ranges;
  for (std::size_t i = 2; i < 5; ++i) {
    EXPECT_EQ(up.log[i].method, "PATCH");
    EXPECT_EQ(up.log[i].header("content-type").value_or(""), "application/octet-stream");
    ranges.push_back(up.log[i].header("content-range").value_or(""));
  }
  EXPECT_EQ(ranges, (std::vector<std::string>{"0-3", "4-7", "8-10"}));
  EXPECT_EQ(up.log[2].path, path("/blobs/uploads/u1"));
  EXPECT_EQ(up.log[3].query_param("_state").value_or(""), "s4");  // each PATCH follows the last Location
  EXPECT_EQ(up.log[4].query_param("_state").value_or(""), "s8");
  const auto& put = up.log[5];
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.query_param("_state").value_or(""), "s11");
  EXPECT_EQ(put.query_param("digest").value_or(""), desc.digest.str());
  EXPECT_TRUE(put.body.empty());
  EXPECT_EQ(up.received, bytes);

  // A source that does not match is caught before the closing PUT.
  up.log.clear();
  up.received.clear();
  auto bad = store->push_blob_bytes(desc, "0123456789b");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().category, ErrorCategory::integrity);
  EXPECT_NE(up.log.back().method, "PUT");
}

TEST(RegistryStub, UploadIsNotRetriedOnceTheBodyWasRead) {
  std::mutex mutex;
  int puts = 0;
  int posts = 0;
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};
    std::lock_guard lock(mutex);
    if (r.method == "HEAD") return StubResponse{404, {}, ""};
    if (r.method == "POST") {
      // The first POST fails before any body is involved: retried.
      if (++posts == 1) return StubResponse{503, {{"Retry-After", "0"}}, ""};
      return StubResponse{202, {{"Location", path("/blobs/uploads/u1")}}, ""};
    }
    ++puts;
    return StubResponse{503, {{"Retry-After", "0"}}, ""};
  });
  auto store = open_stub(stub);
  std::string bytes = "streamed once";
  auto pushed = store->push_blob_bytes(Descriptor::of(bytes, "application/octet-stream"), bytes);
  ASSERT_FALSE(pushed);
  EXPECT_EQ(pushed.error().category, ErrorCategory::network) << pushed.error().message;
  EXPECT_EQ(posts, 2);
  EXPECT_EQ(puts, 1);  // the source cannot be rewound: the copy code decides about a whole-blob retry
}

TEST(RegistryStub, MountDeclinedCancelsTheUpload) {
  std::vector<std::string> seen;
  std::mutex mutex;
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};
    std::lock_guard lock(mutex);
    seen.push_back(r.method + " " + r.target);
    if (r.method == "POST" && r.query_param("mount") && r.query_param("from").value_or("") == "other/repo") {
      if (r.query_param("mount") == Digest::of("yes").str()) return StubResponse{201, {{"Location", "/x"}}, ""};
      return StubResponse{202, {{"Location", path("/blobs/uploads/m1")}}, ""};
    }
    if (r.method == "DELETE") return StubResponse{204, {}, ""};
    return StubResponse{500, {}, ""};
  });
  auto store = open_stub(stub);
  auto yes = store->mount_blob(Descriptor::of("yes", "application/octet-stream"), "other/repo");
  ASSERT_TRUE(yes) << yes.error().message;
  EXPECT_TRUE(*yes);
  auto no = store->mount_blob(Descriptor::of("no", "application/octet-stream"), "other/repo");
  ASSERT_TRUE(no) << no.error().message;
  EXPECT_FALSE(*no);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "DELETE " + path("/blobs/uploads/m1"));
}

TEST(RegistryStub, PushManifestChecksTheDigestAndHonoursOciSubject) {
  std::string subject_json = Descriptor::of(kManifest, media_type::kOciManifest).to_json().dump();
  std::string referrer = kManifest.substr(0, kManifest.size() - 1) + R"(,"artifactType":"t","subject":)" +
                         subject_json + "}";
  Digest subject = Digest::of(kManifest);
  std::string tag_path = path("/manifests/" + detail::referrers_tag(subject));
  bool send_subject_header = true;
  std::string digest_header;
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};
    if (r.method == "PUT" && r.path == path("/manifests/" + Digest::of(referrer).str())) {
      StubResponse resp{201, {{"Docker-Content-Digest", digest_header.empty() ? Digest::of(r.body).str() : digest_header}}, ""};
      if (send_subject_header) resp.headers.emplace_back("OCI-Subject", subject.str());
      return resp;
    }
    return StubResponse::text(404, "not found");
  });
  auto store = open_stub(stub);
  auto pushed = store->push_manifest(referrer, media_type::kOciManifest, std::nullopt);
  ASSERT_TRUE(pushed) << pushed.error().message;
  EXPECT_EQ(pushed->artifact_type, "t");
  EXPECT_EQ(count_requests(stub, "GET", tag_path), 0u);  // the registry tracks referrers itself

  send_subject_header = false;  // now the fallback index must be written (the stub refuses it)
  auto fallback = store->push_manifest(referrer, media_type::kOciManifest, std::nullopt);
  ASSERT_FALSE(fallback);
  EXPECT_NE(fallback.error().message.find("referrers"), std::string::npos) << fallback.error().message;
  EXPECT_EQ(count_requests(stub, "GET", tag_path), 1u);
  EXPECT_EQ(count_requests(stub, "PUT", tag_path), 1u);

  send_subject_header = true;
  digest_header = Digest::of("other").str();
  auto wrong = store->push_manifest(referrer, media_type::kOciManifest, std::nullopt);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().category, ErrorCategory::integrity) << wrong.error().message;
}

TEST(RegistryStub, BearerTokenFromTheRealmIsCachedAndSent) {
  std::mutex mutex;
  std::vector<StubRequest> token_requests;
  std::string realm;
  HttpStub stub([&](const StubRequest& r) {
    std::lock_guard lock(mutex);
    if (r.path == "/token") {
      token_requests.push_back(r);
      return StubResponse{200, {{"Content-Type", "application/json"}}, R"({"access_token":"tok-1","expires_in":300})"};
    }
    std::string challenge = "Bearer realm=\"" + realm + "\",service=\"stub-svc\"";
    if (r.header("authorization").value_or("") != "Bearer tok-1") {
      if (r.path != "/v2/") challenge += ",scope=\"repository:" + kRepo + ":pull\"";
      return StubResponse{401, {{"WWW-Authenticate", challenge}}, R"({"errors":[{"code":"UNAUTHORIZED"}]})"};
    }
    return StubResponse{200, {{"Content-Type", "application/json"}}, R"({"name":"team/app","tags":["x"]})"};
  });
  realm = stub.base_url() + "/token";
  auto store = open_stub(stub);
  auto tags = store->tags();
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(*tags, std::vector<std::string>{"x"});
  tags = store->tags();
  ASSERT_TRUE(tags);
  ASSERT_EQ(token_requests.size(), 1u);  // cached for the second call
  EXPECT_EQ(token_requests[0].query_param("service").value_or(""), "stub-svc");
  EXPECT_EQ(token_requests[0].query_param("scope").value_or(""), "repository:" + kRepo + ":pull");
  EXPECT_FALSE(token_requests[0].header("authorization"));  // anonymous: no credentials configured
}

TEST(RegistryStub, UnauthorizedAnswerTriggersOneReauthenticationWithItsScopes) {
  std::mutex mutex;
  std::vector<std::vector<std::string>> token_scopes;
  std::string realm;
  int denied = 0;
  HttpStub stub([&](const StubRequest& r) {
    std::lock_guard lock(mutex);
    if (r.path == "/token") {
      std::vector<std::string> scopes;
      for (std::string_view q = r.query; !q.empty();) {
        auto amp = q.find('&');
        std::string_view item = q.substr(0, amp);
        if (item.starts_with("scope=")) scopes.emplace_back(item.substr(6));
        q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
      }
      token_scopes.push_back(scopes);
      std::string token = "t" + std::to_string(token_scopes.size());
      return StubResponse{200, {}, R"({"token":")" + token + R"(","expires_in":120})"};
    }
    std::string challenge = "Bearer realm=\"" + realm + "\",service=\"svc\"";
    if (r.path == "/v2/") return StubResponse{401, {{"WWW-Authenticate", challenge}}, ""};
    // Only the second token (issued with the extra scope) is good enough.
    if (r.header("authorization").value_or("") != "Bearer t2") {
      ++denied;
      return StubResponse{401, {{"WWW-Authenticate", challenge + ",scope=\"repository:team/app:pull registry:catalog:*\""}}, ""};
    }
    return StubResponse{200, {}, R"({"tags":["ok"]})"};
  });
  realm = stub.base_url() + "/token";
  auto store = open_stub(stub);
  auto tags = store->tags();
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(denied, 1);
  ASSERT_EQ(token_scopes.size(), 2u);
  EXPECT_EQ(token_scopes[0], std::vector<std::string>{"repository%3Ateam%2Fapp%3Apull"});
  EXPECT_EQ(token_scopes[1],
            (std::vector<std::string>{"registry%3Acatalog%3A%2A", "repository%3Ateam%2Fapp%3Apull"}));

  // A registry that keeps saying no gets one retry, then the 401 is the answer.
  stub.set_handler([&](const StubRequest& r) {
    if (r.path == "/token") return StubResponse{200, {}, R"({"token":"useless"})"};
    return StubResponse{401, {{"WWW-Authenticate", "Bearer realm=\"" + realm + "\",scope=\"repository:team/app:pull\""}},
                        R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})"};
  });
  stub.clear_log();
  tags = store->tags();
  ASSERT_FALSE(tags);
  EXPECT_EQ(tags.error().category, ErrorCategory::input);
  EXPECT_NE(tags.error().message.find("401 UNAUTHORIZED"), std::string::npos) << tags.error().message;
  EXPECT_EQ(count_requests(stub, "GET", path("/tags/list")), 2u);
}

TEST(RegistryStub, BasicChallengeLearntFromA401UsesDockerConfigCredentials) {
  test::TempDir config;
  HttpStub stub([&](const StubRequest& r) {
    if (r.path == "/v2/") return StubResponse{200, {}, ""};  // the ping asks for nothing
    if (r.header("authorization").value_or("") != "Basic dTpw") {  // base64("u:p")
      return StubResponse{401, {{"WWW-Authenticate", "Basic realm=\"stub\""}}, ""};
    }
    return StubResponse{200, {}, R"({"tags":["b"]})"};
  });
  // Keyed as "http://host:port": docker matches config keys with any scheme.
  auto written = write_file_atomic(config.path() / "config.json",
                                   R"({"auths":{"http://)" + stub.host_port() + R"(":{"username":"u","password":"p"}}})");
  ASSERT_TRUE(written);
  RegistryOptions options;
  options.docker_config_dir = config.path();
  auto store = open_stub(stub, options);
  auto tags = store->tags();
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(*tags, std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace sigil::oci
