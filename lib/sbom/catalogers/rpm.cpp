// rpm: Red Hat, Fedora, CentOS, Amazon Linux, Mariner, SUSE... packages from the rpm database
// in /var/lib/rpm, /usr/lib/sysimage/rpm or /usr/share/rpm: rpmdb.sqlite (rpm ≥ 4.16) or the
// BerkeleyDB `Packages` of older releases. An NDB `Packages.db` (SUSE) is reported, not read.
// Each header gives name, [epoch:]version-release (as syft writes it), arch, source rpm,
// license, vendor and the files the package installed; Requires resolved against the names,
// Provides and files of the other packages of the same database become depends-on edges, as
// syft's rpm dependency specifier does. gpg-pubkey entries are keys, not packages: skipped.
#include <algorithm>
#include <array>
#include <map>

#include "common/limits.hpp"
#include "sbom/catalogers/detail/rpm_bdb.hpp"
#include "sbom/catalogers/detail/rpm_header.hpp"
#include "sbom/catalogers/detail/rpm_license.hpp"
#include "sbom/catalogers/detail/rpm_sqlite.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/purl.hpp"

namespace sigil::sbom {
namespace {

constexpr std::string_view kName = "rpm-db-cataloger";
constexpr std::array<std::string_view, 3> kDirs = {"/var/lib/rpm/", "/usr/lib/sysimage/rpm/", "/usr/share/rpm/"};
constexpr std::string_view kSqlite = "rpmdb.sqlite";
constexpr std::string_view kBdb = "Packages";
constexpr std::string_view kNdb = "Packages.db";
// The NDB file header starts with "RpmP" (rpm's lib/backend/ndb/rpmpkg.c).
constexpr std::string_view kNdbMagic = "RpmP";

std::string_view file_name(std::string_view path) { return path.substr(path.rfind('/') + 1); }

struct RpmEntry {
  Package pkg;
  std::vector<std::string> provides;  // name, Provides and files (syft's dbEntryDependencySpecifier)
  std::vector<std::string> requires_names;
};

// rpm's rich dependencies ("(a if b)", "(x or y)") are boolean expressions, not names; syft
// skips them and so do we.
bool is_simple_dependency(const std::string& name) {
  auto first = name.find_first_not_of(" \t");
  return first != std::string::npos && name[first] != '(';
}

class RpmCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return kName; }

  bool matches(std::string_view path) const override {
    for (auto dir : kDirs) {
      if (!path.starts_with(dir)) continue;
      auto rest = path.substr(dir.size());
      return rest == kSqlite || rest == kBdb || rest == kNdb;
    }
    return false;
  }

  void catalog(const CatalogContext& ctx, const std::vector<std::string>& matches) const override {
    for (const auto& path : matches) catalog_db(ctx, path);
  }

 private:
  void catalog_db(const CatalogContext& ctx, const std::string& path) const {
    if (file_name(path) == kNdb) {
      ctx.warn(kName, path, "rpm database in the NDB format (Packages.db) found and not read: sigil does not parse NDB, "
                            "so the rpm packages it lists are missing from this SBOM");
      return;
    }
    auto entry = ctx.tree.stat(path);
    if (entry && entry->size > limits::kMaxSbomRpmDbBytes) {
      ctx.warn(kName, path, "rpm database of " + std::to_string(entry->size) + " bytes exceeds the " +
                                std::to_string(limits::kMaxSbomRpmDbBytes) + "-byte limit, not read");
      return;
    }
    auto bytes = ctx.tree.read(path, limits::kMaxSbomRpmDbBytes);
    if (!bytes) {
      ctx.warn(kName, path, bytes.error().message);
      return;
    }
    if (bytes->starts_with(kNdbMagic)) {
      ctx.warn(kName, path, "rpm database in the NDB format found and not read: sigil does not parse NDB, "
                            "so the rpm packages it lists are missing from this SBOM");
      return;
    }
    Location db = ctx.location(path);
    std::vector<RpmEntry> entries;
    auto on_blob = [&](std::string_view blob, const std::string& where) {
      auto info = detail::read_rpm_package(blob);
      if (!info) {
        ctx.warn(kName, path, where + ": " + info.error().message + ", skipped");
        return;
      }
      if (info->name == "gpg-pubkey") return;  // an imported signing key, not a package
      if (!info->files_problem.empty()) {
        ctx.warn(kName, path, where + " (" + info->name + "): file list ignored: " + info->files_problem);
      }
      entries.push_back(make_entry(ctx, path, db, std::move(*info)));
    };
    Result<void> read;
    if (detail::is_sqlite(*bytes)) {
      read = detail::read_sqlite_rpmdb(*bytes, on_blob);
      // A non-empty write-ahead log holds transactions rpm has not checkpointed into the file.
      if (auto wal = ctx.tree.stat(path + "-wal"); read && wal && wal->size > 0) {
        ctx.warn(kName, path + "-wal", "write-ahead log not read: changes not yet checkpointed into the database are missing");
      }
    } else {
      read = detail::read_bdb_hash_values(*bytes, on_blob,
                                          [&](const std::string& problem) { ctx.warn(kName, path, problem); });
    }
    if (!read) ctx.warn(kName, path, read.error().message);
    add_relationships(ctx, entries);
    for (auto& e : entries) ctx.inventory.packages.push_back(std::move(e.pkg));
  }

  static RpmEntry make_entry(const CatalogContext& ctx, const std::string& path, const Location& db,
                             detail::RpmPackageInfo info) {
    RpmEntry e;
    Package& p = e.pkg;
    p.name = info.name;
    // syft's toELVersion: "epoch:version-release", the epoch only when the header has one.
    p.version = (info.epoch ? std::to_string(*info.epoch) + ":" : "") + info.version +
                (info.release.empty() ? "" : "-" + info.release);
    p.type = "rpm";
    p.found_by = std::string(kName);
    p.purl = rpm_purl(ctx.distro, info.name, info.version, info.release, info.epoch, info.arch, info.source_rpm);
    if (!info.license.empty()) p.licenses.push_back(detail::rpm_license(info.license));
    p.supplier = info.vendor;
    p.description = info.summary;
    if (!info.arch.empty()) p.metadata["architecture"] = info.arch;
    if (!info.release.empty()) p.metadata["release"] = info.release;
    if (info.epoch) p.metadata["epoch"] = std::to_string(*info.epoch);
    if (!info.source_rpm.empty()) p.metadata["sourceRpm"] = info.source_rpm;
    if (!info.vendor.empty()) p.metadata["vendor"] = info.vendor;
    if (info.size) p.metadata["size"] = std::to_string(*info.size);
    if (!info.modularity_label.empty()) p.metadata["modularityLabel"] = info.modularity_label;
    if (!info.url.empty()) p.metadata["url"] = info.url;
    p.id = "rpm:" + info.name + ":" + p.version + ":" + info.arch + ":" + path;
    p.locations.push_back(db);
    e.provides.push_back(info.name);
    for (auto& name : info.provides) {
      if (is_simple_dependency(name)) e.provides.push_back(std::move(name));
    }
    e.provides.insert(e.provides.end(), info.files.begin(), info.files.end());
    for (auto& name : info.requirements) {
      if (is_simple_dependency(name)) e.requires_names.push_back(std::move(name));
    }
    p.files = std::move(info.files);
    return e;
  }

  // Requires → edges to every other package of the database that provides the name (a
  // package name, a Provides such as "libc.so.6()(64bit)", or a file such as "/bin/sh").
  static void add_relationships(const CatalogContext& ctx, const std::vector<RpmEntry>& entries) {
    std::multimap<std::string_view, std::size_t> providers;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      for (const auto& name : entries[i].provides) providers.emplace(name, i);
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      std::vector<std::size_t> targets;
      for (const auto& name : entries[i].requires_names) {
        auto [lo, hi] = providers.equal_range(name);
        for (auto it = lo; it != hi; ++it) {
          if (it->second != i) targets.push_back(it->second);
        }
      }
      std::sort(targets.begin(), targets.end());
      targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
      for (auto t : targets) {
        ctx.inventory.relationships.push_back(
            Relationship{entries[i].pkg.id, entries[t].pkg.id, Relationship::Type::depends_on});
      }
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> make_rpm_cataloger() { return std::make_unique<RpmCataloger>(); }

}  // namespace sigil::sbom
