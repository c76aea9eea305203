#include "build/output/cache_export.hpp"

#include <algorithm>
#include <set>

#include "build/image/image_config.hpp"
#include "common/json.hpp"
#include "common/limits.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "oci/reference.hpp"

namespace sigil::build {
namespace {

Result<std::pair<oci::Reference, std::shared_ptr<oci::Store>>> open(const std::string& text, const oci::StoreOptions& options,
                                                                    bool create) {
  // buildx spells these "type=registry,ref=R" / "type=local,dest=D"; plain references work too.
  std::string ref_text = text;
  if (text.starts_with("type=")) {
    std::string type;
    std::string value;
    std::size_t start = 0;
    while (start < text.size()) {
      auto comma = text.find(',', start);
      std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      auto eq = item.find('=');
      std::string k = item.substr(0, eq);
      std::string v = eq == std::string::npos ? "" : item.substr(eq + 1);
      if (k == "type") type = v;
      if (k == "ref" || k == "dest" || k == "src") value = v;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (value.empty()) return fail(ErrorCategory::usage, "cache \"" + text + "\": missing ref= (or dest=/src=)");
    ref_text = (type == "local" || type == "oci") && !value.starts_with("oci:") ? "oci:" + value : value;
  }
  auto ref = oci::Reference::parse(ref_text);
  if (!ref) return std::unexpected(ref.error());
  if (ref->tag.empty() && !ref->digest) *ref = ref->with_tag("buildcache");
  oci::StoreOptions o = options;
  o.create_layout = create;
  auto store = oci::open_store(*ref, o);
  if (!store) return std::unexpected(store.error());
  return std::pair(*ref, std::shared_ptr<oci::Store>(std::move(*store)));
}

}  // namespace

Result<std::map<oci::Digest, RemoteCacheRecord>> import_cache(const std::string& text, const oci::StoreOptions& options) {
  auto opened = open(text, options, false);
  if (!opened) return std::unexpected(opened.error());
  auto& [ref, store] = *opened;
  auto desc = store->resolve(ref.identifier());
  if (!desc) return std::unexpected(desc.error());
  auto raw = store->fetch_manifest(*desc);
  if (!raw) return std::unexpected(raw.error());
  auto manifest = oci::Manifest::parse(std::move(*raw), "cache manifest");
  if (!manifest) return std::unexpected(manifest.error());
  if (manifest->config.media_type != kCacheMediaType) {
    return fail(ErrorCategory::input, text + ": not a sigil build cache (config " + manifest->config.media_type + ")");
  }
  auto config = store->fetch_blob_bytes(manifest->config, limits::kMaxConfigBytes);
  if (!config) return std::unexpected(config.error());
  auto j = parse_json(*config, "cache config");
  if (!j) return std::unexpected(j.error());
  std::map<oci::Digest, RemoteCacheRecord> out;
  if (!j->is_object() || !j->contains("records") || !(*j)["records"].is_array()) {
    return fail(ErrorCategory::input, text + ": cache config has no \"records\" array");
  }
  for (const auto& r : (*j)["records"]) {
    if (!r.is_object() || !r.contains("layer")) return fail(ErrorCategory::input, text + ": malformed cache record");
    auto key = json_string_member(r, "key", "cache record");
    auto diff = json_string_member(r, "diffID", "cache record");
    auto layer = oci::Descriptor::from_json(r["layer"], "cache record");
    if (!key || !diff || !layer) return fail(ErrorCategory::input, text + ": malformed cache record");
    auto k = oci::Digest::parse(*key);
    auto d = oci::Digest::parse(*diff);
    if (!k || !d) return fail(ErrorCategory::input, text + ": malformed cache record digest");
    out.emplace(*k, RemoteCacheRecord{CacheRecord{*k, *layer, *d}, store});
  }
  return out;
}

Result<oci::Descriptor> export_cache(const std::string& text, const LocalCache& cache, const std::vector<oci::Digest>& keys,
                                     const oci::StoreOptions& options) {
  std::set<oci::Digest> wanted(keys.begin(), keys.end());
  std::vector<CacheRecord> records;
  for (const auto& k : wanted) {
    if (auto r = cache.lookup(k)) records.push_back(*r);
  }
  auto opened = open(text, options, true);
  if (!opened) return std::unexpected(opened.error());
  auto& [ref, store] = *opened;
  nlohmann::json list = nlohmann::json::array();
  std::vector<oci::Descriptor> layers;
  std::set<oci::Digest> seen;
  for (const auto& r : records) {
    list.push_back({{"key", r.key.str()}, {"layer", r.layer.to_json()}, {"diffID", r.diff_id.str()}});
    if (!seen.insert(r.layer.digest).second) continue;
    layers.push_back(r.layer);
    if (auto p = push_file_blob(*store, r.layer, cache.blob_path(r.layer.digest)); !p) return std::unexpected(p.error());
  }
  std::string config = dump_json(nlohmann::json{{"records", list}});
  auto config_desc = oci::Descriptor::of(config, kCacheMediaType);
  if (auto p = store->push_blob_bytes(config_desc, config); !p) return std::unexpected(p.error());
  oci::Manifest manifest;
  manifest.media_type = std::string(oci::media_type::kOciManifest);
  manifest.artifact_type = std::string(kCacheMediaType);
  manifest.config = config_desc;
  manifest.layers = layers;
  std::string raw = manifest.serialize();
  auto tag = ref.tag.empty() ? std::optional<std::string>() : std::optional<std::string>(ref.tag);
  return store->push_manifest(raw, oci::media_type::kOciManifest, tag);
}

}  // namespace sigil::build
