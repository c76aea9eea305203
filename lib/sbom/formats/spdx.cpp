#include "sbom/formats/spdx.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace sigil::sbom {
namespace {

bool valid_id_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-'; }

bool valid_spdx_id(std::string_view id) {
  if (!id.starts_with("SPDXRef-") || id.size() == 8) return false;
  return std::all_of(id.begin() + 8, id.end(), valid_id_char);
}

// "Name <mail>" → "Person: Name (mail)", the SPDX actor syntax syft writes for maintainers.
std::string actor(const std::string& who) {
  if (who.empty()) return "NOASSERTION";
  auto lt = who.find('<');
  auto gt = who.find('>', lt == std::string::npos ? 0 : lt);
  if (lt != std::string::npos && gt != std::string::npos) {
    std::string name = who.substr(0, lt);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    return "Person: " + name + " (" + who.substr(lt + 1, gt - lt - 1) + ")";
  }
  return "Person: " + who;
}

struct LicenseRefs {
  std::map<std::string, std::string> refs;  // LicenseRef id → text

  std::string expression(const std::vector<License>& licenses) {
    if (licenses.empty()) return "NOASSERTION";
    std::vector<std::string> parts;
    for (const auto& l : licenses) {
      if (l.kind == License::Kind::spdx_id) {
        parts.push_back(l.value);
      } else if (l.kind == License::Kind::expression) {
        parts.push_back(licenses.size() > 1 ? "(" + l.value + ")" : l.value);
      } else {
        std::string id = "LicenseRef-" + spdx_id_part(l.value);
        refs.emplace(id, l.value);
        parts.push_back(id);
      }
    }
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : " AND ") + p;
    return out;
  }
};

std::string source_info(const Package& p) {
  std::string where = p.locations.empty() ? std::string() : ": " + p.locations.front().path;
  return "acquired package info from " + p.found_by + where;
}

}  // namespace

std::string spdx_id_part(std::string_view text) {
  std::string out;
  for (char c : text) out += valid_id_char(c) ? c : '-';
  if (out.empty()) out = "unnamed";
  return out;
}

Result<std::string> encode_spdx(const Inventory& inv, const EncodeOptions& options) {
  Format format{Format::Kind::spdx_json, "2.3"};
  std::string uuid = document_uuid(inv, format, options);
  const auto& s = inv.subject;
  bool image = s.kind == Subject::Kind::image;
  Json doc = Json::object();
  doc["spdxVersion"] = "SPDX-2.3";
  doc["dataLicense"] = "CC0-1.0";
  doc["SPDXID"] = "SPDXRef-DOCUMENT";
  doc["name"] = s.name;
  doc["documentNamespace"] = "https://sigil.dev/spdxdocs/" + std::string(image ? "image/" : "dir/") +
                             spdx_id_part(s.name) + "-" + uuid;
  Json creation = {{"created", rfc3339_utc(options.timestamp)},
                   {"creators", Json::array({"Organization: " + options.tool_name,
                                             "Tool: " + options.tool_name + "-" + options.tool_version})}};
  if (!inv.warnings.empty()) {
    std::string comment = "Warnings:";
    for (const auto& w : inv.warnings) comment += "\n" + w.source + ": " + (w.path.empty() ? "" : w.path + ": ") + w.message;
    if (inv.warnings_dropped > 0) comment += "\n(" + std::to_string(inv.warnings_dropped) + " more warnings dropped)";
    creation["comment"] = comment;
  }
  doc["creationInfo"] = creation;

  Json packages = Json::array();
  Json relationships = Json::array();
  std::string root_id = std::string("SPDXRef-DocumentRoot-") + (image ? "Image-" : "Directory-") + spdx_id_part(s.name);
  Json root = {{"name", s.name},
               {"SPDXID", root_id},
               {"downloadLocation", "NOASSERTION"},
               {"filesAnalyzed", false},
               {"licenseConcluded", "NOASSERTION"},
               {"licenseDeclared", "NOASSERTION"},
               {"copyrightText", "NOASSERTION"},
               {"supplier", "NOASSERTION"},
               {"primaryPackagePurpose", image ? "CONTAINER" : "FILE"}};
  if (image) {
    root["versionInfo"] = s.digest;
    if (s.digest.starts_with("sha256:")) {
      root["checksums"] = Json::array({Json{{"algorithm", "SHA256"}, {"checksumValue", s.digest.substr(7)}}});
    }
  }
  packages.push_back(root);
  relationships.push_back(Json{{"spdxElementId", "SPDXRef-DOCUMENT"},
                               {"relatedSpdxElement", root_id},
                               {"relationshipType", "DESCRIBES"}});
  if (inv.distro) {
    const auto& d = *inv.distro;
    std::string os_id = "SPDXRef-OperatingSystem-" + spdx_id_part(d.id + "-" + d.version_id);
    Json os = {{"name", d.id},
               {"SPDXID", os_id},
               {"versionInfo", d.version_id},
               {"downloadLocation", "NOASSERTION"},
               {"filesAnalyzed", false},
               {"licenseConcluded", "NOASSERTION"},
               {"licenseDeclared", "NOASSERTION"},
               {"copyrightText", "NOASSERTION"},
               {"supplier", "NOASSERTION"},
               {"primaryPackagePurpose", "OPERATING_SYSTEM"}};
    if (!d.pretty_name.empty()) os["description"] = d.pretty_name;
    packages.push_back(os);
    relationships.push_back(Json{{"spdxElementId", root_id}, {"relatedSpdxElement", os_id}, {"relationshipType", "CONTAINS"}});
  }

  LicenseRefs refs;
  std::map<std::string, std::string> spdx_ids;  // package id → SPDXID
  for (const auto& p : inv.packages) {
    std::string id = "SPDXRef-Package-" + spdx_id_part(p.type) + "-" + spdx_id_part(p.name) + "-" + p.id;
    spdx_ids[p.id] = id;
    Json j = {{"name", p.name},
              {"SPDXID", id},
              {"downloadLocation", "NOASSERTION"},
              {"filesAnalyzed", false},
              {"sourceInfo", source_info(p)},
              {"licenseConcluded", "NOASSERTION"},
              {"licenseDeclared", refs.expression(p.licenses)},
              {"copyrightText", "NOASSERTION"},
              {"supplier", actor(p.supplier)}};
    if (!p.version.empty()) j["versionInfo"] = p.version;
    if (!p.author.empty()) j["originator"] = actor(p.author);
    if (!p.description.empty()) j["description"] = p.description;
    if (!p.hashes.empty()) {
      Json sums = Json::array();
      for (const auto& [alg, hex] : p.hashes) {
        std::string a = alg;
        a.erase(std::remove(a.begin(), a.end(), '-'), a.end());
        sums.push_back(Json{{"algorithm", a}, {"checksumValue", hex}});
      }
      j["checksums"] = sums;
    }
    if (!p.purl.empty()) {
      j["externalRefs"] = Json::array({Json{{"referenceCategory", "PACKAGE-MANAGER"},
                                            {"referenceType", "purl"},
                                            {"referenceLocator", p.purl}}});
    }
    packages.push_back(j);
    relationships.push_back(Json{{"spdxElementId", root_id}, {"relatedSpdxElement", id}, {"relationshipType", "CONTAINS"}});
  }
  for (const auto& r : inv.relationships) {
    auto from = spdx_ids.find(r.from);
    auto to = spdx_ids.find(r.to);
    if (from == spdx_ids.end() || to == spdx_ids.end()) continue;
    relationships.push_back(Json{{"spdxElementId", from->second},
                                 {"relatedSpdxElement", to->second},
                                 {"relationshipType", r.type == Relationship::Type::contains ? "CONTAINS" : "DEPENDS_ON"}});
  }
  doc["packages"] = packages;
  doc["relationships"] = relationships;
  if (!refs.refs.empty()) {
    Json extracted = Json::array();
    for (const auto& [id, text] : refs.refs) extracted.push_back(Json{{"licenseId", id}, {"extractedText", text}, {"name", text}});
    doc["hasExtractedLicensingInfos"] = extracted;
  }
  if (auto checked = check_spdx(doc); !checked) {
    return fail(ErrorCategory::internal, "SPDX document for " + s.name + ": " + checked.error().message);
  }
  return dump_json_pretty(doc) + "\n";
}

Result<void> check_spdx(const Json& doc) {
  if (!doc.is_object()) return fail(ErrorCategory::input, "not a JSON object");
  std::set<std::string> ids;
  if (doc.value("SPDXID", "") != "SPDXRef-DOCUMENT") return fail(ErrorCategory::input, "document SPDXID is not SPDXRef-DOCUMENT");
  ids.insert("SPDXRef-DOCUMENT");
  for (const char* section : {"packages", "files", "snippets"}) {
    if (!doc.contains(section)) continue;
    if (!doc[section].is_array()) return fail(ErrorCategory::input, std::string(section) + " is not an array");
    for (const auto& e : doc[section]) {
      if (!e.is_object() || !e.contains("SPDXID") || !e["SPDXID"].is_string()) {
        return fail(ErrorCategory::input, std::string(section) + ": element without SPDXID");
      }
      std::string id = e["SPDXID"].get<std::string>();
      if (!valid_spdx_id(id)) return fail(ErrorCategory::input, "invalid SPDXID \"" + id + "\"");
      if (!ids.insert(id).second) return fail(ErrorCategory::input, "duplicate SPDXID \"" + id + "\"");
    }
  }
  std::set<std::string> license_refs;
  if (doc.contains("hasExtractedLicensingInfos")) {
    for (const auto& e : doc["hasExtractedLicensingInfos"]) {
      if (!e.is_object() || !e.contains("licenseId") || !e["licenseId"].is_string()) {
        return fail(ErrorCategory::input, "hasExtractedLicensingInfos: entry without licenseId");
      }
      license_refs.insert(e["licenseId"].get<std::string>());
    }
  }
  if (doc.contains("packages")) {
    for (const auto& p : doc["packages"]) {
      for (const char* field : {"licenseDeclared", "licenseConcluded"}) {
        if (!p.contains(field) || !p[field].is_string()) continue;
        std::string expr = p[field].get<std::string>();
        for (auto pos = expr.find("LicenseRef-"); pos != std::string::npos; pos = expr.find("LicenseRef-", pos + 1)) {
          auto end = pos + 11;
          while (end < expr.size() && valid_id_char(expr[end])) ++end;
          std::string ref = expr.substr(pos, end - pos);
          if (!license_refs.contains(ref)) return fail(ErrorCategory::input, "undefined license reference " + ref);
        }
      }
    }
  }
  int describes = 0;
  if (doc.contains("relationships")) {
    for (const auto& r : doc["relationships"]) {
      std::string from = r.value("spdxElementId", "");
      std::string to = r.value("relatedSpdxElement", "");
      std::string type = r.value("relationshipType", "");
      if (!ids.contains(from)) return fail(ErrorCategory::input, "relationship from unknown element \"" + from + "\"");
      if (!ids.contains(to) && to != "NOASSERTION" && to != "NONE") {
        return fail(ErrorCategory::input, "relationship to unknown element \"" + to + "\"");
      }
      if (type == "DESCRIBES" && from == "SPDXRef-DOCUMENT") ++describes;
    }
  }
  if (doc.contains("documentDescribes") && doc["documentDescribes"].is_array()) {
    describes += static_cast<int>(doc["documentDescribes"].size());
  }
  if (describes != 1) {
    return fail(ErrorCategory::input, "the document DESCRIBES " + std::to_string(describes) + " elements, not exactly one");
  }
  return {};
}

}  // namespace sigil::sbom
