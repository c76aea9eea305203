// sigil sbom of an image stays within the 300 MiB peak RSS even when the image holds far
// more bytes of files catalogers want kept in memory than that (here 400 MiB of dpkg info
// lists, each just under the per-file cache limit) plus a large executable: the in-memory
// cache is bounded (ImageTree::kCacheBytes) below what the budget leaves after the one
// binary read at a time (limits::kMaxSbomBinaryBytes).
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <array>

#include "common/hex.hpp"
#include "common/json.hpp"
#include "common/limits.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/layout_store.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "sbom/filetree/image_tree.hpp"
#include "support/temp_dir.hpp"

namespace sigil {
namespace {

namespace fs = std::filesystem;

constexpr long kBudgetKib = 300 * 1024;

// A gzip-compressed layer written entry by entry (never held uncompressed), with the
// uncompressed tar's sha256 for the config's diff_ids.
class StreamingLayer {
 public:
  StreamingLayer() : sha_(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(sha_, EVP_sha256(), nullptr);
    deflateInit2(&z_, Z_BEST_SPEED, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    a_ = archive_write_new();
    archive_write_set_format_pax_restricted(a_);
    archive_write_set_bytes_in_last_block(a_, 1);
    archive_write_open(a_, this, nullptr, &StreamingLayer::write, nullptr);
  }
  ~StreamingLayer() {
    if (a_ != nullptr) archive_write_free(a_);
    deflateEnd(&z_);
    EVP_MD_CTX_free(sha_);
  }

  // A regular file of `size` bytes repeating `chunk`.
  void add(const std::string& path, std::uint64_t size, const std::string& chunk, mode_t mode = 0644) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, path.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, mode);
    archive_entry_set_size(e, static_cast<la_int64_t>(size));
    archive_write_header(a_, e);
    for (std::uint64_t done = 0; done < size;) {
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), size - done));
      archive_write_data(a_, chunk.data(), n);
      done += n;
    }
    archive_entry_free(e);
  }

  // Closes the archive: {gzip blob, "sha256:<hex of the tar>"}.
  std::pair<std::string, std::string> finish() {
    archive_write_close(a_);
    archive_write_free(a_);
    a_ = nullptr;
    deflate_some(nullptr, 0, Z_FINISH);
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(sha_, md.data(), &len);
    return {std::move(out_), "sha256:" + hex_encode(std::span<const unsigned char>(md.data(), len))};
  }

 private:
  static la_ssize_t write(archive*, void* self, const void* buffer, size_t length) {
    auto* me = static_cast<StreamingLayer*>(self);
    EVP_DigestUpdate(me->sha_, buffer, length);
    me->deflate_some(static_cast<const char*>(buffer), length, Z_NO_FLUSH);
    return static_cast<la_ssize_t>(length);
  }
  void deflate_some(const char* data, std::size_t length, int flush) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z_.avail_in = static_cast<uInt>(length);
    char buf[65536];
    int rc = Z_OK;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(buf);
      z_.avail_out = sizeof buf;
      rc = deflate(&z_, flush);
      out_.append(buf, sizeof buf - z_.avail_out);
    } while (z_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  }

  archive* a_ = nullptr;
  z_stream z_{};
  EVP_MD_CTX* sha_;
  std::string out_;
};

TEST(SbomMemory, ImageWithMoreWantedBytesThanTheBudgetStaysUnder300MiB) {
  static_assert(sbom::ImageTree::kCacheBytes + limits::kMaxSbomBinaryBytes + 64u * 1024 * 1024 <= 300u * 1024 * 1024,
                "the SBOM cache plus one binary must leave room in the 300 MiB budget");
  test::TempDir dir;
  auto store = oci::LayoutStore::open(dir.path() / "layout", true);
  ASSERT_TRUE(store) << store.error().message;

  StreamingLayer layer;
  std::string chunk;
  for (int i = 0; chunk.size() < 65536; ++i) chunk += "/usr/share/sigil/file-" + std::to_string(i) + "\n";
  const std::string os_release = "ID=debian\nVERSION_ID=12\n";
  layer.add("etc/os-release", os_release.size(), os_release);
  // 100 × (4 MiB - 4 KiB): each wanted (dpkg reads info/*.list) and small enough to be cached.
  const std::uint64_t each = limits::kMaxSbomCachedFileBytes - 4096;
  for (int i = 0; i < 100; ++i) layer.add("var/lib/dpkg/info/pkg" + std::to_string(i) + ".list", each, chunk);
  // And one 100 MiB executable (not ELF): read once, as binaries are, while the cache is full.
  layer.add("usr/bin/big", 100u * 1024 * 1024, std::string(65536, 'b'), 0755);
  auto [blob, diff_id] = layer.finish();

  oci::Manifest m;
  m.media_type = std::string(oci::media_type::kOciManifest);
  auto layer_desc = oci::Descriptor::of(blob, oci::media_type::kOciLayerGzip);
  ASSERT_TRUE((*store)->push_blob_bytes(layer_desc, blob));
  m.layers.push_back(layer_desc);
  std::string config = dump_json(
      Json{{"architecture", "amd64"}, {"os", "linux"}, {"rootfs", {{"type", "layers"}, {"diff_ids", Json::array({diff_id})}}}});
  m.config = oci::Descriptor::of(config, oci::media_type::kOciConfig);
  ASSERT_TRUE((*store)->push_blob_bytes(m.config, config));
  ASSERT_TRUE((*store)->push_manifest(m.serialize(), oci::media_type::kOciManifest, "v1"));

  auto r = test::run_sigil({"sbom", "oci:" + (dir.path() / "layout").string() + ":v1", "-o", "cyclonedx-json"},
                           std::chrono::seconds(300));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_LT(r.max_rss_kib, kBudgetKib) << "peak RSS " << r.max_rss_kib / 1024 << " MiB";
  std::printf("sigil sbom of an image with 400 MiB of wanted files: peak RSS %ld MiB\n", r.max_rss_kib / 1024);
}

}  // namespace
}  // namespace sigil
