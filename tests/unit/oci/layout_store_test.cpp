// LayoutStore: creating and opening layouts, blob and manifest round trips, tags, referrers.
#include "oci/layout_store.hpp"

#include <gtest/gtest.h>

#include "common/file.hpp"
#include "common/json.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::oci {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

std::string slurp(const fs::path& p) { return read_file(p, 1 << 30).value_or(std::string()); }

Json index_json(const fs::path& dir) {
  auto j = parse_json(slurp(dir / "index.json"), "index.json");
  EXPECT_TRUE(j.has_value());
  return j.value_or(Json());
}

std::unique_ptr<LayoutStore> must_open(const fs::path& dir, bool create = true) {
  auto s = LayoutStore::open(dir, create);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
  return s ? std::move(*s) : nullptr;
}

// A sink that records how many write() calls it got.
class CountingSink final : public BlobSink {
 public:
  Result<void> write(std::string_view chunk) override {
    ++calls;
    bytes.append(chunk);
    return {};
  }
  int calls = 0;
  std::string bytes;
};

TEST(LayoutStore, CreateMakesSpecLayoutInMissingDirectory) {
  TempDir tmp;
  auto store = must_open(tmp / "new/layout");
  ASSERT_TRUE(store);
  auto layout = parse_json(slurp(tmp / "new/layout/oci-layout"), "oci-layout");
  ASSERT_TRUE(layout);
  EXPECT_EQ((*layout)["imageLayoutVersion"], "1.0.0");
  Json idx = index_json(tmp / "new/layout");
  EXPECT_EQ(idx["schemaVersion"], 2);
  EXPECT_EQ(idx["mediaType"], media_type::kOciIndex);
  EXPECT_TRUE(idx["manifests"].is_array());
  EXPECT_EQ(idx["manifests"].size(), 0u);
  EXPECT_TRUE(fs::is_directory(tmp / "new/layout/blobs/sha256"));
  EXPECT_EQ(store->name(), "oci:" + (tmp / "new/layout").string());
}

TEST(LayoutStore, CreateInEmptyExistingDirectoryAndReopenWithoutCreate) {
  TempDir tmp;
  ASSERT_TRUE(must_open(tmp.path()));
  auto again = LayoutStore::open(tmp.path(), false);
  ASSERT_TRUE(again) << again.error().message;
  auto tags = (*again)->tags();
  ASSERT_TRUE(tags);
  EXPECT_TRUE(tags->empty());
}

TEST(LayoutStore, OpenWithoutCreateRefusesMissingOrEmptyDirectory) {
  TempDir tmp;
  auto missing = LayoutStore::open(tmp / "nope", false);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().category, ErrorCategory::input);
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos);
  auto empty = LayoutStore::open(tmp.path(), false);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().category, ErrorCategory::input);
  EXPECT_FALSE(fs::exists(tmp / "oci-layout"));
}

TEST(LayoutStore, BlobRoundTripAndPresence) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  std::string bytes = "hello layout";
  Descriptor d = Descriptor::of(bytes, "application/octet-stream");
  auto has = store->has_blob(d);
  ASSERT_TRUE(has);
  EXPECT_FALSE(*has);
  ASSERT_TRUE(store->push_blob_bytes(d, bytes));
  EXPECT_EQ(slurp(tmp / "blobs/sha256" / d.digest.hex()), bytes);
  has = store->has_blob(d);
  ASSERT_TRUE(has);
  EXPECT_TRUE(*has);
  auto back = store->fetch_blob_bytes(d, 1024);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, bytes);
  // Pushing again is a no-op that succeeds.
  ASSERT_TRUE(store->push_blob_bytes(d, bytes));
  // No temp file is left behind anywhere.
  for (const auto& e : fs::recursive_directory_iterator(tmp.path())) {
    EXPECT_EQ(e.path().filename().string().rfind(".tmp-", 0), std::string::npos) << e.path();
  }
}

TEST(LayoutStore, Sha512BlobsLiveUnderTheirAlgorithm) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  std::string bytes = "sha512 content";
  Descriptor d = Descriptor::of(bytes, "application/octet-stream");
  d.digest = Digest::of(bytes, DigestAlgorithm::sha512);
  ASSERT_TRUE(store->push_blob_bytes(d, bytes));
  EXPECT_TRUE(fs::is_regular_file(tmp / "blobs/sha512" / d.digest.hex()));
  auto back = store->fetch_blob_bytes(d, 1024);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, bytes);
}

TEST(LayoutStore, LargeBlobStreamsInChunks) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  std::string bytes(3 * 1024 * 1024 + 12345, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131) ^ (i >> 9));
  Descriptor d = Descriptor::of(bytes, "application/octet-stream");
  ASSERT_TRUE(store->push_blob_bytes(d, bytes));
  CountingSink sink;
  auto r = store->fetch_blob(d, sink);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_GE(sink.calls, 4);  // 1 MiB chunks, never the whole blob at once
  EXPECT_EQ(sink.bytes, bytes);
}

TEST(LayoutStore, ManifestRoundTripWithTag) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  test::TestImageOptions opts;
  opts.tag = "v1";
  auto image = test::write_test_image(*store, opts);
  ASSERT_TRUE(image) << image.error().message;

  auto resolved = store->resolve("v1");
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(resolved->digest, image->manifest.digest);
  EXPECT_EQ(resolved->size, image->manifest.size);
  EXPECT_EQ(resolved->media_type, media_type::kOciManifest);
  EXPECT_TRUE(resolved->annotations.empty());  // ref.name names the entry, not the content

  auto raw = store->fetch_manifest(*resolved);
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(*raw, image->manifest_raw);

  Json idx = index_json(tmp.path());
  ASSERT_EQ(idx["manifests"].size(), 1u);
  EXPECT_EQ(idx["manifests"][0]["annotations"][std::string(kAnnotationRefName)], "v1");
  EXPECT_EQ(idx["manifests"][0]["digest"], image->manifest.digest.str());

  auto by_digest = store->resolve(image->manifest.digest.str());
  ASSERT_TRUE(by_digest) << by_digest.error().message;
  EXPECT_EQ(by_digest->digest, image->manifest.digest);

  for (const auto& layer : image->layers) {
    auto has = store->has_blob(layer);
    ASSERT_TRUE(has);
    EXPECT_TRUE(*has);
  }
}

TEST(LayoutStore, RetaggingReplacesTheEntry) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  test::TestImageOptions a;
  a.tag = "latest";
  a.seed = 1;
  auto first = test::write_test_image(*store, a);
  ASSERT_TRUE(first);
  test::TestImageOptions b = a;
  b.seed = 2;
  auto second = test::write_test_image(*store, b);
  ASSERT_TRUE(second);
  ASSERT_NE(first->manifest.digest, second->manifest.digest);
  Json idx = index_json(tmp.path());
  ASSERT_EQ(idx["manifests"].size(), 1u);
  auto resolved = store->resolve("latest");
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->digest, second->manifest.digest);
  // Pushing the same manifest under the same tag again leaves index.json alone.
  std::string before = slurp(tmp / "index.json");
  ASSERT_TRUE(store->push_manifest(second->manifest_raw, media_type::kOciManifest, "latest"));
  EXPECT_EQ(slurp(tmp / "index.json"), before);
}

TEST(LayoutStore, TagsAreSortedAndUntaggedEntriesAreNotTags) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  auto image = test::write_test_image(*store, {});
  ASSERT_TRUE(image);
  for (const char* tag : {"zeta", "1.0", "alpha", "Beta_2"}) {
    ASSERT_TRUE(store->push_manifest(image->manifest_raw, media_type::kOciManifest, std::string(tag)));
  }
  auto tags = store->tags();
  ASSERT_TRUE(tags);
  EXPECT_EQ(*tags, (std::vector<std::string>{"1.0", "Beta_2", "alpha", "zeta"}));
  // The untagged entry of the same manifest became redundant and is gone.
  Json idx = index_json(tmp.path());
  EXPECT_EQ(idx["manifests"].size(), 4u);
}

TEST(LayoutStore, UntaggedManifestIsKeptOnceInIndex) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  auto image = test::write_test_image(*store, {});
  ASSERT_TRUE(image);
  ASSERT_TRUE(store->push_manifest(image->manifest_raw, media_type::kOciManifest, std::nullopt));
  Json idx = index_json(tmp.path());
  ASSERT_EQ(idx["manifests"].size(), 1u);
  EXPECT_FALSE(idx["manifests"][0].contains("annotations"));
}

TEST(LayoutStore, InvalidTagIsRefusedAndNothingChanges) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  std::string before = slurp(tmp / "index.json");
  for (const char* bad : {"", "-x", ".x", "a/b", "a:b", "../../etc"}) {
    auto r = store->push_manifest(R"({"schemaVersion":2,"manifests":[]})", media_type::kOciIndex, std::string(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().category, ErrorCategory::input);
    EXPECT_NE(r.error().message.find("invalid tag"), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(slurp(tmp / "index.json"), before);
  EXPECT_TRUE(fs::is_empty(tmp / "blobs/sha256"));
  EXPECT_TRUE(store->push_manifest(R"({"schemaVersion":2,"manifests":[]})", media_type::kOciIndex,
                                   std::string(128, 'a')));
  EXPECT_FALSE(store->push_manifest(R"({"schemaVersion":2,"manifests":[]})", media_type::kOciIndex,
                                    std::string(129, 'a')));
}

TEST(LayoutStore, MediaTypeMismatchIsRefused) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  auto image = test::write_test_image(*store, {});
  ASSERT_TRUE(image);
  auto r = store->push_manifest(image->manifest_raw, media_type::kOciIndex, "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::input);
  // Without a media type it is detected from the bytes.
  auto ok = store->push_manifest(image->manifest_raw, "", "x");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->media_type, media_type::kOciManifest);
}

TEST(LayoutStore, ResolveUnknownTagNamesTagAndLayout) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  auto r = store->resolve("missing");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::input);
  EXPECT_EQ(r.error().message, "tag \"missing\" not found in " + store->name());
  auto d = store->resolve(Digest::of("x").str());
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().category, ErrorCategory::input);
  EXPECT_NE(d.error().message.find("not found"), std::string::npos);
}

TEST(LayoutStore, ResolveDigestOfManifestWithoutEntryDetectsMediaType) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  auto image = test::write_test_image(*store, {});
  ASSERT_TRUE(image);
  // A child of an index has a blob but no index.json entry.
  Index idx;
  Descriptor child = image->manifest;
  child.platform = Platform{"linux", "amd64", "", "", {}};
  idx.manifests.push_back(child);
  std::string raw = idx.serialize();
  ASSERT_TRUE(store->push_manifest(raw, media_type::kOciIndex, "multi"));
  // Leave only the index's entry, as a multi-platform copy would.
  Json j = index_json(tmp.path());
  Json kept = Json::array();
  for (const auto& e : j["manifests"]) {
    if (e["digest"] != image->manifest.digest.str()) kept.push_back(e);
  }
  j["manifests"] = kept;
  ASSERT_EQ(kept.size(), 1u);
  ASSERT_TRUE(write_file_atomic(tmp / "index.json", dump_json(j)));
  auto r = store->resolve(image->manifest.digest.str());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->media_type, media_type::kOciManifest);
  EXPECT_EQ(r->size, image->manifest.size);
}

TEST(LayoutStore, LegacyFullReferenceRefNameResolvesByTag) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  auto image = test::write_test_image(*store, {});
  ASSERT_TRUE(image);
  Json idx = index_json(tmp.path());
  idx["manifests"] = Json::array({image->manifest.to_json()});
  idx["manifests"][0]["annotations"] = {{std::string(kAnnotationRefName), "example.com/app:1.2"}};
  ASSERT_TRUE(write_file_atomic(tmp / "index.json", dump_json(idx)));
  auto r = store->resolve("1.2");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->digest, image->manifest.digest);
  auto tags = store->tags();
  ASSERT_TRUE(tags);
  EXPECT_EQ(*tags, std::vector<std::string>{"1.2"});
}

TEST(LayoutStore, ForeignIndexEntriesAndFieldsArePreserved) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  auto image = test::write_test_image(*store, {});
  ASSERT_TRUE(image);
  // As skopeo or oras might have written it: extra top-level field, entry with platform and
  // vendor annotations, an unknown field in an entry.
  Json foreign = image->manifest.to_json();
  foreign["platform"] = {{"os", "linux"}, {"architecture", "arm64"}};
  foreign["annotations"] = {{std::string(kAnnotationRefName), "theirs"}, {"vendor.x", "y"}};
  foreign["x-unknown"] = {{"nested", true}};
  Json idx = {{"schemaVersion", 2},
              {"mediaType", media_type::kOciIndex},
              {"manifests", Json::array({foreign})},
              {"annotations", {{"org.example", "kept"}}}};
  ASSERT_TRUE(write_file_atomic(tmp / "index.json", dump_json(idx)));
  auto other = test::write_test_image(*store, {.layers = 1, .layer_bytes = 10, .seed = 7, .tag = "mine"});
  ASSERT_TRUE(other) << other.error().message;
  Json after = index_json(tmp.path());
  ASSERT_EQ(after["manifests"].size(), 2u);
  EXPECT_EQ(after["manifests"][0], foreign);
  EXPECT_EQ(after["annotations"]["org.example"], "kept");
  // Re-tagging "theirs" with the same digest keeps their entry as it is.
  ASSERT_TRUE(store->push_manifest(image->manifest_raw, media_type::kOciManifest, "theirs"));
  EXPECT_EQ(index_json(tmp.path())["manifests"][0], foreign);
}

TEST(LayoutStore, ReferrersFromUntaggedEntriesWithArtifactTypeFilter) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  auto image = test::write_test_image(*store, {.layers = 1, .layer_bytes = 100, .seed = 3, .tag = "app"});
  ASSERT_TRUE(image);
  auto other = test::write_test_image(*store, {.layers = 1, .layer_bytes = 100, .seed = 4, .tag = "other"});
  ASSERT_TRUE(other);
  const std::string sig_type = "application/vnd.dev.sigstore.bundle.v0.3+json";
  const std::string sbom_type = "application/vnd.cyclonedx+json";
  auto sig = test::write_test_referrer(*store, image->manifest, sig_type, "sig", {{"dev.sigstore.bundle.content", "dsse-envelope"}});
  ASSERT_TRUE(sig) << sig.error().message;
  auto sbom = test::write_test_referrer(*store, image->manifest, sbom_type, "sbom");
  ASSERT_TRUE(sbom);
  auto unrelated = test::write_test_referrer(*store, other->manifest, sig_type, "other sig");
  ASSERT_TRUE(unrelated);
  // Pushing a referrer twice does not duplicate its entry.
  ASSERT_TRUE(test::write_test_referrer(*store, image->manifest, sbom_type, "sbom"));

  Json idx = index_json(tmp.path());
  ASSERT_EQ(idx["manifests"].size(), 5u);
  bool found_sig_entry = false;
  for (const auto& e : idx["manifests"]) {
    if (e["digest"] == sig->digest.str()) {
      found_sig_entry = true;
      EXPECT_EQ(e["artifactType"], sig_type);  // as oras stores referrers
      EXPECT_FALSE(e.contains("annotations"));
    }
  }
  EXPECT_TRUE(found_sig_entry);

  auto all = store->referrers(image->manifest.digest);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  auto sigs = store->referrers(image->manifest.digest, sig_type);
  ASSERT_TRUE(sigs);
  ASSERT_EQ(sigs->size(), 1u);
  EXPECT_EQ((*sigs)[0].digest, sig->digest);
  EXPECT_EQ((*sigs)[0].artifact_type, sig_type);
  EXPECT_EQ((*sigs)[0].annotations.at("dev.sigstore.bundle.content"), "dsse-envelope");
  EXPECT_EQ((*sigs)[0].media_type, media_type::kOciManifest);
  auto none = store->referrers(image->manifest.digest, "application/none");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  // The tag list is unaffected by referrers.
  auto tags = store->tags();
  ASSERT_TRUE(tags);
  EXPECT_EQ(*tags, (std::vector<std::string>{"app", "other"}));
}

TEST(LayoutStore, ReferrersFromTagSchemaFallbackIndex) {
  TempDir tmp;
  auto store = must_open(tmp.path());
  ASSERT_TRUE(store);
  auto image = test::write_test_image(*store, {.layers = 1, .layer_bytes = 100, .seed = 5, .tag = "app"});
  ASSERT_TRUE(image);
  // Another tool's referrer: its manifest exists as a blob, listed only by the fallback index.
  Descriptor listed;
  listed.media_type = media_type::kOciManifest;
  listed.digest = Digest::of("not fetched");
  listed.size = 11;
  listed.artifact_type = "application/example";
  listed.annotations = {{"k", "v"}};
  Index fallback;
  fallback.manifests.push_back(listed);
  std::string raw = fallback.serialize();
  ASSERT_TRUE(store->push_manifest(raw, media_type::kOciIndex, "sha256-" + image->manifest.digest.hex()));
  auto refs = store->referrers(image->manifest.digest);
  ASSERT_TRUE(refs) << refs.error().message;
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ((*refs)[0], listed);
  auto filtered = store->referrers(image->manifest.digest, "application/other");
  ASSERT_TRUE(filtered);
  EXPECT_TRUE(filtered->empty());
}

}  // namespace
}  // namespace sigil::oci

namespace sigil::test {
namespace {

std::string drain(TestLayerSource& source, std::size_t capacity) {
  std::string out;
  std::vector<char> buf(capacity);
  for (;;) {
    auto n = source.read(buf.data(), buf.size());
    EXPECT_TRUE(n.has_value());
    if (!n || *n == 0) break;
    out.append(buf.data(), *n);
  }
  return out;
}

TEST(TestImage, LayersAreReproducibleWhateverTheReadSize) {
  TestLayerSource a(7, 1, 200 * 1024 + 3);
  TestLayerSource b(7, 1, 200 * 1024 + 3);
  TestLayerSource c(8, 1, 200 * 1024 + 3);
  std::string sa = drain(a, 1 << 20);
  std::string sb = drain(b, 13);
  std::string sc = drain(c, 1 << 20);
  EXPECT_EQ(sa, sb);
  EXPECT_EQ(a.diff_id(), b.diff_id());
  EXPECT_NE(sa, sc);
  // gzip magic, and tar + stored-block overhead only (random data is not compressed).
  ASSERT_GT(sa.size(), 18u);
  EXPECT_EQ(sa.substr(0, 3), std::string("\x1f\x8b\x08", 3));
  EXPECT_GT(sa.size(), 200u * 1024 + 3 * 512);
}

TEST(TestImage, ConfigMatchesLayersAndSeedFixesDigests) {
  TempDir one;
  TempDir two;
  auto s1 = oci::LayoutStore::open(one.path(), true);
  auto s2 = oci::LayoutStore::open(two.path(), true);
  ASSERT_TRUE(s1 && s2);
  TestImageOptions opts{.layers = 3, .layer_bytes = 5000, .seed = 11, .tag = "x"};
  auto i1 = write_test_image(**s1, opts);
  auto i2 = write_test_image(**s2, opts);
  ASSERT_TRUE(i1 && i2);
  EXPECT_EQ(i1->manifest.digest, i2->manifest.digest);
  auto config = oci::ImageConfig::parse(i1->config_raw);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->diff_ids, i1->diff_ids);
  EXPECT_EQ(i1->layers.size(), 3u);
  EXPECT_EQ(config->platform().str(), "linux/amd64");
}

}  // namespace
}  // namespace sigil::test
