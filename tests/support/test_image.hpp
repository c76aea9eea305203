// Random but reproducible OCI images for tests and benchmarks, written into any oci::Store
// (LayoutStore, RegistryStore, ...).
//
// Each layer is a real tar+gzip blob that umoci, skopeo and container runtimes accept: a
// directory "layer<i>/" holding one file "layer<i>/data.bin" of `layer_bytes` pseudo-random
// bytes (root-owned, mode 0644, mtime 2000-01-01). Layers are generated on the fly, twice (once
// to learn digest and diff_id, once while pushing), so a 1 GiB image needs no memory or
// temporary files; the same seed always gives the same digests. The gzip stream uses stored
// (uncompressed) deflate blocks: random data does not compress anyway, and it keeps generation
// fast and free of extra libraries.
//
//   sigil::test::TestImageOptions opts;
//   opts.layers = 8; opts.layer_bytes = 128 << 20; opts.tag = "v1";
//   auto image = sigil::test::write_test_image(store, opts);   // Result<TestImage>
//   image->manifest.digest ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/digest.hpp"
#include "oci/store.hpp"

namespace sigil::test {

/// What image to generate.
struct TestImageOptions {
  std::size_t layers = 2;              ///< number of layers (0 is allowed)
  std::uint64_t layer_bytes = 4096;    ///< size of the one file in each layer
  std::uint64_t seed = 1;              ///< same seed and sizes → same bytes and digests
  std::optional<std::string> tag;      ///< pushed under this tag when set, else untagged
  std::string os = "linux";
  std::string architecture = "amd64";
};

/// What write_test_image() pushed.
struct TestImage {
  oci::Descriptor manifest;             ///< OCI image manifest (mediaType, digest, size)
  oci::Descriptor config;               ///< OCI image config
  std::vector<oci::Descriptor> layers;  ///< tar+gzip layers, in order
  std::vector<oci::Digest> diff_ids;    ///< sha256 of each uncompressed tar, as in the config
  std::string manifest_raw;
  std::string config_raw;
};

/// Generates and pushes an image: layers, config (with matching diff_ids), manifest (+ tag).
[[nodiscard]] Result<TestImage> write_test_image(oci::Store& store, const TestImageOptions& options = {});

/// Path of the file inside layer `index` ("layer0/data.bin").
[[nodiscard]] std::string test_layer_file(std::size_t index);

/// Pushes an OCI 1.1 artifact manifest referring to `subject`: empty config ({}), one layer
/// holding `payload` (media type `layer_media_type`), `artifact_type` and `annotations` on the
/// manifest. Returns the descriptor push_manifest() returned (artifactType, annotations).
[[nodiscard]] Result<oci::Descriptor> write_test_referrer(oci::Store& store, const oci::Descriptor& subject,
                                                          std::string_view artifact_type, std::string_view payload,
                                                          const oci::Annotations& annotations = {},
                                                          std::optional<std::string> tag = std::nullopt,
                                                          std::string_view layer_media_type = "application/octet-stream");

/// The byte stream of one generated tar+gzip layer, as a BlobSource (usable with any Store or
/// to measure throughput). The same (seed, index, bytes) always yields the same stream.
class TestLayerSource final : public oci::BlobSource {
 public:
  TestLayerSource(std::uint64_t seed, std::size_t index, std::uint64_t file_bytes);
  Result<std::size_t> read(char* buffer, std::size_t capacity) override;

  /// Valid after read() returned 0: sha256 of the uncompressed tar (the layer's diff_id).
  [[nodiscard]] const oci::Digest& diff_id() const { return diff_id_; }

 private:
  std::size_t next_tar(char* out, std::size_t cap);
  void next_block();

  std::string prefix_;            // the two tar headers
  std::uint64_t file_bytes_;
  std::uint64_t suffix_bytes_;    // padding of the file + two zero blocks
  std::uint64_t tar_pos_ = 0;
  std::uint64_t rng_;
  std::uint64_t word_ = 0;
  int word_left_ = 0;
  std::uint32_t crc_ = 0xffffffffu;
  std::uint64_t tar_size_ = 0;
  oci::Hasher tar_hasher_;
  oci::Digest diff_id_;
  std::string out_;               // gzip bytes ready to hand out
  std::size_t out_pos_ = 0;
  int stage_ = 0;                 // 0 header pending, 1 blocks, 2 trailer written
};

}  // namespace sigil::test
