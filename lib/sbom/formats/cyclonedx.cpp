#include "sbom/formats/cyclonedx.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace sigil::sbom {
namespace {

Json property(const std::string& name, const std::string& value) { return Json{{"name", name}, {"value", value}}; }

// CycloneDX allows either license objects or a single expression, never both: several licenses
// that include an expression become one AND-ed expression when every part is SPDX; otherwise
// expressions are kept as license names.
Json licenses_json(const std::vector<License>& licenses) {
  bool any_expression = false;
  bool all_spdx = true;
  for (const auto& l : licenses) {
    any_expression = any_expression || l.kind == License::Kind::expression;
    all_spdx = all_spdx && l.kind != License::Kind::text;
  }
  Json out = Json::array();
  if (any_expression && all_spdx) {
    std::string expr;
    for (const auto& l : licenses) {
      if (!expr.empty()) expr += " AND ";
      expr += licenses.size() > 1 && l.kind == License::Kind::expression ? "(" + l.value + ")" : l.value;
    }
    out.push_back(Json{{"expression", expr}});
    return out;
  }
  for (const auto& l : licenses) {
    if (l.kind == License::Kind::spdx_id) {
      out.push_back(Json{{"license", {{"id", l.value}}}});
    } else {
      out.push_back(Json{{"license", {{"name", l.value}}}});
    }
  }
  return out;
}

Json component_json(const Package& p) {
  Json c = Json::object();
  c["bom-ref"] = cyclonedx_bom_ref(p);
  c["type"] = "library";
  if (!p.supplier.empty()) c["publisher"] = p.supplier;
  if (!p.author.empty()) c["author"] = p.author;
  c["name"] = p.name;
  if (!p.version.empty()) c["version"] = p.version;
  if (!p.description.empty()) c["description"] = p.description;
  if (!p.hashes.empty()) {
    Json hashes = Json::array();
    for (const auto& [alg, hex] : p.hashes) hashes.push_back(Json{{"alg", alg}, {"content", hex}});
    c["hashes"] = hashes;
  }
  if (!p.licenses.empty()) c["licenses"] = licenses_json(p.licenses);
  if (!p.purl.empty()) c["purl"] = p.purl;
  Json props = Json::array();
  props.push_back(property("sigil:package:foundBy", p.found_by));
  props.push_back(property("sigil:package:type", p.type));
  for (std::size_t i = 0; i < p.locations.size(); ++i) {
    std::string prefix = "sigil:location:" + std::to_string(i) + ":";
    if (!p.locations[i].layer.empty()) props.push_back(property(prefix + "layerID", p.locations[i].layer));
    props.push_back(property(prefix + "path", p.locations[i].path));
  }
  for (const auto& [k, v] : p.metadata) props.push_back(property("sigil:metadata:" + k, v));
  c["properties"] = props;
  return c;
}

Json subject_json(const Inventory& inv) {
  Json c = Json::object();
  const auto& s = inv.subject;
  c["bom-ref"] = "sigil-subject-" + subject_digest(inv).substr(7, 16);
  if (s.kind == Subject::Kind::image) {
    c["type"] = "container";
    c["name"] = s.name;
    c["version"] = s.digest;
    if (!s.platform.empty()) c["properties"] = Json::array({property("sigil:image:platform", s.platform)});
  } else {
    c["type"] = "file";
    c["name"] = s.name;
  }
  return c;
}

Json os_json(const Distro& d) {
  Json c = Json::object();
  c["bom-ref"] = "os:" + d.id + "@" + d.version_id;
  c["type"] = "operating-system";
  c["name"] = d.id;
  if (!d.version_id.empty()) c["version"] = d.version_id;
  if (!d.pretty_name.empty()) c["description"] = d.pretty_name;
  Json props = Json::array();
  if (!d.pretty_name.empty()) props.push_back(property("sigil:distro:prettyName", d.pretty_name));
  if (!d.version_codename.empty()) props.push_back(property("sigil:distro:versionCodename", d.version_codename));
  for (const auto& like : d.id_like) props.push_back(property("sigil:distro:idLike", like));
  if (!props.empty()) c["properties"] = props;
  return c;
}

}  // namespace

std::string cyclonedx_bom_ref(const Package& p) { return p.purl.empty() ? "sigil-package-" + p.id : p.purl; }

Result<std::string> encode_cyclonedx(const Inventory& inv, std::string_view version, const EncodeOptions& options) {
  Format format{Format::Kind::cyclonedx_json, std::string(version)};
  Json doc = Json::object();
  doc["$schema"] = "http://cyclonedx.org/schema/bom-" + std::string(version) + ".schema.json";
  doc["bomFormat"] = "CycloneDX";
  doc["specVersion"] = std::string(version);
  doc["serialNumber"] = "urn:uuid:" + document_uuid(inv, format, options);
  doc["version"] = 1;
  Json metadata = Json::object();
  metadata["timestamp"] = rfc3339_utc(options.timestamp);
  metadata["tools"] = Json{{"components", Json::array({Json{{"type", "application"},
                                                            {"author", options.tool_name},
                                                            {"name", options.tool_name},
                                                            {"version", options.tool_version}}})}};
  metadata["component"] = subject_json(inv);
  if (!inv.warnings.empty()) {
    Json props = Json::array();
    for (std::size_t i = 0; i < inv.warnings.size(); ++i) {
      const auto& w = inv.warnings[i];
      props.push_back(property("sigil:warning:" + std::to_string(i),
                               w.source + ": " + (w.path.empty() ? "" : w.path + ": ") + w.message));
    }
    if (inv.warnings_dropped > 0) props.push_back(property("sigil:warnings:dropped", std::to_string(inv.warnings_dropped)));
    metadata["properties"] = props;
  }
  doc["metadata"] = metadata;

  // Packages another package contains are nested below their first owner (in id order).
  std::map<std::string, std::vector<const Package*>> children;
  std::set<std::string> nested;
  std::map<std::string, const Package*> by_id;
  for (const auto& p : inv.packages) by_id[p.id] = &p;
  for (const auto& r : inv.relationships) {
    if (r.type != Relationship::Type::contains || nested.contains(r.to)) continue;
    auto child = by_id.find(r.to);
    if (child == by_id.end()) continue;
    nested.insert(r.to);
    children[r.from].push_back(child->second);
  }
  std::function<Json(const Package&, int)> build = [&](const Package& p, int depth) {
    Json c = component_json(p);
    auto kids = children.find(p.id);
    if (kids != children.end() && depth < 8) {
      Json arr = Json::array();
      for (const auto* k : kids->second) arr.push_back(build(*k, depth + 1));
      c["components"] = arr;
    }
    return c;
  };
  Json components = Json::array();
  for (const auto& p : inv.packages) {
    if (!nested.contains(p.id)) components.push_back(build(p, 0));
  }
  if (inv.distro) components.push_back(os_json(*inv.distro));
  doc["components"] = components;

  std::map<std::string, std::vector<std::string>> depends;
  for (const auto& r : inv.relationships) {
    if (r.type != Relationship::Type::depends_on) continue;
    depends[cyclonedx_bom_ref(*by_id.at(r.from))].push_back(cyclonedx_bom_ref(*by_id.at(r.to)));
  }
  if (!depends.empty()) {
    Json deps = Json::array();
    for (auto& [ref, on] : depends) {
      std::sort(on.begin(), on.end());
      on.erase(std::unique(on.begin(), on.end()), on.end());
      deps.push_back(Json{{"ref", ref}, {"dependsOn", on}});
    }
    doc["dependencies"] = deps;
  }
  return dump_json_pretty(doc) + "\n";
}

}  // namespace sigil::sbom
