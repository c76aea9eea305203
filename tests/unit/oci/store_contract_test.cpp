// One contract, two stores: every behaviour copy/sign/verify rely on, run over LayoutStore and
// RegistryStore (Debian's docker-registry on loopback) alike.
#include <gtest/gtest.h>

#include <functional>

#include "oci/layout_store.hpp"
#include "oci/media_types.hpp"
#include "oci/registry_store.hpp"
#include "support/registry_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::oci {
namespace {

using test::RegistryAuth;
using test::RegistryServer;

struct StoreKind {
  std::string name;
  bool needs_registry;
};

class StoreContract : public ::testing::TestWithParam<StoreKind> {
 protected:
  static void SetUpTestSuite() { registry_.start(); }
  static void TearDownTestSuite() { registry_.stop(); }

  void SetUp() override {
    static int counter = 0;
    std::string repo = "contract/r" + std::to_string(++counter);
    if (GetParam().needs_registry) {
      SIGIL_REQUIRE_SUITE_REGISTRY(registry_);
      auto ref = Reference::parse(registry_.host_port() + "/" + repo);
      ASSERT_TRUE(ref) << ref.error().message;
      RegistryOptions options;
      options.docker_config_dir = dir_.path();  // no credentials
      auto s = RegistryStore::open(*ref, options);
      ASSERT_TRUE(s) << s.error().message;
      store_ = std::move(*s);
    } else {
      auto s = LayoutStore::open(dir_.path() / "layout", true);
      ASSERT_TRUE(s) << s.error().message;
      store_ = std::move(*s);
    }
  }

  static test::SuiteRegistry registry_;
  test::TempDir dir_;
  std::unique_ptr<Store> store_;
};
test::SuiteRegistry StoreContract::registry_;

TEST_P(StoreContract, BlobRoundTrip) {
  std::string bytes(70'000, 'q');
  Descriptor desc = Descriptor::of(bytes, "application/octet-stream");
  auto has = store_->has_blob(desc);
  ASSERT_TRUE(has) << has.error().message;
  EXPECT_FALSE(*has);
  ASSERT_TRUE(store_->push_blob_bytes(desc, bytes));
  EXPECT_TRUE(store_->has_blob(desc).value_or(false));
  auto back = store_->fetch_blob_bytes(desc, 1 << 20);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(*back == bytes);
}

TEST_P(StoreContract, BlobNotMatchingItsDigestIsRefused) {
  Descriptor desc = Descriptor::of("the real bytes", "application/octet-stream");
  auto pushed = store_->push_blob_bytes(desc, "the fake bytes");
  ASSERT_FALSE(pushed);
  EXPECT_EQ(pushed.error().category, ErrorCategory::integrity) << pushed.error().message;
  EXPECT_FALSE(store_->has_blob(desc).value_or(true));
}

TEST_P(StoreContract, MissingBlobIsAnError) {
  Descriptor desc = Descriptor::of("never stored", "application/octet-stream");
  MemorySink sink(1024);
  auto got = store_->fetch_blob(desc, sink);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find(desc.digest.str()), std::string::npos) << got.error().message;
}

TEST_P(StoreContract, ManifestWithTagResolvesAndFetches) {
  test::TestImageOptions opts;
  opts.tag = "v1";
  auto image = test::write_test_image(*store_, opts);
  ASSERT_TRUE(image) << image.error().message;
  for (const std::string& id : {std::string("v1"), image->manifest.digest.str()}) {
    auto d = store_->resolve(id);
    ASSERT_TRUE(d) << id << ": " << d.error().message;
    EXPECT_EQ(d->digest, image->manifest.digest);
    EXPECT_EQ(d->size, image->manifest.size);
    EXPECT_EQ(d->media_type, media_type::kOciManifest);
  }
  auto raw = store_->fetch_manifest(image->manifest);
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(*raw, image->manifest_raw);
  EXPECT_TRUE(store_->has_manifest(image->manifest).value_or(false));
  for (const auto& layer : image->layers) EXPECT_TRUE(store_->has_blob(layer).value_or(false));
  EXPECT_TRUE(store_->has_blob(image->config).value_or(false));
  auto missing = store_->resolve("absent");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().category, ErrorCategory::input) << missing.error().message;
}

TEST_P(StoreContract, TagsAreSorted) {
  auto image = test::write_test_image(*store_, {});
  ASSERT_TRUE(image) << image.error().message;
  for (const char* tag : {"zeta", "alpha", "Beta", "1.0"}) {
    auto pushed = store_->push_manifest(image->manifest_raw, media_type::kOciManifest, std::string(tag));
    ASSERT_TRUE(pushed) << pushed.error().message;
    EXPECT_EQ(pushed->digest, image->manifest.digest);
  }
  auto tags = store_->tags();
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(*tags, (std::vector<std::string>{"1.0", "Beta", "alpha", "zeta"}));
}

TEST_P(StoreContract, ReferrersWithArtifactTypeFilter) {
  auto image = test::write_test_image(*store_, {});
  ASSERT_TRUE(image) << image.error().message;
  auto sig = test::write_test_referrer(*store_, image->manifest, "application/vnd.test.sig", "s1",
                                       {{"org.test.note", "first"}});
  ASSERT_TRUE(sig) << sig.error().message;
  auto att = test::write_test_referrer(*store_, image->manifest, "application/vnd.test.att", "a1");
  ASSERT_TRUE(att) << att.error().message;
  ASSERT_TRUE(test::write_test_referrer(*store_, image->manifest, "application/vnd.test.sig", "s1",
                                        {{"org.test.note", "first"}}));  // again: no duplicate

  auto all = store_->referrers(image->manifest.digest);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->size(), 2u);
  auto sigs = store_->referrers(image->manifest.digest, "application/vnd.test.sig");
  ASSERT_TRUE(sigs) << sigs.error().message;
  ASSERT_EQ(sigs->size(), 1u);
  EXPECT_EQ(sigs->front().digest, sig->digest);
  EXPECT_EQ(sigs->front().artifact_type, "application/vnd.test.sig");
  EXPECT_EQ(sigs->front().annotations.at("org.test.note"), "first");
  auto none = store_->referrers(Digest::of("no such subject"));
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContract, FetchedManifestIsVerifiedAgainstTheDescriptor) {
  auto image = test::write_test_image(*store_, {});
  ASSERT_TRUE(image) << image.error().message;
  Descriptor wrong = image->manifest;
  wrong.digest = Digest::of("a different manifest");
  auto got = store_->fetch_manifest(wrong);
  ASSERT_FALSE(got);  // unknown by that digest: never the bytes of another one
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreContract,
                         ::testing::Values(StoreKind{"layout", false}, StoreKind{"registry", true}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace sigil::oci
