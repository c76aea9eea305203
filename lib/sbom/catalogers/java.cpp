// Java archives (jar, war, ear, par, sar, nar, jpi, hpi, kar, lpkg, as syft globs them): one
// package per archive, named as syft names it (a pom.properties whose artifact id matches the
// file name, else MANIFEST.MF and the file name), one more package for every other
// META-INF/maven/**/pom.properties (shaded dependencies), and nested archives (WEB-INF/lib,
// BOOT-INF/lib, any *.jar inside) recursively, each at "outer.war:WEB-INF/lib/inner.jar".
// The enclosing archive's package "contains" the packages found inside it.
//
// Archives are read from memory one at a time (nested ones while their parent is open) and are
// never kept after their packages are made, so memory stays near the largest archive chain.
// Hostile archives end in a warning: every entry read is capped, as is its compression ratio,
// the bytes expanded per top-level archive, the nesting depth and the number of nested archives.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

#include "common/hex.hpp"
#include "sbom/catalogers/detail/java_archive.hpp"
#include "sbom/catalogers/detail/java_manifest.hpp"
#include "sbom/catalogers/detail/java_names.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/license.hpp"
#include "sbom/purl.hpp"

namespace sigil::sbom {
namespace {

using detail::ArchiveFilename;
using detail::JavaManifest;
using detail::PomProperties;

constexpr std::string_view kName = "java-archive-cataloger";
constexpr std::array<std::string_view, 10> kExtensions = {"jar", "war", "ear", "par", "sar",
                                                          "nar", "jpi", "hpi", "kar", "lpkg"};

constexpr std::size_t kMaxArchiveBytes = 160u << 20;    // a top-level archive read into memory
constexpr std::size_t kMaxNestedBytes = 32u << 20;      // one nested archive
constexpr std::size_t kMaxMetadataBytes = 1u << 20;     // one MANIFEST.MF or pom.properties
constexpr std::uint64_t kMaxExpandedBytes = 1u << 30;   // all entries read below one top-level archive
constexpr int kMaxDepth = 4;                            // outer.war:a.jar:b.jar:c.jar:d.jar at most
constexpr std::size_t kMaxNestedArchives = 10000;       // below one top-level archive

bool is_java_archive(std::string_view path) {
  auto slash = path.rfind('/');
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return false;
  std::string ext;
  for (char c : path.substr(dot + 1)) ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_pom_properties(std::string_view name) {
  return name.ends_with("/pom.properties") && name.find("META-INF/maven/") != std::string_view::npos;
}

std::string digest_hex(std::string_view bytes, const EVP_MD* md) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), out.data(), &size, md, nullptr) != 1) return "";
  return hex_encode(std::span<const unsigned char>(out.data(), size));
}

// Bundle-License is often a license URL; the best-known ones name an SPDX license.
License license_of(std::string_view declared) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kUrls = {{
      {"apache.org/licenses/license-2.0", "Apache-2.0"},
      {"opensource.org/licenses/mit", "MIT"},
      {"opensource.org/licenses/apache-2.0", "Apache-2.0"},
      {"eclipse.org/legal/epl-2.0", "EPL-2.0"},
      {"eclipse.org/legal/epl-v10", "EPL-1.0"},
      {"eclipse.org/legal/epl-v20", "EPL-2.0"},
  }};
  std::string lower;
  for (char c : declared) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.starts_with("http://") || lower.starts_with("https://")) {
    for (const auto& [url, id] : kUrls) {
      if (lower.find(url) != std::string::npos) return License{License::Kind::spdx_id, std::string(id)};
    }
  }
  return classify_license(declared);
}

// One top-level archive and everything below it.
struct Walk {
  const CatalogContext& ctx;
  std::string layer;
  std::uint64_t expanded = 0;
  std::size_t nested = 0;
  bool budget_warned = false;
};

// What one archive holds that names packages.
struct Contents {
  std::optional<JavaManifest> manifest;
  std::vector<PomProperties> poms;
};

// The purl group of a pom.properties: its groupId, else an artifactId that reads like one.
std::string pom_group(const PomProperties& p) {
  if (!p.group_id.empty()) return detail::clean_group_id(p.group_id);
  if (p.artifact_id.find('.') != std::string::npos) return detail::clean_group_id(p.artifact_id);
  return "";
}

Package new_package(const Walk& w, const std::string& virtual_path, std::string name, std::string version,
                    std::string group, bool jenkins) {
  Package p;
  p.name = std::move(name);
  p.version = std::move(version);
  if (group.empty()) group = p.name;  // syft's fallback: the artifact id doubles as the group
  p.purl = maven_purl(group, p.name, p.version);
  jenkins = jenkins || detail::is_jenkins_group(group);
  p.type = jenkins ? "jenkins-plugin" : "java-archive";
  p.found_by = std::string(kName);
  p.locations.push_back(Location{virtual_path, w.layer});
  return p;
}

void catalog_archive(Walk& w, const std::string& virtual_path, std::string_view bytes, int depth,
                     const std::string& parent_id);

// Reads the entries that name packages; nested archives are cataloged as they stream by.
bool read_contents(Walk& w, const std::string& virtual_path, std::string_view bytes, int depth, const std::string& id,
                   Contents& out) {
  auto budget = [&](std::size_t cap) -> std::optional<std::size_t> {
    if (w.expanded >= kMaxExpandedBytes) {
      if (!w.budget_warned) {
        w.ctx.warn(kName, virtual_path, "more than " + std::to_string(kMaxExpandedBytes) +
                                            " bytes expanded below this archive, the rest not read");
      }
      w.budget_warned = true;
      return std::nullopt;
    }
    return static_cast<std::size_t>(std::min<std::uint64_t>(cap, kMaxExpandedBytes - w.expanded));
  };
  auto want = [&](const std::string& name) -> std::optional<std::size_t> {
    if (iequals(name, "META-INF/MANIFEST.MF")) return out.manifest ? std::nullopt : budget(kMaxMetadataBytes);
    if (is_pom_properties(name)) return budget(kMaxMetadataBytes);
    if (!is_java_archive(name)) return std::nullopt;
    if (depth + 1 > kMaxDepth) {
      w.ctx.warn(kName, virtual_path + ":" + name,
                 "archive nested deeper than " + std::to_string(kMaxDepth) + " levels, not read");
      return std::nullopt;
    }
    if (++w.nested > kMaxNestedArchives) {
      if (w.nested == kMaxNestedArchives + 1) {
        w.ctx.warn(kName, virtual_path, "more than " + std::to_string(kMaxNestedArchives) + " nested archives, the rest not read");
      }
      return std::nullopt;
    }
    return budget(kMaxNestedBytes);
  };
  auto visit = [&](const std::string& name, Result<std::string> content) {
    if (!content) {
      w.ctx.warn(kName, virtual_path + ":" + name, content.error().message);
      return;
    }
    w.expanded += content->size();
    if (is_java_archive(name) && !iequals(name, "META-INF/MANIFEST.MF") && !is_pom_properties(name)) {
      catalog_archive(w, virtual_path + ":" + name, *content, depth + 1, id);
    } else if (iequals(name, "META-INF/MANIFEST.MF")) {
      out.manifest = detail::parse_java_manifest(*content);
      if (out.manifest->bad_lines > 0) {
        w.ctx.warn(kName, virtual_path + ":" + name,
                   std::to_string(out.manifest->bad_lines) + " malformed line(s) skipped (first: line " +
                       std::to_string(out.manifest->first_bad) + ")");
      }
    } else {
      auto pom = detail::parse_pom_properties(*content);
      pom.path = name;
      if (pom.bad_lines > 0) {
        w.ctx.warn(kName, virtual_path + ":" + name, std::to_string(pom.bad_lines) + " malformed line(s) skipped");
      }
      if (!pom.artifact_id.empty() && !pom.version.empty()) out.poms.push_back(std::move(pom));
    }
  };
  auto read = detail::read_zip(bytes, detail::ZipLimits{}, want, visit);
  if (!read) {
    w.ctx.warn(kName, virtual_path, read.error().message);
    return false;
  }
  return true;
}

void catalog_archive(Walk& w, const std::string& virtual_path, std::string_view bytes, int depth,
                     const std::string& parent_id) {
  std::string id = "java:" + virtual_path;
  Contents c;
  if (!read_contents(w, virtual_path, bytes, depth, id, c)) return;
  std::sort(c.poms.begin(), c.poms.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  const JavaManifest* manifest = c.manifest ? &*c.manifest : nullptr;
  // Instrumentation jars (New Relic's) name the library they weave, not themselves: syft skips them.
  bool weaver = manifest != nullptr && manifest->has("Weave-Classes");
  ArchiveFilename file = detail::parse_archive_filename(virtual_path);

  // 1. a pom.properties naming this archive; 2. the manifest and the file name.
  std::set<std::string> artifacts;
  for (const auto& p : c.poms) artifacts.insert(p.artifact_id);
  const PomProperties* own = nullptr;
  for (const auto& p : c.poms) {
    if (detail::artifact_matches_filename(p.artifact_id, file.name, artifacts)) {
      own = &p;
      break;
    }
  }
  std::string name = own ? own->artifact_id : detail::select_name(manifest, file);
  std::string version = own ? own->version : detail::select_version(manifest, file);
  std::string group = own ? pom_group(*own) : "";
  bool has_main = !weaver && !name.empty();

  std::vector<Package> found;
  if (has_main) {
    // Another pom.properties with this artifact id describes the archive itself (syft's last resort).
    for (const auto& p : c.poms) {
      if (own == nullptr && p.artifact_id == name) {
        own = &p;
        version = p.version;
        group = pom_group(p);
      }
    }
    if (group.empty() && manifest != nullptr) group = detail::manifest_group_id(*manifest);
    Package p = new_package(w, virtual_path, name, version, group, file.extension == "jpi" || file.extension == "hpi");
    p.id = id;
    p.hashes = {{"SHA-1", digest_hex(bytes, EVP_sha1())}, {"SHA-256", digest_hex(bytes, EVP_sha256())}};
    if (manifest != nullptr) {
      for (const auto& l : detail::manifest_licenses(*manifest)) p.licenses.push_back(license_of(l));
      p.supplier = manifest->get("Bundle-Vendor");
      if (p.supplier.empty()) p.supplier = manifest->get("Implementation-Vendor");
      p.description = manifest->get("Bundle-Description");
    }
    p.metadata["virtualPath"] = virtual_path;
    if (own != nullptr) p.metadata["pomProperties"] = own->path;
    if (!parent_id.empty()) {
      w.ctx.inventory.relationships.push_back(Relationship{parent_id, id, Relationship::Type::contains});
    }
    found.push_back(std::move(p));
  }
  // Every other pom.properties: a library shaded into this archive (or, with no package for the
  // archive itself, all of them).
  if (!weaver) {
    for (const auto& pom : c.poms) {
      if (has_main && (&pom == own || pom.artifact_id == name)) continue;
      std::string g = pom_group(pom);
      std::string vpath = virtual_path + ":" + g + ":" + pom.artifact_id;
      Package p = new_package(w, virtual_path, pom.artifact_id, pom.version, g, false);
      p.id = "java:" + vpath;
      p.metadata["virtualPath"] = vpath;
      p.metadata["pomProperties"] = pom.path;
      if (has_main) w.ctx.inventory.relationships.push_back(Relationship{id, p.id, Relationship::Type::contains});
      found.push_back(std::move(p));
    }
  }
  for (auto& p : found) w.ctx.inventory.packages.push_back(std::move(p));
}

class JavaCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return kName; }

  bool matches(std::string_view path) const override { return is_java_archive(path); }

  // Archives are read one at a time after the tree is built, never kept in memory while
  // image layers stream by: many jars held at once would exceed the memory budget.
  bool reads(std::string_view) const override { return false; }

  void catalog(const CatalogContext& ctx, const std::vector<std::string>& matches) const override {
    for (const auto& path : matches) {
      auto bytes = ctx.tree.read(path, kMaxArchiveBytes);
      if (!bytes) {
        ctx.warn(kName, path, bytes.error().message);
        continue;
      }
      Walk w{ctx, ctx.location(path).layer};
      catalog_archive(w, path, *bytes, 0, "");
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> make_java_cataloger() { return std::make_unique<JavaCataloger>(); }

}  // namespace sigil::sbom
