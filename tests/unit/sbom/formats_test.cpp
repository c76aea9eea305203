// Writers: format names, UUIDv5, CycloneDX license shapes and nesting of owned packages, SPDX
// ids and the checks the schema lacks.
#include <gtest/gtest.h>

#include "common/json.hpp"
#include "sbom/formats/cyclonedx.hpp"
#include "sbom/formats/format.hpp"
#include "sbom/formats/spdx.hpp"

namespace sigil::sbom {
namespace {

Package pkg(std::string name, std::string version, std::string type, std::string purl, std::string found_by,
            std::vector<License> licenses = {}, std::string supplier = "") {
  Package p;
  p.name = std::move(name);
  p.version = std::move(version);
  p.type = std::move(type);
  p.purl = std::move(purl);
  p.found_by = std::move(found_by);
  p.licenses = std::move(licenses);
  p.supplier = std::move(supplier);
  return p;
}

Inventory sample() {
  Inventory inv;
  inv.subject = Subject{Subject::Kind::image, "registry.example/app:1", "sha256:" + std::string(64, 'a'), "linux/amd64"};
  Distro d;
  d.id = "debian";
  d.version_id = "12";
  inv.distro = d;
  Package deb = pkg("python3-yaml", "6.0-3", "deb", "pkg:deb/debian/python3-yaml@6.0-3?arch=amd64&distro=debian-12",
              "dpkg-db-cataloger", {{License::Kind::spdx_id, "MIT"}}, "Debian Python Team <team@example.org>");
  deb.id = "d";
  deb.locations = {{"/var/lib/dpkg/status", "sha256:" + std::string(64, 'b')}};
  Package py = pkg("PyYAML", "6.0", "python", "pkg:pypi/pyyaml@6.0", "python-installed-package-cataloger",
             {{License::Kind::expression, "MIT OR Apache-2.0"}, {License::Kind::text, "Custom terms"}});
  py.id = "p";
  py.locations = {{"/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA", ""}};
  Package lib = pkg("libyaml-0-2", "0.2.5-1", "deb", "pkg:deb/debian/libyaml-0-2@0.2.5-1?arch=amd64&distro=debian-12",
              "dpkg-db-cataloger", {{License::Kind::expression, "MIT AND BSD-2-Clause"}, {License::Kind::spdx_id, "ISC"}});
  lib.id = "l";
  inv.packages = {deb, py, lib};
  inv.relationships = {{"d", "p", Relationship::Type::contains}, {"d", "l", Relationship::Type::depends_on}};
  inv.warn("dpkg-db-cataloger", "/var/lib/dpkg/status", "entry at line 9: no valid Package and Version, skipped");
  finalize(inv);
  return inv;
}

TEST(Formats, Names) {
  EXPECT_EQ(parse_format("cyclonedx-json")->name(), "cyclonedx-json@1.6");
  EXPECT_EQ(parse_format("cyclonedx-json@1.5")->name(), "cyclonedx-json@1.5");
  EXPECT_EQ(parse_format("spdx-json")->name(), "spdx-json@2.3");
  EXPECT_EQ(parse_format("spdx-json")->media_type(), "application/spdx+json");
  EXPECT_FALSE(parse_format("cyclonedx-json@1.4"));
  EXPECT_FALSE(parse_format("syft-json"));
  EXPECT_EQ(parse_format("table").error().category, ErrorCategory::usage);
}

TEST(Formats, UuidV5AndTimestamps) {
  EXPECT_EQ(uuid_v5("https://example.org/"), "527dda32-a0de-5105-a042-cb475b5f7d11");  // Python's uuid.uuid5
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00Z");
  auto inv = sample();
  EncodeOptions a;
  EncodeOptions b;
  b.tool_version = "9.9.9";
  auto cdx = *parse_format("cyclonedx-json");
  EXPECT_EQ(document_uuid(inv, cdx, a), document_uuid(inv, cdx, a));
  EXPECT_NE(document_uuid(inv, cdx, a), document_uuid(inv, cdx, b));
  EXPECT_NE(document_uuid(inv, cdx, a), document_uuid(inv, *parse_format("spdx-json"), a));
}

TEST(Formats, CycloneDxShapes) {
  auto inv = sample();
  auto text = encode(inv, *parse_format("cyclonedx-json"), EncodeOptions{});
  ASSERT_TRUE(text) << text.error().message;
  auto doc = parse_json(*text, "cdx").value();
  EXPECT_EQ(doc["metadata"]["component"]["type"], "container");
  EXPECT_EQ(doc["metadata"]["component"]["version"], inv.subject.digest);
  EXPECT_EQ(doc["metadata"]["properties"][0]["name"], "sigil:warning:0");
  // Top level: the two debs and the OS; PyYAML is nested in the deb that installed it.
  ASSERT_EQ(doc["components"].size(), 3u);
  Json owner;
  for (const auto& c : doc["components"]) {
    if (c["name"] == "python3-yaml") owner = c;
    if (c["name"] == "libyaml-0-2") {
      // An expression plus an id: one AND-ed expression (the schema forbids mixing).
      EXPECT_EQ(c["licenses"], Json::parse(R"([{"expression":"(MIT AND BSD-2-Clause) AND ISC"}])"));
    }
  }
  ASSERT_TRUE(owner.contains("components"));
  const auto& nested = owner["components"][0];
  EXPECT_EQ(nested["purl"], "pkg:pypi/pyyaml@6.0");
  // Expression next to free text: both become names.
  EXPECT_EQ(nested["licenses"], Json::parse(R"([{"license":{"name":"MIT OR Apache-2.0"}},{"license":{"name":"Custom terms"}}])"));
  EXPECT_EQ(owner["licenses"], Json::parse(R"([{"license":{"id":"MIT"}}])"));
  EXPECT_EQ(owner["publisher"], "Debian Python Team <team@example.org>");
  ASSERT_EQ(doc["dependencies"].size(), 1u);
  EXPECT_EQ(doc["dependencies"][0]["ref"], owner["bom-ref"]);
}

TEST(Formats, SpdxDocument) {
  auto inv = sample();
  auto text = encode(inv, *parse_format("spdx-json"), EncodeOptions{});
  ASSERT_TRUE(text) << text.error().message;
  auto doc = parse_json(*text, "spdx").value();
  EXPECT_TRUE(check_spdx(doc));
  EXPECT_TRUE(doc["documentNamespace"].get<std::string>().starts_with("https://sigil.dev/spdxdocs/image/registry.example-app-1-"));
  std::map<std::string, Json> by_name;
  for (const auto& p : doc["packages"]) by_name[p["name"]] = p;
  EXPECT_EQ(by_name["python3-yaml"]["supplier"], "Person: Debian Python Team (team@example.org)");
  EXPECT_EQ(by_name["PyYAML"]["licenseDeclared"], "(MIT OR Apache-2.0) AND LicenseRef-Custom-terms");
  EXPECT_EQ(doc["hasExtractedLicensingInfos"][0]["extractedText"], "Custom terms");
  bool contains = false;
  for (const auto& r : doc["relationships"]) {
    contains = contains || (r["spdxElementId"] == by_name["python3-yaml"]["SPDXID"] &&
                            r["relatedSpdxElement"] == by_name["PyYAML"]["SPDXID"] && r["relationshipType"] == "CONTAINS");
  }
  EXPECT_TRUE(contains);
  EXPECT_NE(doc["creationInfo"]["comment"].get<std::string>().find("line 9"), std::string::npos);
}

TEST(Formats, SpdxChecksCatchWhatTheSchemaCannot) {
  auto inv = sample();
  auto good = parse_json(*encode(inv, *parse_format("spdx-json"), EncodeOptions{}), "spdx").value();
  ASSERT_TRUE(check_spdx(good));
  auto bad_id = good;
  bad_id["packages"][1]["SPDXID"] = "SPDXRef-has space";
  EXPECT_FALSE(check_spdx(bad_id));
  auto dup = good;
  dup["packages"][2]["SPDXID"] = dup["packages"][1]["SPDXID"];
  EXPECT_FALSE(check_spdx(dup));
  auto dangling = good;
  dangling["relationships"].push_back(Json{{"spdxElementId", "SPDXRef-DOCUMENT"}, {"relatedSpdxElement", "SPDXRef-nope"},
                                           {"relationshipType", "CONTAINS"}});
  EXPECT_FALSE(check_spdx(dangling));
  auto two = good;
  two["relationships"].push_back(two["relationships"][0]);
  auto twice = check_spdx(two);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("DESCRIBES 2"), std::string::npos);
  auto undefined_ref = good;
  undefined_ref.erase("hasExtractedLicensingInfos");
  EXPECT_FALSE(check_spdx(undefined_ref));
  EXPECT_EQ(spdx_id_part("a b/c@1"), "a-b-c-1");
}

TEST(Formats, FinalizeMergesSamePurlAndDropsDanglingEdges) {
  Inventory inv;
  Package a = pkg("a", "1", "npm", "pkg:npm/a@1", "x");
  a.id = "1";
  a.locations = {{"/z/node_modules/a/package.json", ""}};
  Package a2 = a;
  a2.id = "2";
  a2.locations = {{"/b/node_modules/a/package.json", ""}};
  Package b = pkg("b", "1", "npm", "pkg:npm/b@1", "x");
  b.id = "3";
  inv.packages = {a, a2, b};
  inv.relationships = {{"3", "2", Relationship::Type::depends_on}, {"3", "1", Relationship::Type::depends_on},
                       {"3", "gone", Relationship::Type::depends_on}};
  finalize(inv);
  ASSERT_EQ(inv.packages.size(), 2u);
  EXPECT_EQ(inv.packages[0].locations.size(), 2u);
  EXPECT_EQ(inv.relationships.size(), 1u);
  EXPECT_EQ(inv.relationships[0].to, inv.packages[0].id);
}

}  // namespace
}  // namespace sigil::sbom
