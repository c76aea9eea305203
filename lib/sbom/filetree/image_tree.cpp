#include "sbom/filetree/image_tree.hpp"

#include <algorithm>

#include "common/limits.hpp"
#include "oci/copy.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "sbom/filetree/detail/file_hash.hpp"
#include "sbom/filetree/detail/layer_stream.hpp"

namespace sigil::sbom {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

// Tar member names are relative ("./usr/bin/x", "usr/"); anything climbing out with ".." is
// refused rather than clamped, since no honest layer contains it.
std::optional<std::string> tree_path(const std::string& name) {
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    if (name.compare(start, slash - start, "..") == 0 && slash - start == 2) return std::nullopt;
    start = slash + 1;
  }
  return normalize_tree_path(name);
}

std::pair<std::string, std::string> split_parent(const std::string& path) {
  auto slash = path.rfind('/');
  std::string parent = slash == 0 ? "/" : path.substr(0, slash);
  return {parent, path.substr(slash + 1)};
}

std::string join(const std::string& dir, std::string_view name) {
  return dir == "/" ? "/" + std::string(name) : dir + "/" + std::string(name);
}

}  // namespace

Result<std::unique_ptr<ImageTree>> ImageTree::build(oci::Store& store, const oci::Descriptor& root,
                                                    const oci::Platform& platform,
                                                    const std::function<bool(const std::string&)>& want,
                                                    const std::function<void(const std::string&, const std::string&)>& problem,
                                                    const Excerpt& excerpt) {
  auto raw = store.fetch_manifest(root);
  if (!raw) return std::unexpected(raw.error());
  auto type = oci::detect_manifest_media_type(*raw, "manifest " + root.digest.str());
  if (!type) return std::unexpected(type.error());
  oci::Descriptor desc = root;
  if (oci::media_type::is_index(*type)) {
    auto index = oci::Index::parse(std::move(*raw), "index " + root.digest.str());
    if (!index) return std::unexpected(index.error());
    auto pick = oci::select_platform(*index, platform, "index " + root.digest.str());
    if (!pick) return std::unexpected(pick.error());
    desc = *pick;
    raw = store.fetch_manifest(desc);
    if (!raw) return std::unexpected(raw.error());
  }
  auto manifest = oci::Manifest::parse(std::move(*raw), "manifest " + desc.digest.str());
  if (!manifest) return std::unexpected(manifest.error());
  auto config_raw = store.fetch_blob_bytes(manifest->config, limits::kMaxConfigBytes);
  if (!config_raw) return std::unexpected(config_raw.error());
  auto config = oci::ImageConfig::parse(std::move(*config_raw), "config " + manifest->config.digest.str());
  if (!config) return std::unexpected(config.error());

  std::unique_ptr<ImageTree> tree(new ImageTree(store));
  tree->info_.manifest = manifest->descriptor();
  tree->info_.manifest.media_type = manifest->media_type.empty() ? std::string(oci::media_type::kOciManifest)
                                                                 : manifest->media_type;
  tree->info_.platform = config->platform().str();
  tree->info_.layers = manifest->layers;
  for (std::size_t i = 0; i < manifest->layers.size(); ++i) {
    auto applied = tree->apply_layer(static_cast<int>(i), want, problem, excerpt);
    if (!applied) return std::unexpected(applied.error());
  }
  return tree;
}

void ImageTree::erase_lower(const std::string& path, int layer, bool self) {
  if (self) {
    auto it = nodes_.find(path);
    if (it != nodes_.end() && it->second.layer < layer) {
      if (it->second.content) cached_bytes_ -= it->second.content->size();
      nodes_.erase(it);
    }
  }
  std::string prefix = path == "/" ? "/" : path + "/";
  for (auto it = nodes_.lower_bound(prefix); it != nodes_.end() && it->first.starts_with(prefix);) {
    if (it->second.layer < layer) {
      if (it->second.content) cached_bytes_ -= it->second.content->size();
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<void> ImageTree::apply_layer(int index, const std::function<bool(const std::string&)>& want,
                                    const std::function<void(const std::string&, const std::string&)>& problem,
                                    const Excerpt& excerpt) {
  const auto& layer = info_.layers[static_cast<std::size_t>(index)];
  std::string layer_digest = layer.digest.str();
  auto on_entry = [&](const detail::TarEntry& e, const detail::ReadData& read) -> Result<bool> {
    auto path = tree_path(e.name);
    if (!path) {
      problem(e.name, "layer " + layer_digest + ": entry climbs out of the root with \"..\", skipped");
      return true;
    }
    if (*path == "/") return true;
    auto [parent, base] = split_parent(*path);
    if (base == kOpaqueMarker) {
      erase_lower(parent, index, false);
      return true;
    }
    if (base.starts_with(kWhiteoutPrefix)) {
      erase_lower(join(parent, std::string_view(base).substr(kWhiteoutPrefix.size())), index, true);
      return true;
    }
    if (nodes_.size() >= limits::kMaxSbomTreeEntries) {
      problem(*path, "more than " + std::to_string(limits::kMaxSbomTreeEntries) + " entries in the image, skipped");
      return true;
    }
    // A non-directory replaces whatever lower layers had at and below its path.
    if (e.kind != EntryKind::directory) erase_lower(*path, index, false);
    Node node;
    node.entry.kind = e.kind;
    node.entry.size = e.size;
    node.entry.mode = e.mode;
    node.entry.layer = layer_digest;
    node.entry.elf = e.kind == EntryKind::file && !e.hardlink && e.magic == std::string_view("\x7f" "ELF", 4);
    node.layer = index;
    node.ordinal = e.ordinal;
    if (e.hardlink) {
      auto target = tree_path(e.link_target);
      if (!target) {
        problem(*path, "hard link target climbs out of the root, skipped");
        return true;
      }
      node.hardlink = *target;
      auto t = nodes_.find(*target);
      if (t != nodes_.end()) {
        node.entry.size = t->second.entry.size;
        node.entry.mode = t->second.entry.mode;
        node.entry.elf = t->second.entry.elf;
        node.content = t->second.content;
        node.excerpt = t->second.excerpt;
        node.hashes = t->second.hashes;
        if (node.content) cached_bytes_ += node.content->size();
      }
    } else if (e.kind == EntryKind::symlink) {
      node.entry.link_target = e.link_target;
    } else if (e.kind == EntryKind::file && e.size <= limits::kMaxSbomCachedFileBytes &&
               cached_bytes_ + e.size <= kCacheBytes && want(*path)) {
      auto data = read(limits::kMaxSbomCachedFileBytes);
      if (!data) return std::unexpected(data.error());
      cached_bytes_ += data->size();
      node.content = std::move(*data);
    } else if (e.kind == EntryKind::file && excerpt && e.size <= limits::kMaxSbomBinaryBytes) {
      // One binary in memory at a time; only its excerpt stays, with the digests of the whole
      // file taken in the same pass (the package it yields records them, and the file is not
      // read again). Files with nothing to excerpt (not ELF, no build info) are not hashed.
      if (auto make = excerpt(*path, node.entry)) {
        auto data = read(limits::kMaxSbomBinaryBytes);
        if (!data) return std::unexpected(data.error());
        node.content = make(*data);
        node.excerpt = true;
        if (!node.content->empty()) node.hashes = detail::hash_bytes(*data);
        cached_bytes_ += node.content->size();
      }
    }
    auto& slot = nodes_[*path];
    if (slot.content) cached_bytes_ -= slot.content->size();
    slot = std::move(node);
    return true;
  };
  return detail::stream_layer(*store_, layer, on_entry);
}

std::optional<Entry> ImageTree::lstat(const std::string& path) const {
  std::string p = normalize_tree_path(path);
  if (p == "/") return Entry{EntryKind::directory, 0, "", "", 0755};
  auto it = nodes_.find(p);
  if (it != nodes_.end()) return it->second.entry;
  // Layers often omit directory entries; a path with content below it is a directory.
  auto below = nodes_.lower_bound(p + "/");
  if (below != nodes_.end() && below->first.starts_with(p + "/")) return Entry{EntryKind::directory, 0, "", "", 0755};
  return std::nullopt;
}

std::vector<std::string> ImageTree::list_dir(const std::string& dir) const {
  std::string d = normalize_tree_path(dir);
  std::string prefix = d == "/" ? "/" : d + "/";
  std::vector<std::string> names;
  for (auto it = nodes_.lower_bound(prefix); it != nodes_.end() && it->first.starts_with(prefix); ++it) {
    std::string rest = it->first.substr(prefix.size());
    std::string name = rest.substr(0, rest.find('/'));
    if (names.empty() || names.back() != name) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

void ImageTree::walk(const std::function<void(const std::string&, const Entry&)>& visit,
                     const std::function<void(const std::string&, const std::string&)>&) const {
  for (const auto& [path, node] : nodes_) {
    if (node.entry.kind != EntryKind::directory) visit(path, node.entry);
  }
}

Result<const ImageTree::Node*> ImageTree::resolve_file(const std::string& path, std::size_t max_bytes) const {
  auto it = nodes_.find(normalize_tree_path(path));
  if (it == nodes_.end()) return fail(ErrorCategory::input, path + ": no such file");
  const Node* node = &it->second;
  if (!node->hardlink.empty()) {
    auto t = nodes_.find(node->hardlink);
    if (t == nodes_.end()) return fail(ErrorCategory::input, path + ": hard link to missing " + node->hardlink);
    node = &t->second;
  }
  if (node->entry.kind != EntryKind::file) return fail(ErrorCategory::input, path + ": not a regular file");
  if (node->entry.size > max_bytes) {
    return fail(ErrorCategory::input, path + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  return node;
}

// The index keeps each entry's layer and position, so one pass over that layer, stopping at the
// entry, finds it again without anything having been extracted.
Result<std::string> ImageTree::reread(const Node& node, const std::string& path, std::size_t max_bytes) const {
  std::optional<std::string> found;
  std::uint64_t want = node.ordinal;
  auto on_entry = [&](const detail::TarEntry& e, const detail::ReadData& read) -> Result<bool> {
    if (e.ordinal != want) return true;
    auto data = read(max_bytes);
    if (!data) return std::unexpected(data.error());
    found = std::move(*data);
    return false;
  };
  auto streamed = detail::stream_layer(*store_, info_.layers[static_cast<std::size_t>(node.layer)], on_entry);
  if (!streamed) return std::unexpected(streamed.error().with_context(path));
  if (!found) return fail(ErrorCategory::internal, path + ": entry vanished from its layer");
  return std::move(*found);
}

Result<FileHashes> ImageTree::hash_resolved(const std::string& path, std::size_t max_bytes) const {
  auto node = resolve_file(path, max_bytes);
  if (!node) return std::unexpected(node.error());
  if ((*node)->hashes) return *(*node)->hashes;
  if ((*node)->content && !(*node)->excerpt) return detail::hash_bytes(*(*node)->content);
  // Neither digests nor the whole content kept.
  auto data = reread(**node, path, max_bytes);
  if (!data) return std::unexpected(data.error());
  return detail::hash_bytes(*data);
}

Result<std::string> ImageTree::read_resolved(const std::string& path, std::size_t max_bytes) const {
  auto node = resolve_file(path, max_bytes);
  if (!node) return std::unexpected(node.error());
  if ((*node)->content) return *(*node)->content;
  // Not kept while streaming.
  return reread(**node, path, max_bytes);
}

}  // namespace sigil::sbom
