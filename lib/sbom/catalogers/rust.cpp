// Rust: crates recorded by cargo-auditable in executables (the .dep-v0 ELF section: zlib-
// compressed JSON {"packages": [{name, version, source, kind, dependencies: [indexes], root}]}),
// as syft's cargo-auditable-binary-cataloger (runtime crates only; build-time crates are not in
// the binary), with the dependency edges between them, the root crate (the binary's own, marked
// "root") carrying the binary's SHA-1 and SHA-256; executables and any file with the ELF magic
// (a cdylib need not be executable) are looked at; and Cargo.lock [[package]] tables for
// directories, as syft's rust-cargo-lock-cataloger, with edges from "dependencies".
#include <zlib.h>

#include <map>

#include "common/json.hpp"
#include "common/limits.hpp"
#include "sbom/catalogers/detail/cargo_lock.hpp"
#include "sbom/catalogers/detail/elf.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/purl.hpp"

namespace sigil::sbom {
namespace {

constexpr std::string_view kAuditName = "cargo-auditable-binary-cataloger";
constexpr std::string_view kLockName = "rust-cargo-lock-cataloger";
constexpr std::string_view kSection = ".dep-v0";
// cargo-auditable's own readers refuse more than 8 MiB of JSON: so do we (zlib bombs).
constexpr std::size_t kMaxJsonBytes = 8 * 1024 * 1024;

bool is_lock(std::string_view path) { return path.ends_with("/Cargo.lock"); }

Result<std::string> inflate_zlib(std::string_view in) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return fail(ErrorCategory::internal, "zlib: cannot initialize");
  std::string out;
  char buf[64 * 1024];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return fail(ErrorCategory::input, std::string("section ") + std::string(kSection) + ": corrupt zlib data" +
                                            (z.msg != nullptr ? std::string(" (") + z.msg + ")" : ""));
    }
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > kMaxJsonBytes) {
      inflateEnd(&z);
      return fail(ErrorCategory::input, std::string("section ") + std::string(kSection) + ": more than " +
                                            std::to_string(kMaxJsonBytes) + " bytes once decompressed");
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
      inflateEnd(&z);
      return fail(ErrorCategory::input, std::string("section ") + std::string(kSection) + ": truncated zlib data");
    }
  }
  inflateEnd(&z);
  return out;
}

std::string string_field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

class RustCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return kAuditName; }
  bool matches(std::string_view path) const override { return is_lock(path); }
  bool matches_entry(std::string_view path, const Entry& entry) const override {
    if (entry.kind != EntryKind::file) return false;
    return is_lock(path) || (((entry.mode & 0111) != 0 || entry.elf) && entry.size >= 52);
  }
  std::optional<std::vector<std::string>> elf_sections(std::string_view) const override {
    return std::vector<std::string>{std::string(kSection)};
  }

  void catalog(const CatalogContext& ctx, const std::vector<std::string>& matches) const override {
    for (const auto& path : matches) {
      if (is_lock(path)) {
        if (ctx.inventory.subject.kind == Subject::Kind::directory) catalog_lock(ctx, path);
        continue;
      }
      catalog_binary(ctx, path);
    }
  }

 private:
  static void catalog_binary(const CatalogContext& ctx, const std::string& path) {
    auto data = ctx.tree.read(path, limits::kMaxSbomBinaryBytes);
    if (!data) {
      ctx.warn(kAuditName, path, data.error().message);
      return;
    }
    if (!detail::is_elf(*data)) return;  // scripts and other executables are not ours
    auto elf = detail::ElfFile::parse(*data, path);
    if (!elf) {
      ctx.warn(kAuditName, path, elf.error().message);
      return;
    }
    const detail::ElfSection* section = elf->find(kSection);
    if (section == nullptr) return;  // not built with cargo-auditable
    auto bytes = elf->contents(*section);
    if (!bytes) {
      ctx.warn(kAuditName, path, bytes.error().message);
      return;
    }
    auto text = inflate_zlib(*bytes);
    if (!text) {
      ctx.warn(kAuditName, path, text.error().message);
      return;
    }
    auto j = parse_json(*text, path + " " + std::string(kSection));
    if (!j) {
      ctx.warn(kAuditName, path, j.error().message);
      return;
    }
    const Json& doc = *j;
    if (!doc.is_object() || !doc.contains("packages") || !doc.find("packages")->is_array()) {
      ctx.warn(kAuditName, path, std::string(kSection) + ": no \"packages\" array");
      return;
    }
    Location where = ctx.location(path);
    std::vector<const Json*> entries;
    for (const auto& e : doc.find("packages")->get_ref<const Json::array_t&>()) entries.push_back(&e);
    std::vector<std::string> ids(entries.size());  // empty: not cataloged (build-time or invalid)
    std::optional<FileHashes> binary_hashes;         // taken once, for the root crate
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const Json& e = *entries[i];
      if (!e.is_object()) continue;
      std::string name = string_field(e, "name");
      std::string version = string_field(e, "version");
      // A missing "kind" means runtime (cargo-auditable omits the default).
      std::string kind = string_field(e, "kind");
      if (name.empty() || version.empty() || (!kind.empty() && kind != "runtime")) continue;
      Package p;
      p.name = name;
      p.version = version;
      p.type = "rust-crate";
      p.found_by = std::string(kAuditName);
      p.purl = cargo_purl(name, version);
      p.locations.push_back(where);
      if (auto source = string_field(e, "source"); !source.empty()) p.metadata["source"] = source;
      if (auto root = e.find("root"); root != e.end() && root->is_boolean() && root->get<bool>()) {
        if (!binary_hashes) {
          auto hashes = ctx.tree.hash(path, limits::kMaxSbomBinaryBytes);
          if (!hashes) ctx.warn(kAuditName, path, hashes.error().message);
          binary_hashes = hashes ? std::move(*hashes) : FileHashes{};
        }
        p.hashes = *binary_hashes;
      }
      p.id = "rust-audit:" + path + ":" + std::to_string(i);
      ids[i] = p.id;
      ctx.inventory.packages.push_back(std::move(p));
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (ids[i].empty()) continue;
      auto deps = entries[i]->find("dependencies");
      if (deps == entries[i]->end() || !deps->is_array()) continue;
      for (const auto& d : *deps) {
        if (!d.is_number_unsigned()) continue;
        auto k = d.get<std::uint64_t>();
        if (k < ids.size() && !ids[static_cast<std::size_t>(k)].empty() && k != i) {
          ctx.inventory.relationships.push_back(
              Relationship{ids[i], ids[static_cast<std::size_t>(k)], Relationship::Type::depends_on});
        }
      }
    }
  }

  static void catalog_lock(const CatalogContext& ctx, const std::string& path) {
    auto text = ctx.tree.read(path, limits::kMaxSbomFileBytes);
    if (!text) {
      ctx.warn(kLockName, path, text.error().message);
      return;
    }
    auto packages = detail::parse_cargo_lock(*text, path);
    if (!packages) {
      ctx.warn(kLockName, path, packages.error().message);
      return;
    }
    Location where = ctx.location(path);
    std::multimap<std::string, std::size_t> by_name;
    std::vector<std::string> ids;
    for (const auto& lp : *packages) {
      ids.emplace_back();
      if (lp.name.empty() || lp.version.empty()) continue;
      Package p;
      p.name = lp.name;
      p.version = lp.version;
      p.type = "rust-crate";
      p.found_by = std::string(kLockName);
      p.purl = cargo_purl(lp.name, lp.version);
      p.locations.push_back(where);
      if (!lp.source.empty()) p.metadata["source"] = lp.source;
      if (!lp.checksum.empty()) p.metadata["checksum"] = lp.checksum;
      p.id = "rust-lock:" + path + ":" + lp.name + "@" + lp.version + "@" + lp.source;
      ids.back() = p.id;
      by_name.emplace(lp.name, ids.size() - 1);
      ctx.inventory.packages.push_back(std::move(p));
    }
    // "name", "name version" or "name version (source)": the name alone when it is unique.
    auto resolve = [&](const std::string& dep) -> std::string {
      std::string name = dep.substr(0, dep.find(' '));
      std::string rest = dep.find(' ') == std::string::npos ? "" : dep.substr(dep.find(' ') + 1);
      std::string version = rest.substr(0, rest.find(' '));
      std::string source;
      if (auto open = rest.find(" ("); open != std::string::npos && rest.ends_with(")")) {
        source = rest.substr(open + 2, rest.size() - open - 3);
      }
      auto [lo, hi] = by_name.equal_range(name);
      std::string found;
      int count = 0;
      for (auto it = lo; it != hi; ++it) {
        const auto& cand = (*packages)[it->second];
        if (!version.empty() && cand.version != version) continue;
        // A git source is written with its commit ("#...") in [[package]], without it in dependencies.
        if (!source.empty() && cand.source.substr(0, cand.source.find('#')) != source) continue;
        found = ids[it->second];
        ++count;
      }
      return count == 1 ? found : "";
    };
    for (std::size_t i = 0; i < packages->size(); ++i) {
      if (ids[i].empty()) continue;
      for (const auto& dep : (*packages)[i].dependencies) {
        auto target = resolve(dep);
        if (!target.empty()) ctx.inventory.relationships.push_back(Relationship{ids[i], target, Relationship::Type::depends_on});
      }
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> make_rust_cataloger() { return std::make_unique<RustCataloger>(); }

}  // namespace sigil::sbom
