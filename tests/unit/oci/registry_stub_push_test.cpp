// RegistryStore pushes against a stub registry: the exact upload protocol (relative and absolute
// Locations, chunk ranges, 201 to the POST), no replay of consumed bodies, mounts, OCI-Subject.
#include "registry_stub_common.hpp"

namespace sigil::oci {
namespace {

using namespace registry_stub;

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

}  // namespace
}  // namespace sigil::oci
