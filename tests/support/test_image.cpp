#include "support/test_image.hpp"

#include <array>
#include <cstdio>
#include <cstring>

#include "oci/manifest.hpp"
#include "oci/media_types.hpp"

namespace sigil::test {
namespace {

constexpr std::size_t kBlock = 512;
constexpr std::size_t kDeflateStoredMax = 65535;
constexpr std::uint64_t kMtime = 946684800;  // 2000-01-01T00:00:00Z
constexpr std::string_view kCreated = "2000-01-01T00:00:00Z";

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// CRC-32 (gzip's) with slicing-by-8 tables: the layer generator feeds it every byte of a
// possibly gigabyte-sized stream, so the byte-at-a-time loop would dominate a benchmark's setup.
using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;

const CrcTables& crc_tables() {
  static const CrcTables tables = [] {
    CrcTables t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    for (std::size_t s = 1; s < 8; ++s) {
      for (std::size_t i = 0; i < 256; ++i) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
    }
    return t;
  }();
  return tables;
}

std::uint32_t crc_update(std::uint32_t crc, std::string_view data) {
  const auto& t = crc_tables();
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  while (n >= 8) {
    std::uint32_t lo = crc ^ (std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
                              std::uint32_t{p[3]} << 24);
    std::uint32_t hi = std::uint32_t{p[4]} | std::uint32_t{p[5]} << 8 | std::uint32_t{p[6]} << 16 |
                       std::uint32_t{p[7]} << 24;
    crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
          t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

void put_octal(char* field, std::size_t width, std::uint64_t value) {
  // width-1 octal digits, zero padded, then NUL.
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(value));
}

// One ustar header block.
std::string tar_header(const std::string& name, char type, std::uint32_t mode, std::uint64_t size) {
  std::string h(kBlock, '\0');
  std::memcpy(h.data(), name.data(), std::min<std::size_t>(name.size(), 100));
  put_octal(&h[100], 8, mode);
  put_octal(&h[108], 8, 0);  // uid
  put_octal(&h[116], 8, 0);  // gid
  put_octal(&h[124], 12, size);
  put_octal(&h[136], 12, kMtime);
  std::memset(&h[148], ' ', 8);
  h[156] = type;
  std::memcpy(&h[257], "ustar", 6);  // magic "ustar\0"
  std::memcpy(&h[263], "00", 2);
  std::memcpy(&h[265], "root", 4);
  std::memcpy(&h[297], "root", 4);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(&h[148], 8, "%06o", sum);  // six digits, NUL, and the space already there
  h[155] = ' ';
  return h;
}

void put_le32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string test_layer_file(std::size_t index) { return "layer" + std::to_string(index) + "/data.bin"; }

TestLayerSource::TestLayerSource(std::uint64_t seed, std::size_t index, std::uint64_t file_bytes)
    : file_bytes_(file_bytes), rng_(seed * 0x100000001b3ULL + index) {
  std::string dir = "layer" + std::to_string(index) + "/";
  prefix_ = tar_header(dir, '5', 0755, 0) + tar_header(test_layer_file(index), '0', 0644, file_bytes);
  std::uint64_t pad = (kBlock - file_bytes % kBlock) % kBlock;
  suffix_bytes_ = pad + 2 * kBlock;
  tar_size_ = prefix_.size() + file_bytes_ + suffix_bytes_;
}

std::size_t TestLayerSource::next_tar(char* out, std::size_t cap) {
  std::size_t n = 0;
  while (n < cap && tar_pos_ < tar_size_) {
    if (tar_pos_ < prefix_.size()) {
      std::size_t k = std::min<std::size_t>(cap - n, prefix_.size() - tar_pos_);
      std::memcpy(out + n, prefix_.data() + tar_pos_, k);
      n += k;
      tar_pos_ += k;
    } else if (tar_pos_ < prefix_.size() + file_bytes_) {
      std::uint64_t left = prefix_.size() + file_bytes_ - tar_pos_;
      std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(cap - n, left));
      std::size_t i = 0;
      // Rest of the current word, then whole words, then a partial one: the same little-endian
      // byte sequence whatever the chunk boundaries.
      for (; i < k && word_left_ > 0; ++i, --word_left_) {
        out[n + i] = static_cast<char>(word_ & 0xff);
        word_ >>= 8;
      }
      for (; i + 8 <= k; i += 8) {
        std::uint64_t w = splitmix64(rng_);
        for (std::size_t b = 0; b < 8; ++b) out[n + i + b] = static_cast<char>((w >> (8 * b)) & 0xff);
      }
      for (; i < k; ++i) {
        if (word_left_ == 0) {
          word_ = splitmix64(rng_);
          word_left_ = 8;
        }
        out[n + i] = static_cast<char>(word_ & 0xff);
        word_ >>= 8;
        --word_left_;
      }
      n += k;
      tar_pos_ += k;
    } else {
      std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(cap - n, tar_size_ - tar_pos_));
      std::memset(out + n, 0, k);
      n += k;
      tar_pos_ += k;
    }
  }
  return n;
}

void TestLayerSource::next_block() {
  out_.clear();
  out_pos_ = 0;
  if (stage_ == 0) {
    // gzip header: magic, deflate, no flags, mtime 0, no extra flags, OS unknown.
    out_.assign("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
    stage_ = 1;
  }
  if (stage_ != 1) return;
  char block[kDeflateStoredMax];
  std::size_t n = next_tar(block, sizeof block);
  std::string_view chunk(block, n);
  tar_hasher_.update(chunk);
  crc_ = crc_update(crc_, chunk);
  bool last = tar_pos_ == tar_size_;
  // Stored deflate block: BFINAL bit, BTYPE 00, then LEN and its complement (little endian).
  out_.push_back(last ? '\x01' : '\x00');
  auto len = static_cast<std::uint16_t>(n);
  auto nlen = static_cast<std::uint16_t>(~len);
  out_.push_back(static_cast<char>(len & 0xff));
  out_.push_back(static_cast<char>(len >> 8));
  out_.push_back(static_cast<char>(nlen & 0xff));
  out_.push_back(static_cast<char>(nlen >> 8));
  out_.append(chunk);
  if (last) {
    put_le32(out_, crc_ ^ 0xffffffffu);
    put_le32(out_, static_cast<std::uint32_t>(tar_size_ & 0xffffffffu));
    diff_id_ = tar_hasher_.finish();
    stage_ = 2;
  }
}

Result<std::size_t> TestLayerSource::read(char* buffer, std::size_t capacity) {
  if (out_pos_ == out_.size()) {
    if (stage_ == 2) return std::size_t{0};
    next_block();
  }
  std::size_t k = std::min(capacity, out_.size() - out_pos_);
  std::memcpy(buffer, out_.data() + out_pos_, k);
  out_pos_ += k;
  return k;
}

Result<TestImage> write_test_image(oci::Store& store, const TestImageOptions& options) {
  TestImage image;
  std::vector<char> buffer(1 << 20);
  for (std::size_t i = 0; i < options.layers; ++i) {
    // First pass: learn digest, size and diff_id without keeping the bytes.
    TestLayerSource measure(options.seed, i, options.layer_bytes);
    oci::Hasher hasher;
    std::int64_t size = 0;
    for (;;) {
      auto n = measure.read(buffer.data(), buffer.size());
      if (!n) return std::unexpected(n.error());
      if (*n == 0) break;
      hasher.update(std::string_view(buffer.data(), *n));
      size += static_cast<std::int64_t>(*n);
    }
    oci::Descriptor layer;
    layer.media_type = oci::media_type::kOciLayerGzip;
    layer.digest = hasher.finish();
    layer.size = size;
    TestLayerSource source(options.seed, i, options.layer_bytes);
    if (auto r = store.push_blob(layer, source); !r) return std::unexpected(r.error());
    image.layers.push_back(layer);
    image.diff_ids.push_back(measure.diff_id());
  }
  Json diff_ids = Json::array();
  Json history = Json::array();
  for (std::size_t i = 0; i < image.diff_ids.size(); ++i) {
    diff_ids.push_back(image.diff_ids[i].str());
    history.push_back({{"created", kCreated}, {"created_by", "sigil test layer " + std::to_string(i)}});
  }
  Json config = {{"architecture", options.architecture},
                 {"os", options.os},
                 {"created", kCreated},
                 {"config", {{"Env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}}}},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
                 {"history", history}};
  image.config_raw = dump_json(config);
  image.config = oci::Descriptor::of(image.config_raw, oci::media_type::kOciConfig);
  if (auto r = store.push_blob_bytes(image.config, image.config_raw); !r) return std::unexpected(r.error());
  oci::Manifest manifest;
  manifest.media_type = oci::media_type::kOciManifest;
  manifest.config = image.config;
  manifest.layers = image.layers;
  image.manifest_raw = manifest.serialize();
  auto pushed = store.push_manifest(image.manifest_raw, oci::media_type::kOciManifest, options.tag);
  if (!pushed) return std::unexpected(pushed.error());
  image.manifest = oci::Descriptor::of(image.manifest_raw, oci::media_type::kOciManifest);
  return image;
}

Result<oci::Descriptor> write_test_referrer(oci::Store& store, const oci::Descriptor& subject,
                                            std::string_view artifact_type, std::string_view payload,
                                            const oci::Annotations& annotations, std::optional<std::string> tag,
                                            std::string_view layer_media_type) {
  oci::Descriptor config = oci::Descriptor::of(oci::media_type::kEmptyJson, oci::media_type::kOciEmpty);
  if (auto r = store.push_blob_bytes(config, oci::media_type::kEmptyJson); !r) return std::unexpected(r.error());
  oci::Descriptor layer = oci::Descriptor::of(payload, layer_media_type);
  if (auto r = store.push_blob_bytes(layer, payload); !r) return std::unexpected(r.error());
  oci::Manifest m;
  m.media_type = oci::media_type::kOciManifest;
  m.artifact_type = artifact_type;
  m.config = config;
  m.config.data = "e30=";  // base64 of "{}", as OCI 1.1 recommends for the empty descriptor
  m.layers.push_back(layer);
  oci::Descriptor sub;
  sub.media_type = subject.media_type;
  sub.digest = subject.digest;
  sub.size = subject.size;
  m.subject = sub;
  m.annotations = annotations;
  std::string raw = m.serialize();
  return store.push_manifest(raw, oci::media_type::kOciManifest, std::move(tag));
}

}  // namespace sigil::test
