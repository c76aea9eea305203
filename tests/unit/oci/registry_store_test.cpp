// RegistryStore against Debian's real docker-registry (distribution 2.8): blobs (monolithic and
// chunked), manifests by tag and digest, tags with pagination, referrers through the tag-schema
// fallback, basic auth from a docker config, token auth with pull, push and cross-repo mount.
#include "oci/registry_store.hpp"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "common/json.hpp"
#include "oci/detail/registry_referrers.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "oci/registry_session.hpp"
#include "support/docker_config.hpp"
#include "support/registry_server.hpp"
#include "support/test_image.hpp"

namespace sigil::oci {
namespace {

using test::RegistryAuth;
using test::RegistryServer;

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::unique_ptr<RegistryStore> open_repo(const std::string& host, const std::string& repo,
                                         const RegistryOptions& options = {}) {
  auto ref = Reference::parse(host + "/" + repo);
  EXPECT_TRUE(ref) << ref.error().message;
  auto store = RegistryStore::open(*ref, options);
  EXPECT_TRUE(store) << store.error().message;
  return store ? std::move(*store) : nullptr;
}

// A source that fails the test if anything reads it.
class UntouchableSource final : public BlobSource {
 public:
  Result<std::size_t> read(char*, std::size_t) override {
    ADD_FAILURE() << "source read although the blob exists";
    return 0;
  }
};

test::TestImageOptions tagged(std::string tag) {
  test::TestImageOptions o;
  o.tag = std::move(tag);
  return o;
}

class RegistryStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { registry_.start(); }
  static void TearDownTestSuite() { registry_.stop(); }
  void SetUp() override { SIGIL_REQUIRE_SUITE_REGISTRY(registry_); }
  std::string host() const { return registry_.host_port(); }

  static test::SuiteRegistry registry_;
};
test::SuiteRegistry RegistryStoreTest::registry_;

TEST_F(RegistryStoreTest, SmallBlobRoundTripAndSkipWhenPresent) {
  auto store = open_repo(host(), "blobs/small");
  ASSERT_TRUE(store);
  std::string bytes = random_bytes(10'000, 1);
  Descriptor desc = Descriptor::of(bytes, "application/octet-stream");
  auto has = store->has_blob(desc);
  ASSERT_TRUE(has) << has.error().message;
  EXPECT_FALSE(*has);
  ASSERT_TRUE(store->push_blob_bytes(desc, bytes));
  EXPECT_TRUE(store->has_blob(desc).value_or(false));
  UntouchableSource untouchable;
  ASSERT_TRUE(store->push_blob(desc, untouchable));
  auto back = store->fetch_blob_bytes(desc, 1 << 20);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, bytes);
}

TEST_F(RegistryStoreTest, EmptyBlob) {
  auto store = open_repo(host(), "blobs/empty");
  Descriptor desc = Descriptor::of("", "application/octet-stream");
  ASSERT_TRUE(store->push_blob_bytes(desc, ""));
  auto back = store->fetch_blob_bytes(desc, 16);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, "");
}

TEST_F(RegistryStoreTest, LargeBlobGoesInChunks) {
  RegistryOptions options;
  options.chunk_threshold = 1 << 20;
  options.chunk_size = 1 << 20;
  auto store = open_repo(host(), "blobs/large", options);
  std::string bytes = random_bytes(3'000'000, 2);
  Descriptor desc = Descriptor::of(bytes, "application/octet-stream");
  auto pushed = store->push_blob_bytes(desc, bytes);
  ASSERT_TRUE(pushed) << pushed.error().message;
  auto back = store->fetch_blob_bytes(desc, 4 << 20);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->size(), bytes.size());
  EXPECT_TRUE(*back == bytes);
}

TEST_F(RegistryStoreTest, SourceNotMatchingTheDigestIsRefused) {
  for (std::int64_t threshold : {std::int64_t{64} << 20, std::int64_t{1000}}) {
    RegistryOptions options;
    options.chunk_threshold = threshold;
    options.chunk_size = 1000;
    auto store = open_repo(host(), "blobs/mismatch", options);
    std::string bytes = random_bytes(5000, 3);
    Descriptor desc = Descriptor::of(bytes, "application/octet-stream");
    std::string other = bytes;
    other[4000] ^= 1;
    auto pushed = store->push_blob_bytes(desc, other);
    ASSERT_FALSE(pushed);
    EXPECT_EQ(pushed.error().category, ErrorCategory::integrity) << pushed.error().message;
    EXPECT_FALSE(store->has_blob(desc).value_or(true));
    // A short source is refused too.
    pushed = store->push_blob_bytes(desc, bytes.substr(0, 4999));
    ASSERT_FALSE(pushed);
    EXPECT_EQ(pushed.error().category, ErrorCategory::integrity) << pushed.error().message;
    EXPECT_FALSE(store->has_blob(desc).value_or(true));
  }
}

TEST_F(RegistryStoreTest, ManifestByTagAndByDigest) {
  auto store = open_repo(host(), "images/app");
  test::TestImageOptions opts;
  opts.tag = "v1";
  auto image = test::write_test_image(*store, opts);
  ASSERT_TRUE(image) << image.error().message;

  auto by_tag = store->resolve("v1");
  ASSERT_TRUE(by_tag) << by_tag.error().message;
  EXPECT_EQ(by_tag->digest, image->manifest.digest);
  EXPECT_EQ(by_tag->size, image->manifest.size);
  EXPECT_EQ(by_tag->media_type, media_type::kOciManifest);
  auto by_digest = store->resolve(image->manifest.digest.str());
  ASSERT_TRUE(by_digest) << by_digest.error().message;
  EXPECT_EQ(by_digest->digest, image->manifest.digest);

  auto raw = store->fetch_manifest(*by_tag);
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(*raw, image->manifest_raw);
  EXPECT_TRUE(store->has_manifest(image->manifest).value_or(false));

  // Untagged push: by digest only.
  opts.tag.reset();
  opts.seed = 99;
  auto untagged = test::write_test_image(*store, opts);
  ASSERT_TRUE(untagged) << untagged.error().message;
  EXPECT_TRUE(store->has_manifest(untagged->manifest).value_or(false));
  auto tags = store->tags();
  ASSERT_TRUE(tags);
  EXPECT_EQ(*tags, std::vector<std::string>{"v1"});

  auto missing = store->resolve("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().category, ErrorCategory::input);
  EXPECT_NE(missing.error().message.find("MANIFEST_UNKNOWN"), std::string::npos) << missing.error().message;
  auto bad_tag = store->resolve("-bad");
  ASSERT_FALSE(bad_tag);
  EXPECT_EQ(bad_tag.error().category, ErrorCategory::input);
}

TEST_F(RegistryStoreTest, PushManifestRefusesMissingBlobs) {
  auto store = open_repo(host(), "images/broken");
  std::string config = "{}";
  Descriptor cfg = Descriptor::of(config, media_type::kOciConfig);
  Json m = {{"schemaVersion", 2}, {"mediaType", media_type::kOciManifest}, {"config", cfg.to_json()},
            {"layers", Json::array()}};
  auto pushed = store->push_manifest(dump_json(m), media_type::kOciManifest, "t");
  ASSERT_FALSE(pushed);
  EXPECT_EQ(pushed.error().category, ErrorCategory::input);
  EXPECT_NE(pushed.error().message.find("MANIFEST_BLOB_UNKNOWN"), std::string::npos) << pushed.error().message;
}

TEST_F(RegistryStoreTest, TagsFollowPagination) {
  RegistryOptions options;
  options.tags_page_size = 2;
  auto store = open_repo(host(), "images/many-tags", options);
  auto image = test::write_test_image(*store, {});
  ASSERT_TRUE(image) << image.error().message;
  std::vector<std::string> want = {"a", "b", "c", "d", "e", "v1.0"};
  for (auto it = want.rbegin(); it != want.rend(); ++it) {
    ASSERT_TRUE(store->push_manifest(image->manifest_raw, media_type::kOciManifest, *it));
  }
  auto tags = store->tags();
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(*tags, want);
  auto empty = open_repo(host(), "images/never-pushed")->tags();
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->empty());
}

TEST_F(RegistryStoreTest, ReferrersThroughTheTagSchemaFallback) {
  auto store = open_repo(host(), "images/signed");
  auto image = test::write_test_image(*store, {});
  ASSERT_TRUE(image) << image.error().message;
  auto none = store->referrers(image->manifest.digest);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty());

  auto sig = test::write_test_referrer(*store, image->manifest, "application/vnd.example.sig", "sig",
                                       {{"org.example.kind", "signature"}});
  ASSERT_TRUE(sig) << sig.error().message;
  auto sbom = test::write_test_referrer(*store, image->manifest, "application/vnd.example.sbom", "sbom");
  ASSERT_TRUE(sbom) << sbom.error().message;
  // Re-pushing the same referrer adds no duplicate.
  auto again = test::write_test_referrer(*store, image->manifest, "application/vnd.example.sig", "sig",
                                         {{"org.example.kind", "signature"}});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->digest, sig->digest);

  auto all = store->referrers(image->manifest.digest);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].digest, sig->digest);
  EXPECT_EQ((*all)[0].artifact_type, "application/vnd.example.sig");
  EXPECT_EQ((*all)[0].annotations.at("org.example.kind"), "signature");
  EXPECT_EQ((*all)[0].media_type, media_type::kOciManifest);
  EXPECT_EQ((*all)[1].digest, sbom->digest);

  auto sigs = store->referrers(image->manifest.digest, "application/vnd.example.sig");
  ASSERT_TRUE(sigs);
  ASSERT_EQ(sigs->size(), 1u);
  EXPECT_EQ((*sigs)[0].digest, sig->digest);
  auto nothing = store->referrers(image->manifest.digest, "application/other");
  ASSERT_TRUE(nothing);
  EXPECT_TRUE(nothing->empty());

  // The index lives at the spec's tag, as other tools (oras, cosign) expect.
  auto tags = store->tags();
  ASSERT_TRUE(tags);
  std::string tag = detail::referrers_tag(image->manifest.digest);
  EXPECT_NE(std::find(tags->begin(), tags->end(), tag), tags->end());
  auto index = store->resolve(tag);
  ASSERT_TRUE(index) << index.error().message;
  EXPECT_EQ(index->media_type, media_type::kOciIndex);
}

TEST_F(RegistryStoreTest, ConcurrentReferrerPushesWithinASessionKeepEveryEntry) {
  auto store = open_repo(host(), "images/busy");
  auto image = test::write_test_image(*store, {});
  ASSERT_TRUE(image) << image.error().message;
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  std::vector<Result<Descriptor>> results(kThreads, fail(ErrorCategory::internal, "not run"));
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto ref = Reference::parse(host() + "/images/busy");
      auto s = RegistryStore::open(*ref, store->session());
      results[i] = test::write_test_referrer(**s, image->manifest, "application/vnd.example.t" + std::to_string(i),
                                             "payload " + std::to_string(i));
    });
  }
  for (auto& t : threads) t.join();
  for (auto& r : results) ASSERT_TRUE(r) << r.error().message;
  auto all = store->referrers(image->manifest.digest);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->size(), static_cast<std::size_t>(kThreads));
}

TEST_F(RegistryStoreTest, FetchVerifiesAgainstTheDescriptor) {
  auto store = open_repo(host(), "images/verify");
  auto image = test::write_test_image(*store, {});
  ASSERT_TRUE(image) << image.error().message;
  // A descriptor whose size understates the blob: the extra bytes are refused.
  Descriptor wrong = image->layers[0];
  wrong.size -= 1;
  MemorySink sink(1 << 20);
  auto r = store->fetch_blob(wrong, sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::integrity) << r.error().message;
  auto missing = Descriptor::of("not there", "application/octet-stream");
  MemorySink sink2(1 << 20);
  r = store->fetch_blob(missing, sink2);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::input);
  EXPECT_NE(r.error().message.find("BLOB_UNKNOWN"), std::string::npos) << r.error().message;
}

TEST(RegistryAuthTest, BasicAuthWithDockerConfig) {
  SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::basic);
  test::RegistryOptions registry_options;
  registry_options.auth = RegistryAuth::basic;
  RegistryServer registry(registry_options);
  ASSERT_TRUE(registry.running()) << registry.failure();

  test::DockerConfigDir empty;
  empty.write();
  RegistryOptions anonymous;
  anonymous.docker_config_dir = empty.dir();
  anonymous.max_retries = 0;
  auto denied = open_repo(registry.host_port(), "private/app", anonymous)->tags();
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().category, ErrorCategory::input);
  EXPECT_NE(denied.error().message.find("401"), std::string::npos) << denied.error().message;

  test::DockerConfigDir config;
  config.add_auth(registry.host_port(), registry.options().username, registry.options().password);
  config.write();
  RegistryOptions options;
  options.docker_config_dir = config.dir();
  auto store = open_repo(registry.host_port(), "private/app", options);
  auto image = test::write_test_image(*store, tagged("v1"));
  ASSERT_TRUE(image) << image.error().message;
  auto resolved = store->resolve("v1");
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(resolved->digest, image->manifest.digest);

  test::DockerConfigDir wrong;
  wrong.add_auth(registry.host_port(), registry.options().username, "wrong");
  wrong.write();
  options.docker_config_dir = wrong.dir();
  auto refused = open_repo(registry.host_port(), "private/app", options)->resolve("v1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().category, ErrorCategory::input);
}

TEST(RegistryAuthTest, TokenAuthPullPushAndCrossRepoMount) {
  SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::token);
  test::RegistryOptions registry_options;
  registry_options.auth = RegistryAuth::token;
  RegistryServer registry(registry_options);
  ASSERT_TRUE(registry.running()) << registry.failure();
  test::DockerConfigDir config;
  config.add_auth(registry.host_port(), registry.options().username, registry.options().password);
  config.write();
  RegistryOptions options;
  options.docker_config_dir = config.dir();
  auto session = RegistrySession::create(options);
  auto src_ref = Reference::parse(registry.host_port() + "/team/source");
  auto src = RegistryStore::open(*src_ref, session);
  ASSERT_TRUE(src);
  auto image = test::write_test_image(**src, tagged("v1"));
  ASSERT_TRUE(image) << image.error().message;
  auto resolved = (*src)->resolve("v1");
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(resolved->digest, image->manifest.digest);
  auto raw = (*src)->fetch_manifest(*resolved);
  ASSERT_TRUE(raw) << raw.error().message;

  auto dst_ref = Reference::parse(registry.host_port() + "/team/dest");
  auto dst = RegistryStore::open(*dst_ref, session);
  ASSERT_TRUE(dst);
  auto mounted = (*dst)->mount_blob(image->layers[0], "team/source");
  ASSERT_TRUE(mounted) << mounted.error().message;
  EXPECT_TRUE(*mounted);
  EXPECT_TRUE((*dst)->has_blob(image->layers[0]).value_or(false));
  auto absent = Descriptor::of("never pushed", "application/octet-stream");
  auto not_mounted = (*dst)->mount_blob(absent, "team/source");
  ASSERT_TRUE(not_mounted) << not_mounted.error().message;
  EXPECT_FALSE(*not_mounted);

  // Tokens are cached: a second resolve needs no new token.
  std::size_t issued = registry.token_server()->tokens_issued();
  ASSERT_TRUE((*src)->resolve("v1"));
  EXPECT_EQ(registry.token_server()->tokens_issued(), issued);

  test::DockerConfigDir wrong;
  wrong.add_auth(registry.host_port(), registry.options().username, "wrong");
  wrong.write();
  options.docker_config_dir = wrong.dir();
  auto refused = open_repo(registry.host_port(), "team/source", options)->resolve("v1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().category, ErrorCategory::input) << refused.error().message;
}

}  // namespace
}  // namespace sigil::oci
