// copy(): layout → layout round trips, platform selection, referrers, Docker schema 2 bytes,
// push order, and failures that must leave the destination untagged.
#include "oci/copy.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "oci/detail/copy_pipe.hpp"
#include "oci/layout_store.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "support/layouts.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::oci {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

test::TestImage must_image(Store& store, std::uint64_t seed, std::string arch = "amd64",
                           std::optional<std::string> tag = std::nullopt) {
  test::TestImageOptions o;
  o.seed = seed;
  o.architecture = std::move(arch);
  o.tag = std::move(tag);
  auto image = test::write_test_image(store, o);
  EXPECT_TRUE(image.has_value()) << (image ? "" : image.error().message);
  return image.value_or(test::TestImage{});
}

// Pushes an OCI index over the given images (with their platforms) and returns its descriptor.
Descriptor must_index(Store& store, const std::vector<std::pair<test::TestImage, std::string>>& images,
                      std::optional<std::string> tag) {
  Index index;
  for (const auto& [image, arch] : images) {
    Descriptor d = image.manifest;
    d.platform = Platform{"linux", arch, "", "", {}};
    index.manifests.push_back(d);
  }
  std::string raw = index.serialize();
  auto pushed = store.push_manifest(raw, media_type::kOciIndex, std::move(tag));
  EXPECT_TRUE(pushed.has_value()) << (pushed ? "" : pushed.error().message);
  return pushed.value_or(Descriptor{});
}

bool has(Store& store, const Descriptor& d) {
  auto r = store.has_blob(d);
  return r.has_value() && *r;
}

std::vector<std::string> tags_of(Store& store) { return store.tags().value_or(std::vector<std::string>{"<error>"}); }

CopyOptions tagged(std::string tag) {
  CopyOptions o;
  o.tag = std::move(tag);
  return o;
}

void flip_first_byte(const fs::path& file) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  char c = 0;
  f.get(c);
  f.seekp(0);
  f.put(static_cast<char>(c ^ 0x01));
}

TEST(Copy, LayoutToLayoutKeepsDigestTagsRootAndCopiesEveryBlob) {
  TempDir tmp;
  auto src = test::open_layout(tmp / "src");
  auto dst = test::open_layout(tmp / "dst");
  auto image = must_image(*src, 7, "amd64", "v1");

  std::vector<CopyEvent> events;
  CopyOptions o = tagged("copied");
  o.on_event = [&](const CopyEvent& e) { events.push_back(e); };
  auto copied = copy(*src, *dst, image.manifest, o);
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_EQ(copied->digest, image.manifest.digest);

  auto resolved = dst->resolve("copied");
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(resolved->digest, image.manifest.digest);
  EXPECT_EQ(dst->fetch_manifest(*resolved).value_or(""), image.manifest_raw);
  EXPECT_TRUE(has(*dst, image.config));
  for (const auto& layer : image.layers) EXPECT_TRUE(has(*dst, layer));

  int done = 0;
  for (const auto& e : events) done += e.kind == CopyEvent::Kind::blob_done;
  EXPECT_EQ(done, static_cast<int>(image.layers.size()) + 1);

  // A second copy finds every blob present and moves nothing.
  events.clear();
  ASSERT_TRUE(copy(*src, *dst, image.manifest, o));
  for (const auto& e : events) {
    EXPECT_NE(e.kind, CopyEvent::Kind::blob_done);
    EXPECT_NE(e.kind, CopyEvent::Kind::blob_started);
  }
}

TEST(Copy, LargeBlobStreamsThroughTheBoundedPipe) {
  TempDir tmp;
  auto src = test::open_layout(tmp / "src");
  auto dst = test::open_layout(tmp / "dst");
  test::TestImageOptions opts;
  opts.layers = 3;
  opts.layer_bytes = 9 * 1024 * 1024 + 123;  // several pipe chunks, not a multiple of their size
  auto image = test::write_test_image(*src, opts);
  ASSERT_TRUE(image) << image.error().message;
  int progress = 0;
  CopyOptions o = tagged("big");
  o.parallelism = 2;
  o.on_event = [&](const CopyEvent& e) { progress += e.kind == CopyEvent::Kind::blob_progress; };
  auto copied = copy(*src, *dst, image->manifest, o);
  ASSERT_TRUE(copied) << copied.error().message;
  for (const auto& layer : image->layers) EXPECT_TRUE(has(*dst, layer));
  EXPECT_GT(progress, 0);
}

TEST(Copy, IndexDefaultsToOnePlatformAndAllPlatformsCopiesEverything) {
  TempDir tmp;
  auto src = test::open_layout(tmp / "src");
  auto amd = must_image(*src, 1, "amd64");
  auto arm = must_image(*src, 2, "arm64");
  Descriptor index = must_index(*src, {{amd, "amd64"}, {arm, "arm64"}}, "multi");

  auto one = test::open_layout(tmp / "one");
  CopyOptions o = tagged("latest");
  o.platform = Platform{"linux", "arm64", "", "", {}};
  auto copied = copy(*src, *one, index, o);
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_EQ(copied->digest, arm.manifest.digest);
  EXPECT_EQ(one->resolve("latest").value_or(Descriptor{}).digest, arm.manifest.digest);
  EXPECT_TRUE(has(*one, arm.layers[0]));
  EXPECT_FALSE(has(*one, amd.layers[0]));
  EXPECT_FALSE(has(*one, index));

  auto all = test::open_layout(tmp / "all");
  CopyOptions a = tagged("latest");
  a.all_platforms = true;
  copied = copy(*src, *all, index, a);
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_EQ(copied->digest, index.digest);
  EXPECT_EQ(all->resolve("latest").value_or(Descriptor{}).digest, index.digest);
  EXPECT_TRUE(has(*all, amd.layers[0]));
  EXPECT_TRUE(has(*all, arm.layers[0]));
  // The children are blobs of the layout, not extra index.json entries.
  EXPECT_EQ(tags_of(*all), std::vector<std::string>{"latest"});
  auto refs = all->referrers(amd.manifest.digest);
  ASSERT_TRUE(refs);
  EXPECT_TRUE(refs->empty());
}

TEST(Copy, MissingPlatformFailsBeforeWritingAnything) {
  TempDir tmp;
  auto src = test::open_layout(tmp / "src");
  auto amd = must_image(*src, 1, "amd64");
  Descriptor index = must_index(*src, {{amd, "amd64"}}, "multi");
  auto dst = test::open_layout(tmp / "dst");
  CopyOptions o = tagged("latest");
  o.platform = Platform{"linux", "s390x", "", "", {}};
  auto copied = copy(*src, *dst, index, o);
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().category, ErrorCategory::input);
  EXPECT_NE(copied.error().message.find("linux/s390x"), std::string::npos) << copied.error().message;
  EXPECT_NE(copied.error().message.find("linux/amd64"), std::string::npos) << copied.error().message;
  EXPECT_TRUE(tags_of(*dst).empty());
  EXPECT_FALSE(has(*dst, amd.config));
}

TEST(Copy, ReferrersAreCopiedRecursivelyOnlyWhenAsked) {
  TempDir tmp;
  auto src = test::open_layout(tmp / "src");
  auto image = must_image(*src, 3, "amd64", "v1");
  auto sbom = test::write_test_referrer(*src, image.manifest, "application/spdx+json", "{\"spdx\":1}",
                                        {{"org.opencontainers.image.created", "2000-01-01T00:00:00Z"}});
  ASSERT_TRUE(sbom) << sbom.error().message;
  auto signature = test::write_test_referrer(*src, *sbom, "application/vnd.dev.sigstore.bundle.v0.3+json", "sig");
  ASSERT_TRUE(signature) << signature.error().message;

  auto plain = test::open_layout(tmp / "plain");
  ASSERT_TRUE(copy(*src, *plain, image.manifest, tagged("v1")));
  EXPECT_TRUE(plain->referrers(image.manifest.digest).value_or(std::vector<Descriptor>{Descriptor{}}).empty());

  auto dst = test::open_layout(tmp / "dst");
  CopyOptions o = tagged("v1");
  o.referrers = true;
  ASSERT_TRUE(copy(*src, *dst, image.manifest, o));
  auto level1 = dst->referrers(image.manifest.digest);
  ASSERT_TRUE(level1) << level1.error().message;
  ASSERT_EQ(level1->size(), 1u);
  EXPECT_EQ((*level1)[0].digest, sbom->digest);
  EXPECT_EQ((*level1)[0].artifact_type, "application/spdx+json");
  auto level2 = dst->referrers(sbom->digest);
  ASSERT_TRUE(level2) << level2.error().message;
  ASSERT_EQ(level2->size(), 1u);
  EXPECT_EQ((*level2)[0].digest, signature->digest);
  EXPECT_EQ(tags_of(*dst), std::vector<std::string>{"v1"});
}

TEST(Copy, DockerSchema2ManifestIsCopiedByteForByte) {
  TempDir tmp;
  auto src = test::open_layout(tmp / "src");
  std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  Descriptor config_desc = Descriptor::of(config, media_type::kDockerConfig);
  ASSERT_TRUE(src->push_blob_bytes(config_desc, config));
  // Docker's own spacing and key order: a re-serialization would change the digest.
  std::string raw = "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"" + std::string(media_type::kDockerManifest) +
                    "\",\n   \"config\": {\n      \"mediaType\": \"" + std::string(media_type::kDockerConfig) +
                    "\",\n      \"size\": " + std::to_string(config.size()) + ",\n      \"digest\": \"" +
                    config_desc.digest.str() + "\"\n   },\n   \"layers\": []\n}";
  auto pushed = src->push_manifest(raw, media_type::kDockerManifest, "docker");
  ASSERT_TRUE(pushed) << pushed.error().message;
  auto dst = test::open_layout(tmp / "dst");
  auto copied = copy(*src, *dst, *pushed, tagged("docker"));
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_EQ(copied->digest, Digest::of(raw));
  auto at_dst = dst->resolve("docker");
  ASSERT_TRUE(at_dst);
  EXPECT_EQ(at_dst->media_type, media_type::kDockerManifest);
  EXPECT_EQ(dst->fetch_manifest(*at_dst).value_or(""), raw);
}

TEST(Copy, TamperedBlobFailsWithIntegrityErrorAndNoTag) {
  TempDir tmp;
  auto src = test::open_layout(tmp / "src");
  auto image = must_image(*src, 4, "amd64", "v1");
  flip_first_byte(src->blob_path(image.layers[1].digest));
  auto dst = test::open_layout(tmp / "dst");
  auto copied = copy(*src, *dst, image.manifest, tagged("v1"));
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().category, ErrorCategory::integrity) << copied.error().message;
  EXPECT_NE(copied.error().message.find(image.layers[1].digest.str()), std::string::npos) << copied.error().message;
  EXPECT_TRUE(tags_of(*dst).empty());
  // The blobs that did arrive before the failure are taken back: the layout is as it was.
  EXPECT_FALSE(has(*dst, image.config));
  for (const auto& layer : image.layers) EXPECT_FALSE(has(*dst, layer));
  EXPECT_FALSE(dst->has_manifest(image.manifest).value_or(true));
}

TEST(Copy, TamperedManifestFailsBeforeAnyBlobMoves) {
  TempDir tmp;
  auto src = test::open_layout(tmp / "src");
  auto image = must_image(*src, 5, "amd64", "v1");
  flip_first_byte(src->blob_path(image.manifest.digest));
  auto dst = test::open_layout(tmp / "dst");
  auto copied = copy(*src, *dst, image.manifest, tagged("v1"));
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().category, ErrorCategory::integrity) << copied.error().message;
  EXPECT_FALSE(has(*dst, image.config));
  EXPECT_TRUE(tags_of(*dst).empty());
}

TEST(Copy, MissingBlobFailsAndLeavesNoTag) {
  TempDir tmp;
  auto src = test::open_layout(tmp / "src");
  auto image = must_image(*src, 6, "amd64", "v1");
  fs::remove(src->blob_path(image.layers[0].digest));
  auto dst = test::open_layout(tmp / "dst");
  auto copied = copy(*src, *dst, image.manifest, tagged("v1"));
  ASSERT_FALSE(copied);
  EXPECT_TRUE(tags_of(*dst).empty());
  EXPECT_FALSE(dst->has_manifest(image.manifest).value_or(true));
}

// A store that records manifest pushes and can refuse one blob, over a real layout.
class RecordingStore final : public Store {
 public:
  explicit RecordingStore(Store& inner) : inner_(inner) {}
  std::string name() const override { return "recording " + inner_.name(); }
  Result<Descriptor> resolve(std::string_view t) override { return inner_.resolve(t); }
  Result<std::string> fetch_manifest(const Descriptor& d) override { return inner_.fetch_manifest(d); }
  Result<void> fetch_blob(const Descriptor& d, BlobSink& s) override { return inner_.fetch_blob(d, s); }
  Result<bool> has_blob(const Descriptor& d) override { return inner_.has_blob(d); }
  Result<bool> has_manifest(const Descriptor& d) override { return inner_.has_manifest(d); }
  Result<void> push_blob(const Descriptor& d, BlobSource& s) override {
    if (refuse && d.digest == *refuse) return fail(ErrorCategory::network, "push refused for the test");
    return inner_.push_blob(d, s);
  }
  Result<Descriptor> push_manifest(std::string_view raw, std::string_view mt, std::optional<std::string> tag) override {
    pushes.emplace_back(Digest::of(raw), tag);
    return inner_.push_manifest(raw, mt, std::move(tag));
  }
  Result<std::vector<std::string>> tags() override { return inner_.tags(); }
  Result<std::vector<Descriptor>> referrers(const Digest& s, std::string_view a) override { return inner_.referrers(s, a); }

  std::optional<Digest> refuse;
  std::vector<std::pair<Digest, std::optional<std::string>>> pushes;

 private:
  Store& inner_;
};

TEST(Copy, PushesChildrenAndReferrersBeforeTheTaggedRoot) {
  TempDir tmp;
  auto src = test::open_layout(tmp / "src");
  auto amd = must_image(*src, 1, "amd64");
  auto arm = must_image(*src, 2, "arm64");
  Descriptor index = must_index(*src, {{amd, "amd64"}, {arm, "arm64"}}, "multi");
  auto sig = test::write_test_referrer(*src, index, "application/example.sig", "sig");
  ASSERT_TRUE(sig) << sig.error().message;
  auto layout = test::open_layout(tmp / "dst");
  RecordingStore dst(*layout);
  CopyOptions o = tagged("multi");
  o.all_platforms = true;
  o.referrers = true;
  ASSERT_TRUE(copy(*src, dst, index, o));
  // Into a non-layout store every manifest is a manifest push; only the last (the index) is tagged.
  ASSERT_EQ(dst.pushes.size(), 4u);
  EXPECT_EQ(dst.pushes.back().first, index.digest);
  EXPECT_EQ(dst.pushes.back().second, std::optional<std::string>("multi"));
  for (std::size_t i = 0; i + 1 < dst.pushes.size(); ++i) EXPECT_FALSE(dst.pushes[i].second);
  EXPECT_EQ(dst.pushes[0].first, amd.manifest.digest);
  EXPECT_EQ(dst.pushes[1].first, arm.manifest.digest);
  EXPECT_EQ(dst.pushes[2].first, sig->digest);
}

TEST(Copy, FailedBlobPushLeavesNoTagAndNoManifest) {
  TempDir tmp;
  auto src = test::open_layout(tmp / "src");
  auto image = must_image(*src, 8, "amd64", "v1");
  auto layout = test::open_layout(tmp / "dst");
  RecordingStore dst(*layout);
  dst.refuse = image.layers[1].digest;
  auto copied = copy(*src, dst, image.manifest, tagged("v1"));
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().category, ErrorCategory::network);
  EXPECT_NE(copied.error().message.find("push refused for the test"), std::string::npos) << copied.error().message;
  EXPECT_TRUE(dst.pushes.empty());
  EXPECT_TRUE(tags_of(*layout).empty());
}

TEST(Copy, SelectPlatformNamesWhatTheIndexHas) {
  Index index;
  Descriptor d = Descriptor::of("x", media_type::kOciManifest);
  d.platform = Platform{"linux", "arm64", "", "", {}};
  index.manifests.push_back(d);
  auto want = Platform::parse("linux/arm64/v8");
  ASSERT_TRUE(want);
  auto picked = select_platform(index, *want, "index");
  ASSERT_TRUE(picked) << picked.error().message;
  EXPECT_EQ(picked->digest, d.digest);
  auto missing = select_platform(index, host_platform().architecture == "arm64" ? Platform{"linux", "amd64", "", "", {}}
                                                                                  : Platform{"linux", "s390x", "", "", {}},
                                 "index");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("has linux/arm64"), std::string::npos) << missing.error().message;
}

TEST(BlobPipe, DeliversBytesInOrderAndPropagatesTheWritersError) {
  detail::BlobPipe pipe(2, 7);
  std::string expected;
  for (int i = 0; i < 1000; ++i) expected += std::to_string(i) + ",";
  std::thread writer([&] {
    std::string_view rest = expected;
    while (!rest.empty()) {
      std::size_t n = std::min<std::size_t>(rest.size(), 5);
      ASSERT_TRUE(pipe.write(rest.substr(0, n)));
      rest.remove_prefix(n);
    }
    pipe.finish(Error{ErrorCategory::integrity, "digest mismatch"});
  });
  std::string got;
  char buffer[3];
  Result<std::size_t> n;
  while ((n = pipe.read(buffer, sizeof buffer)) && *n > 0) got.append(buffer, *n);
  writer.join();
  EXPECT_EQ(got, expected);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().category, ErrorCategory::integrity);
}

TEST(BlobPipe, AbandonReleasesABlockedWriter) {
  detail::BlobPipe pipe(1, 4);
  Result<void> second;
  std::thread writer([&] {
    ASSERT_TRUE(pipe.write("1234"));
    second = pipe.write("5678");  // blocks: the pipe holds 4 bytes at most
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  pipe.abandon();
  writer.join();
  EXPECT_FALSE(second);
  EXPECT_TRUE(pipe.refused_write());
}

}  // namespace
}  // namespace sigil::oci
