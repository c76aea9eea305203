// LayoutStore on bad input: damaged layouts, corrupted or missing blobs, lying sources, symlinks
// leading out of the layout. Each failure is one clear error of the right category, and a
// failed push leaves nothing behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include "common/file.hpp"
#include "common/json.hpp"
#include "common/limits.hpp"
#include "oci/layout_store.hpp"
#include "oci/media_types.hpp"
#include "support/layouts.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::oci {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Everything under `dir` except index.json.lock, as relative paths.
std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) out.push_back(e.path().lexically_relative(dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

// A source that fails half way.
class FailingSource final : public BlobSource {
 public:
  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    if (calls_++ > 0) return fail(ErrorCategory::network, "connection reset");
    std::size_t n = std::min<std::size_t>(capacity, 10);
    std::fill_n(buffer, n, 'x');
    return n;
  }

 private:
  int calls_ = 0;
};

TEST(LayoutStoreErrors, NonEmptyDirectoryThatIsNotALayout) {
  TempDir tmp;
  ASSERT_TRUE(write_file_atomic(tmp / "notes.txt", "hello"));
  auto s = LayoutStore::open(tmp.path(), true);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().category, ErrorCategory::input);
  EXPECT_TRUE(contains(s.error().message, "not an OCI image layout")) << s.error().message;
  EXPECT_TRUE(contains(s.error().message, tmp.path().string())) << s.error().message;
  EXPECT_EQ(listing(tmp.path()), std::vector<std::string>{"notes.txt"});  // nothing written
}

TEST(LayoutStoreErrors, PathIsAFile) {
  TempDir tmp;
  ASSERT_TRUE(write_file_atomic(tmp / "file", "x"));
  auto s = LayoutStore::open(tmp / "file", true);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().category, ErrorCategory::input);
}

TEST(LayoutStoreErrors, WrongLayoutVersion) {
  TempDir tmp;
  ASSERT_TRUE(test::open_layout(tmp.path()));
  ASSERT_TRUE(write_file_atomic(tmp / "oci-layout", R"({"imageLayoutVersion":"2.0.0"})"));
  auto s = LayoutStore::open(tmp.path(), true);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().category, ErrorCategory::input);
  EXPECT_TRUE(contains(s.error().message, "oci-layout")) << s.error().message;
  EXPECT_TRUE(contains(s.error().message, "2.0.0")) << s.error().message;
  ASSERT_TRUE(write_file_atomic(tmp / "oci-layout", "not json"));
  s = LayoutStore::open(tmp.path(), false);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().category, ErrorCategory::input);
  EXPECT_TRUE(contains(s.error().message, "oci-layout")) << s.error().message;
}

TEST(LayoutStoreErrors, BrokenIndexJson) {
  TempDir tmp;
  ASSERT_TRUE(test::open_layout(tmp.path()));
  for (const char* bad : {"{", "[]", R"({"schemaVersion":1,"manifests":[]})",
                          R"({"schemaVersion":2,"manifests":{}})",
                          R"({"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:zz","size":1}]})",
                          R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","manifests":[]})"}) {
    ASSERT_TRUE(write_file_atomic(tmp / "index.json", bad));
    auto s = LayoutStore::open(tmp.path(), true);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().category, ErrorCategory::input) << bad;
    EXPECT_TRUE(contains(s.error().message, "index.json")) << s.error().message;
  }
}

TEST(LayoutStoreErrors, IndexJsonChangedUnderAnOpenStore) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  ASSERT_TRUE(write_file_atomic(tmp / "index.json", "{garbage"));
  auto r = store->resolve("latest");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::input);
  EXPECT_TRUE(contains(r.error().message, "index.json")) << r.error().message;
  auto t = store->tags();
  ASSERT_FALSE(t);
}

TEST(LayoutStoreErrors, OversizeIndexJson) {
  TempDir tmp;
  ASSERT_TRUE(test::open_layout(tmp.path()));
  std::string big = R"({"schemaVersion":2,"manifests":[],"pad":")" + std::string(limits::kMaxLayoutIndexBytes, 'a') + "\"}";
  ASSERT_TRUE(write_file_atomic(tmp / "index.json", big));
  auto s = LayoutStore::open(tmp.path(), true);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().category, ErrorCategory::input);
  EXPECT_TRUE(contains(s.error().message, "index.json")) << s.error().message;
  EXPECT_TRUE(contains(s.error().message, "limit")) << s.error().message;
}

TEST(LayoutStoreErrors, PushWithWrongDigestLeavesNothing) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  auto before = listing(tmp.path());
  Descriptor d = Descriptor::of("expected bytes", "application/octet-stream");
  auto r = store->push_blob_bytes(d, "other bytes!!!");  // same length, other content
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::integrity);
  EXPECT_TRUE(contains(r.error().message, "content has digest " + Digest::of("other bytes!!!").str() +
                                              ", expected " + d.digest.str()))
      << r.error().message;
  EXPECT_EQ(listing(tmp.path()), before);
}

TEST(LayoutStoreErrors, PushWithWrongSizeLeavesNothing) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  auto before = listing(tmp.path());
  Descriptor d = Descriptor::of("twelve bytes", "application/octet-stream");
  for (std::string_view wrong : {"short", "twelve bytes and more"}) {
    auto r = store->push_blob_bytes(d, wrong);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().category, ErrorCategory::integrity);
    EXPECT_TRUE(contains(r.error().message, "expected 12")) << r.error().message;
  }
  FailingSource failing;
  auto r = store->push_blob(d, failing);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::network);
  EXPECT_EQ(listing(tmp.path()), before);
}

TEST(LayoutStoreErrors, CorruptedBlobOnDiskIsAnIntegrityError) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  std::string bytes(2 * 1024 * 1024 + 7, 'a');
  Descriptor d = Descriptor::of(bytes, "application/octet-stream");
  ASSERT_TRUE(store->push_blob_bytes(d, bytes));
  std::string corrupted = bytes;
  corrupted[corrupted.size() - 1] = 'b';  // same size, last chunk differs
  fs::path path = tmp / "blobs/sha256" / d.digest.hex();
  ASSERT_TRUE(write_file_atomic(path, corrupted));
  auto r = store->fetch_blob_bytes(d, bytes.size());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::integrity);
  EXPECT_EQ(r.error().message, "blob " + d.digest.str() + " in " + store->name() + ": content has digest " +
                                   Digest::of(corrupted).str() + ", expected " + d.digest.str());
  // Truncated: wrong size, found before anything is streamed.
  ASSERT_TRUE(write_file_atomic(path, "abc"));
  MemorySink sink(1 << 30);
  auto t = store->fetch_blob(d, sink);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().category, ErrorCategory::integrity);
  EXPECT_TRUE(contains(t.error().message, "content has 3 bytes")) << t.error().message;
  EXPECT_TRUE(sink.bytes().empty());
  // has_blob reports it absent, and a push of the right bytes repairs it.
  auto has = store->has_blob(d);
  ASSERT_TRUE(has);
  EXPECT_FALSE(*has);
  ASSERT_TRUE(store->push_blob_bytes(d, bytes));
  auto fixed = store->fetch_blob_bytes(d, bytes.size());
  ASSERT_TRUE(fixed) << fixed.error().message;
}

TEST(LayoutStoreErrors, CorruptedManifestIsAnIntegrityError) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  auto image = test::write_test_image(*store, {.layers = 1, .layer_bytes = 10, .seed = 1, .tag = "t"});
  ASSERT_TRUE(image);
  std::string raw = image->manifest_raw;
  raw[raw.size() - 2] = ' ';
  ASSERT_TRUE(write_file_atomic(tmp / "blobs/sha256" / image->manifest.digest.hex(), raw));
  auto d = store->resolve("t");
  ASSERT_TRUE(d);
  auto m = store->fetch_manifest(*d);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().category, ErrorCategory::integrity);
  auto refs = store->referrers(image->manifest.digest);
  ASSERT_FALSE(refs);
  EXPECT_EQ(refs.error().category, ErrorCategory::integrity);
}

TEST(LayoutStoreErrors, OversizeManifestDescriptorIsRefused) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  Descriptor d = Descriptor::of("x", media_type::kOciManifest);
  d.size = static_cast<std::int64_t>(limits::kMaxManifestBytes) + 1;
  auto r = store->fetch_manifest(d);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::input);
  EXPECT_TRUE(contains(r.error().message, "limit")) << r.error().message;
  std::string big(limits::kMaxManifestBytes + 1, ' ');
  auto p = store->push_manifest(big, media_type::kOciManifest, "big");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().category, ErrorCategory::input);
}

TEST(LayoutStoreErrors, MissingBlobIsAnInputErrorNamingIt) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  Descriptor d = Descriptor::of("never stored", "application/octet-stream");
  MemorySink sink(100);
  auto r = store->fetch_blob(d, sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::input);
  EXPECT_EQ(r.error().message, "blob " + d.digest.str() + " not found in " + store->name());
  // A tagged manifest whose blob vanished.
  auto image = test::write_test_image(*store, {.layers = 1, .layer_bytes = 10, .seed = 1, .tag = "t"});
  ASSERT_TRUE(image);
  fs::remove(tmp / "blobs/sha256" / image->manifest.digest.hex());
  auto desc = store->resolve("t");
  ASSERT_TRUE(desc);
  auto m = store->fetch_manifest(*desc);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().category, ErrorCategory::input);
  EXPECT_TRUE(contains(m.error().message, "not found")) << m.error().message;
}

TEST(LayoutStoreErrors, SymlinkedBlobLeadingOutsideIsRefused) {
  TempDir tmp;
  TempDir outside;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  std::string secret = "outside the layout";
  ASSERT_TRUE(write_file_atomic(outside / "secret", secret));
  Descriptor d = Descriptor::of(secret, "application/octet-stream");
  fs::create_symlink(outside / "secret", tmp / "blobs/sha256" / d.digest.hex());
  auto r = store->fetch_blob_bytes(d, 1024);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::input);
  EXPECT_TRUE(contains(r.error().message, "outside the layout")) << r.error().message;
  auto has = store->has_blob(d);
  ASSERT_FALSE(has);
  auto push = store->push_blob_bytes(d, secret);  // would otherwise "skip, present"
  ASSERT_FALSE(push);
  // A symlink inside the layout is fine.
  std::string inner = "inner";
  Descriptor in = Descriptor::of(inner, "application/octet-stream");
  ASSERT_TRUE(write_file_atomic(tmp / "data", inner));
  fs::create_symlink(tmp / "data", tmp / "blobs/sha256" / in.digest.hex());
  auto ok = store->fetch_blob_bytes(in, 1024);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, inner);
}

TEST(LayoutStoreErrors, SymlinkedBlobsDirectoryLeadingOutsideIsRefused) {
  TempDir tmp;
  TempDir outside;
  ASSERT_TRUE(test::open_layout(tmp / "layout"));
  fs::remove_all(tmp / "layout/blobs");
  fs::create_directories(outside / "blobs/sha256");
  fs::create_symlink(outside / "blobs", tmp / "layout/blobs");
  auto s = LayoutStore::open(tmp / "layout", false);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().category, ErrorCategory::input);
  EXPECT_TRUE(contains(s.error().message, "outside the layout")) << s.error().message;
  // blobs/sha256 itself pointing outside, discovered on use.
  fs::remove(tmp / "layout/blobs");
  fs::create_directories(tmp / "layout/blobs");
  fs::create_symlink(outside / "blobs/sha256", tmp / "layout/blobs/sha256");
  auto store = LayoutStore::open(tmp / "layout", false);
  ASSERT_TRUE(store) << store.error().message;
  auto push = (*store)->push_blob_bytes(Descriptor::of("x", "application/octet-stream"), "x");
  ASSERT_FALSE(push);
  EXPECT_EQ(push.error().category, ErrorCategory::input);
  EXPECT_TRUE(fs::is_empty(outside / "blobs/sha256"));
}

TEST(LayoutStoreErrors, ManifestWithMissingBlobsGetsNoEntry) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  TempDir elsewhere;
  auto other = LayoutStore::open(elsewhere.path(), true);
  ASSERT_TRUE(other);
  auto image = test::write_test_image(**other, {.layers = 1, .layer_bytes = 10, .seed = 1, .tag = "t"});
  ASSERT_TRUE(image);
  std::string before = read_file(tmp / "index.json", 1 << 20).value_or("");
  auto r = store->push_manifest(image->manifest_raw, media_type::kOciManifest, "t");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::input);
  EXPECT_TRUE(contains(r.error().message, "is missing")) << r.error().message;
  EXPECT_EQ(read_file(tmp / "index.json", 1 << 20).value_or(""), before);
  // With its blobs present the same push succeeds.
  ASSERT_TRUE(store->push_blob_bytes(image->config, image->config_raw));
  MemorySink layer(1 << 20);
  ASSERT_TRUE((*other)->fetch_blob(image->layers[0], layer));
  ASSERT_TRUE(store->push_blob_bytes(image->layers[0], layer.bytes()));
  auto ok = store->push_manifest(image->manifest_raw, media_type::kOciManifest, "t");
  ASSERT_TRUE(ok) << ok.error().message;
}

TEST(LayoutStoreErrors, DigestStringsAreValidatedBeforeUse) {
  TempDir tmp;
  auto store = test::open_layout(tmp.path());
  ASSERT_TRUE(store);
  for (const char* bad : {"sha256:../../../etc/passwd", "sha256:ABC", "md5:d41d8cd98f00b204e9800998ecf8427e"}) {
    auto r = store->resolve(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().category, ErrorCategory::input) << bad;
  }
}

}  // namespace
}  // namespace sigil::oci
