// Test images for the SBOM tests: layers written with libarchive from a list of entries
// (files, directories, symlinks, hard links, whiteouts are just files named .wh.*), gzip or
// plain tar, pushed with their config and manifest into any Store.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/json.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "oci/store.hpp"

namespace sigil::test {

struct LayerEntry {
  enum class Kind { file, dir, symlink, hardlink };
  std::string path;
  std::string content;  ///< file bytes, or link target
  Kind kind = Kind::file;
  std::uint32_t mode = 0;  ///< permission bits of a file; 0: 0644
};

inline LayerEntry file(std::string path, std::string content) { return {std::move(path), std::move(content), LayerEntry::Kind::file}; }
inline LayerEntry dir(std::string path) { return {std::move(path), "", LayerEntry::Kind::dir}; }
inline LayerEntry symlink(std::string path, std::string target) { return {std::move(path), std::move(target), LayerEntry::Kind::symlink}; }
inline LayerEntry hardlink(std::string path, std::string target) { return {std::move(path), std::move(target), LayerEntry::Kind::hardlink}; }
inline LayerEntry executable(std::string path, std::string content) {
  return {std::move(path), std::move(content), LayerEntry::Kind::file, 0755};
}

/// An uncompressed tar of the entries, in order.
inline std::string make_tar(const std::vector<LayerEntry>& entries) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(
      a, &out, nullptr,
      [](archive*, void* client, const void* buffer, size_t length) -> la_ssize_t {
        static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
        return static_cast<la_ssize_t>(length);
      },
      nullptr);
  for (const auto& e : entries) {
    archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.path.c_str());
    archive_entry_set_mtime(ae, 946684800, 0);
    switch (e.kind) {
      case LayerEntry::Kind::file:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, e.mode != 0 ? static_cast<mode_t>(e.mode) : 0644);
        archive_entry_set_size(ae, static_cast<la_int64_t>(e.content.size()));
        break;
      case LayerEntry::Kind::dir:
        archive_entry_set_filetype(ae, AE_IFDIR);
        archive_entry_set_perm(ae, 0755);
        break;
      case LayerEntry::Kind::symlink:
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_perm(ae, 0777);
        archive_entry_set_symlink(ae, e.content.c_str());
        break;
      case LayerEntry::Kind::hardlink:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, 0644);
        archive_entry_set_hardlink(ae, e.content.c_str());
        archive_entry_set_size(ae, 0);
        break;
    }
    archive_write_header(a, ae);
    if (e.kind == LayerEntry::Kind::file && !e.content.empty()) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

inline std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(static_cast<uLong>(data.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

/// Pushes an image of these layers (each gzip-compressed when `compress`) and returns its manifest descriptor.
inline Result<oci::Descriptor> write_sbom_image(oci::Store& store, const std::vector<std::vector<LayerEntry>>& layers,
                                                const std::string& tag, bool compress = true) {
  oci::Manifest m;
  m.media_type = std::string(oci::media_type::kOciManifest);
  Json diff_ids = Json::array();
  for (const auto& layer : layers) {
    std::string tar = make_tar(layer);
    diff_ids.push_back(oci::Digest::of(tar).str());
    std::string blob = compress ? gzip(tar) : tar;
    auto desc = oci::Descriptor::of(blob, compress ? oci::media_type::kOciLayerGzip : oci::media_type::kOciLayerTar);
    auto pushed = store.push_blob_bytes(desc, blob);
    if (!pushed) return std::unexpected(pushed.error());
    m.layers.push_back(desc);
  }
  Json config = {{"architecture", "amd64"}, {"os", "linux"}, {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  std::string config_raw = dump_json(config);
  m.config = oci::Descriptor::of(config_raw, oci::media_type::kOciConfig);
  auto pushed = store.push_blob_bytes(m.config, config_raw);
  if (!pushed) return std::unexpected(pushed.error());
  std::string raw = m.serialize();
  return store.push_manifest(raw, oci::media_type::kOciManifest, tag);
}

}  // namespace sigil::test
