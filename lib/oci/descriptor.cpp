#include "oci/descriptor.hpp"

#include "common/base64.hpp"

namespace sigil::oci {
namespace {

Result<std::vector<std::string>> string_array(const Json& j, std::string_view key, std::string_view what) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return fail(ErrorCategory::input, std::string(what) + ": \"" + std::string(key) + "\" is not an array");
  for (const auto& v : *it) {
    if (!v.is_string()) {
      return fail(ErrorCategory::input, std::string(what) + ": \"" + std::string(key) + "\" holds a non-string");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

Result<Annotations> annotations_from_json(const Json& j, std::string_view what) {
  Annotations out;
  auto it = j.find("annotations");
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) return fail(ErrorCategory::input, std::string(what) + ": \"annotations\" is not an object");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      return fail(ErrorCategory::input, std::string(what) + ": annotation \"" + k + "\" is not a string");
    }
    out.emplace(k, v.get<std::string>());
  }
  return out;
}

Result<Platform> Platform::parse(std::string_view text) {
  Platform p;
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  bool empty_part = false;
  for (const auto& s : parts) empty_part = empty_part || s.empty();
  if (parts.size() < 2 || parts.size() > 3 || empty_part) {
    return fail(ErrorCategory::input, "invalid platform \"" + std::string(text) + "\": expected OS/ARCH[/VARIANT]");
  }
  p.os = parts[0];
  p.architecture = parts[1];
  if (parts.size() == 3) p.variant = parts[2];
  return p;
}

Result<Platform> Platform::from_json(const Json& j, std::string_view what) {
  if (!j.is_object()) return fail(ErrorCategory::input, std::string(what) + ": platform is not an object");
  Platform p;
  auto os = json_string_member(j, "os", what);
  auto arch = json_string_member(j, "architecture", what);
  auto variant = json_string_member(j, "variant", what);
  auto os_version = json_string_member(j, "os.version", what);
  for (auto* r : {&os, &arch, &variant, &os_version}) {
    if (!*r) return std::unexpected(r->error());
  }
  auto features = string_array(j, "os.features", what);
  if (!features) return std::unexpected(features.error());
  if (os->empty() || arch->empty()) {
    return fail(ErrorCategory::input, std::string(what) + ": platform needs both \"os\" and \"architecture\"");
  }
  p.os = *os;
  p.architecture = *arch;
  p.variant = *variant;
  p.os_version = *os_version;
  p.os_features = *features;
  return p;
}

Json Platform::to_json() const {
  Json j = {{"architecture", architecture}, {"os", os}};
  if (!variant.empty()) j["variant"] = variant;
  if (!os_version.empty()) j["os.version"] = os_version;
  if (!os_features.empty()) j["os.features"] = os_features;
  return j;
}

std::string Platform::str() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

bool Platform::satisfies(const Platform& want) const {
  if (os != want.os || architecture != want.architecture) return false;
  return want.variant.empty() || variant == want.variant ||
         // arm64 images usually omit the default variant v8.
         (variant.empty() && want.architecture == "arm64" && want.variant == "v8");
}

Result<Descriptor> Descriptor::from_json(const Json& j, std::string_view what) {
  if (!j.is_object()) return fail(ErrorCategory::input, std::string(what) + ": descriptor is not an object");
  Descriptor d;
  auto mt = json_string_member(j, "mediaType", what);
  if (!mt) return std::unexpected(mt.error());
  if (mt->empty()) return fail(ErrorCategory::input, std::string(what) + ": descriptor has no mediaType");
  d.media_type = *mt;
  auto digest_text = json_string_member(j, "digest", what);
  if (!digest_text) return std::unexpected(digest_text.error());
  auto digest = Digest::parse(*digest_text);
  if (!digest) return std::unexpected(digest.error().with_context(what));
  d.digest = *digest;
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0) {
    return fail(ErrorCategory::input, std::string(what) + ": descriptor " + d.digest.str() +
                                          " has no valid size");
  }
  d.size = size->get<std::int64_t>();
  auto urls = string_array(j, "urls", what);
  if (!urls) return std::unexpected(urls.error());
  d.urls = *urls;
  auto ann = annotations_from_json(j, what);
  if (!ann) return std::unexpected(ann.error());
  d.annotations = *ann;
  if (auto it = j.find("data"); it != j.end() && !it->is_null()) {
    if (!it->is_string() || !base64_decode(it->get<std::string>())) {
      return fail(ErrorCategory::input, std::string(what) + ": descriptor data is not base64");
    }
    d.data = it->get<std::string>();
  }
  if (auto it = j.find("platform"); it != j.end() && !it->is_null()) {
    auto p = Platform::from_json(*it, what);
    if (!p) return std::unexpected(p.error());
    d.platform = *p;
  }
  auto at = json_string_member(j, "artifactType", what);
  if (!at) return std::unexpected(at.error());
  d.artifact_type = *at;
  return d;
}

Json Descriptor::to_json() const {
  Json j = {{"mediaType", media_type}, {"digest", digest.str()}, {"size", size}};
  if (!urls.empty()) j["urls"] = urls;
  if (!annotations.empty()) j["annotations"] = annotations;
  if (data) j["data"] = *data;
  if (platform) j["platform"] = platform->to_json();
  if (!artifact_type.empty()) j["artifactType"] = artifact_type;
  return j;
}

Descriptor Descriptor::of(std::string_view bytes, std::string_view media_type) {
  Descriptor d;
  d.media_type = media_type;
  d.digest = Digest::of(bytes);
  d.size = static_cast<std::int64_t>(bytes.size());
  return d;
}

}  // namespace sigil::oci
