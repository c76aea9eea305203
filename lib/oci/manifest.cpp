#include "oci/manifest.hpp"

#include "common/limits.hpp"
#include "oci/media_types.hpp"

namespace sigil::oci {
namespace {

Result<Json> parse_limited(const std::string& raw, std::string_view what, std::size_t limit) {
  if (raw.size() > limit) {
    return fail(ErrorCategory::input, std::string(what) + ": " + std::to_string(raw.size()) +
                                          " bytes exceeds the limit of " + std::to_string(limit));
  }
  auto j = parse_json(raw, what);
  if (!j) return j;
  if (!j->is_object()) return fail(ErrorCategory::input, std::string(what) + ": not a JSON object");
  return j;
}

Result<void> check_schema_version(const Json& j, std::string_view what) {
  auto it = j.find("schemaVersion");
  // Compared as a 64-bit value: get<int>() would truncate 4294967298 to 2.
  bool is_two = it != j.end() && it->is_number_integer() && it->get<std::int64_t>() == 2;
  if (!is_two) {
    if (j.contains("fsLayers") || (it != j.end() && it->is_number_integer() && it->get<std::int64_t>() == 1)) {
      return fail(ErrorCategory::input, std::string(what) + ": Docker schema 1 manifests are not supported");
    }
    return fail(ErrorCategory::input, std::string(what) + ": schemaVersion must be 2");
  }
  return {};
}

// Reads an optional subject descriptor.
Result<std::optional<Descriptor>> subject_from_json(const Json& j, std::string_view what) {
  auto it = j.find("subject");
  if (it == j.end() || it->is_null()) return std::optional<Descriptor>();
  auto d = Descriptor::from_json(*it, std::string(what) + " subject");
  if (!d) return std::unexpected(d.error());
  return std::optional<Descriptor>(*d);
}

Result<std::vector<Descriptor>> descriptor_array(const Json& j, std::string_view key, std::string_view what,
                                                 bool required) {
  std::vector<Descriptor> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return fail(ErrorCategory::input, std::string(what) + ": missing \"" + std::string(key) + "\"");
    return out;
  }
  if (!it->is_array()) return fail(ErrorCategory::input, std::string(what) + ": \"" + std::string(key) + "\" is not an array");
  std::size_t i = 0;
  for (const auto& item : *it) {
    auto d = Descriptor::from_json(item, std::string(what) + " " + std::string(key) + "[" + std::to_string(i++) + "]");
    if (!d) return std::unexpected(d.error());
    out.push_back(std::move(*d));
  }
  return out;
}

void put_common(Json& j, std::string_view artifact_type, const std::optional<Descriptor>& subject,
                const Annotations& annotations) {
  if (!artifact_type.empty()) j["artifactType"] = artifact_type;
  if (subject) j["subject"] = subject->to_json();
  if (!annotations.empty()) j["annotations"] = annotations;
}

Descriptor referrer_descriptor(std::string_view raw, std::string_view media_type, std::string_view artifact_type,
                               const Annotations& annotations, std::string_view config_media_type) {
  Descriptor d = Descriptor::of(raw, media_type);
  // As the distribution spec's referrers API requires: artifactType, else the config media type
  // (even the empty-config type) for manifests; indexes pass no config type.
  d.artifact_type = !artifact_type.empty() ? std::string(artifact_type) : std::string(config_media_type);
  d.annotations = annotations;
  return d;
}

}  // namespace

Result<std::string> detect_manifest_media_type(std::string_view raw, std::string_view what) {
  if (raw.size() > limits::kMaxManifestBytes) {
    return fail(ErrorCategory::input, std::string(what) + ": " + std::to_string(raw.size()) +
                                          " bytes exceeds the limit of " + std::to_string(limits::kMaxManifestBytes));
  }
  auto j = parse_json(raw, what);
  if (!j) return std::unexpected(j.error());
  if (!j->is_object()) return fail(ErrorCategory::input, std::string(what) + ": not a JSON object");
  if (auto v = j->find("schemaVersion"); j->contains("fsLayers") || (v != j->end() && *v == 1)) {
    return fail(ErrorCategory::input, std::string(what) + ": Docker schema 1 manifests are not supported");
  }
  auto mt = json_string_member(*j, "mediaType", what);
  if (!mt) return mt;
  if (!mt->empty()) {
    if (media_type::is_manifest(*mt) || media_type::is_index(*mt)) return mt;
    return fail(ErrorCategory::input, std::string(what) + ": unsupported media type \"" + *mt + "\"");
  }
  if (j->contains("manifests")) return std::string(media_type::kOciIndex);
  if (j->contains("config") || j->contains("layers")) return std::string(media_type::kOciManifest);
  return fail(ErrorCategory::input, std::string(what) + ": neither a manifest nor an index");
}

Result<Manifest> Manifest::parse(std::string raw, std::string_view what) {
  auto j = parse_limited(raw, what, limits::kMaxManifestBytes);
  if (!j) return std::unexpected(j.error());
  if (auto v = check_schema_version(*j, what); !v) return std::unexpected(v.error());
  Manifest m;
  auto mt = json_string_member(*j, "mediaType", what);
  if (!mt) return std::unexpected(mt.error());
  m.media_type = mt->empty() ? std::string(media_type::kOciManifest) : *mt;
  if (!media_type::is_manifest(m.media_type)) {
    return fail(ErrorCategory::input, std::string(what) + ": media type \"" + m.media_type + "\" is not an image manifest");
  }
  auto at = json_string_member(*j, "artifactType", what);
  if (!at) return std::unexpected(at.error());
  m.artifact_type = *at;
  auto config_it = j->find("config");
  if (config_it == j->end()) return fail(ErrorCategory::input, std::string(what) + ": missing \"config\"");
  auto config = Descriptor::from_json(*config_it, std::string(what) + " config");
  if (!config) return std::unexpected(config.error());
  m.config = *config;
  auto layers = descriptor_array(*j, "layers", what, true);
  if (!layers) return std::unexpected(layers.error());
  m.layers = std::move(*layers);
  auto subject = subject_from_json(*j, what);
  if (!subject) return std::unexpected(subject.error());
  m.subject = *subject;
  auto ann = annotations_from_json(*j, what);
  if (!ann) return std::unexpected(ann.error());
  m.annotations = *ann;
  m.raw = std::move(raw);
  return m;
}

std::string Manifest::serialize() {
  if (media_type.empty()) media_type = media_type::kOciManifest;
  Json layers_json = Json::array();
  for (const auto& l : layers) layers_json.push_back(l.to_json());
  Json j = {{"schemaVersion", 2}, {"mediaType", media_type}, {"config", config.to_json()}, {"layers", layers_json}};
  put_common(j, artifact_type, subject, annotations);
  raw = dump_json(j);
  return raw;
}

Descriptor Manifest::descriptor() const {
  return referrer_descriptor(raw, media_type, artifact_type, annotations, config.media_type);
}

Result<Index> Index::parse(std::string raw, std::string_view what) {
  auto j = parse_limited(raw, what, limits::kMaxManifestBytes);
  if (!j) return std::unexpected(j.error());
  if (auto v = check_schema_version(*j, what); !v) return std::unexpected(v.error());
  Index idx;
  auto mt = json_string_member(*j, "mediaType", what);
  if (!mt) return std::unexpected(mt.error());
  idx.media_type = mt->empty() ? std::string(media_type::kOciIndex) : *mt;
  if (!media_type::is_index(idx.media_type)) {
    return fail(ErrorCategory::input, std::string(what) + ": media type \"" + idx.media_type + "\" is not an index");
  }
  auto at = json_string_member(*j, "artifactType", what);
  if (!at) return std::unexpected(at.error());
  idx.artifact_type = *at;
  auto manifests = descriptor_array(*j, "manifests", what, true);
  if (!manifests) return std::unexpected(manifests.error());
  idx.manifests = std::move(*manifests);
  auto subject = subject_from_json(*j, what);
  if (!subject) return std::unexpected(subject.error());
  idx.subject = *subject;
  auto ann = annotations_from_json(*j, what);
  if (!ann) return std::unexpected(ann.error());
  idx.annotations = *ann;
  idx.raw = std::move(raw);
  return idx;
}

std::string Index::serialize() {
  if (media_type.empty()) media_type = media_type::kOciIndex;
  Json list = Json::array();
  for (const auto& m : manifests) list.push_back(m.to_json());
  Json j = {{"schemaVersion", 2}, {"mediaType", media_type}, {"manifests", list}};
  put_common(j, artifact_type, subject, annotations);
  raw = dump_json(j);
  return raw;
}

Descriptor Index::descriptor() const { return referrer_descriptor(raw, media_type, artifact_type, annotations, {}); }

Result<ImageConfig> ImageConfig::parse(std::string raw, std::string_view what) {
  auto j = parse_limited(raw, what, limits::kMaxConfigBytes);
  if (!j) return std::unexpected(j.error());
  ImageConfig c;
  for (auto [key, field] : {std::pair{"architecture", &c.architecture}, std::pair{"os", &c.os},
                            std::pair{"variant", &c.variant}, std::pair{"created", &c.created}}) {
    auto v = json_string_member(*j, key, what);
    if (!v) return std::unexpected(v.error());
    *field = *v;
  }
  if (auto rootfs = j->find("rootfs"); rootfs != j->end() && !rootfs->is_null()) {
    if (!rootfs->is_object()) return fail(ErrorCategory::input, std::string(what) + ": \"rootfs\" is not an object");
    if (auto ids = rootfs->find("diff_ids"); ids != rootfs->end() && !ids->is_null()) {
      if (!ids->is_array()) return fail(ErrorCategory::input, std::string(what) + ": \"rootfs.diff_ids\" is not an array");
      for (const auto& id : *ids) {
        if (!id.is_string()) return fail(ErrorCategory::input, std::string(what) + ": diff_id is not a string");
        auto d = Digest::parse(id.get<std::string>());
        if (!d) return std::unexpected(d.error().with_context(what));
        c.diff_ids.push_back(*d);
      }
    }
  }
  c.json = std::move(*j);
  c.raw = std::move(raw);
  return c;
}

Platform ImageConfig::platform() const {
  Platform p;
  p.os = os;
  p.architecture = architecture;
  p.variant = variant;
  return p;
}

}  // namespace sigil::oci
