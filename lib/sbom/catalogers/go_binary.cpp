// Go binaries: any regular file that is ELF (executable, or known by its magic: shared objects
// built with -buildmode=c-shared are often not executable) and carries Go build info. As syft's
// go-module-binary-cataloger: the main module (version "(devel)" unless the ldflags or the vcs
// build settings say better), every dependency with its h1 hash (a replaced dependency reported
// as its replacement), the toolchain as a "stdlib" package, and the toolchain version, build
// settings and architecture as metadata. Edges: main depends on each dependency and on stdlib.
// A binary whose build info has no module lines (Debian builds its Go packages that way) yields
// the main package alone: no dependency is invented. The binary is the main module's own file:
// that package carries its SHA-1 and SHA-256, as a jar's package carries the jar's.
#include <cctype>
#include <cstdio>
#include <regex>

#include "common/limits.hpp"
#include "sbom/catalogers/detail/elf.hpp"
#include "sbom/catalogers/detail/go_buildinfo.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/license.hpp"
#include "sbom/purl.hpp"

namespace sigil::sbom {
namespace {

constexpr std::string_view kName = "go-module-binary-cataloger";
constexpr std::string_view kDevel = "(devel)";

std::string setting(const detail::GoBuildInfo& info, std::string_view key) {
  for (const auto& [k, v] : info.settings) {
    if (k == key) return v;
  }
  return "";
}

// Architecture from the ELF header for binaries without a GOARCH setting (Go < 1.18), named as
// Go's debug/elf names the machine, lower case, without "EM_".
std::string machine_name(std::uint16_t machine) {
  switch (machine) {
    case 3: return "386";
    case 8: return "mips";
    case 20: return "ppc";
    case 21: return "ppc64";
    case 22: return "s390";
    case 40: return "arm";
    case 62: return "x86_64";
    case 183: return "aarch64";
    case 243: return "riscv";
    default: return "";
  }
}

// A version passed with -ldflags "-X main.version=1.2.3" (syft's patterns), as "v1.2.3".
std::string version_from_ldflags(const std::string& ldflags) {
  if (ldflags.empty() || ldflags.size() > 16 * 1024) return "";
  static const std::regex patterns[] = {
      std::regex(R"(\.([gG]it)?([bB]uild)?[vV]er(sion)?=(\S+/)*(v?\d+.\d+.\d+[-\w]*))"),
      std::regex(R"(\.([tT]ag)=(\S+/)*(v?\d+.\d+.\d+[-\w]*))"),
  };
  for (const auto& re : patterns) {
    std::smatch m;
    if (!std::regex_search(ldflags, m, re)) continue;
    std::string v = m[m.size() - 1].str();
    return v.starts_with('v') ? v : "v" + v;
  }
  return "";
}

// Days since 1970-01-01 of a civil date (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  auto yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// vcs.time (RFC 3339) as the UTC "20060102150405" of a pseudo-version; Go's zero time when it
// does not parse, as syft does.
std::string pseudo_timestamp(const std::string& rfc3339) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, consumed = 0;
  if (std::sscanf(rfc3339.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6 ||
      mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return "00010101000000";
  }
  std::size_t at = static_cast<std::size_t>(consumed);
  if (at < rfc3339.size() && rfc3339[at] == '.') {
    while (++at < rfc3339.size() && std::isdigit(static_cast<unsigned char>(rfc3339[at]))) {}
  }
  std::int64_t offset = 0;
  std::string zone = rfc3339.substr(at);
  auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(zone[i])) != 0 ? zone[i] - '0' : -1; };
  if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' && digit(1) >= 0 && digit(2) >= 0 &&
      digit(4) >= 0 && digit(5) >= 0) {
    offset = ((digit(1) * 10 + digit(2)) * 60 + digit(4) * 10 + digit(5)) * 60 * (zone[0] == '-' ? -1 : 1);
  } else if (zone != "Z") {
    return "00010101000000";
  }
  std::int64_t t = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
                   mi * 60 + s - offset;
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  std::int64_t secs = t - days * 86400;
  // civil_from_days
  std::int64_t z = days + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned day = doy - (153 * mp + 2) / 5 + 1;
  unsigned month = mp < 10 ? mp + 3 : mp - 9;
  std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02u%02lld%02lld%02lld", static_cast<long long>(year), month, day,
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

// syft's better answer for a "(devel)" main module: an ldflags version, else the pseudo-version
// v0.0.0-<vcs.time>-<vcs.revision[:12]>; else it stays "(devel)".
std::string main_version(const detail::GoBuildInfo& info, const std::string& version) {
  if (version != kDevel) return version;
  if (auto v = version_from_ldflags(setting(info, "-ldflags")); !v.empty()) return v;
  std::string revision = setting(info, "vcs.revision");
  std::string time = setting(info, "vcs.time");
  if (revision.empty() || time.empty()) return version;
  return "v0.0.0-" + pseudo_timestamp(time) + "-" + revision.substr(0, 12);
}

class GoBinaryCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return kName; }
  bool matches(std::string_view) const override { return false; }
  bool matches_entry(std::string_view, const Entry& entry) const override {
    return entry.kind == EntryKind::file && ((entry.mode & 0111) != 0 || entry.elf) && entry.size >= 52;
  }
  std::optional<std::vector<std::string>> elf_sections(std::string_view content) const override {
    if (!detail::is_elf(content)) return std::vector<std::string>{};
    auto elf = detail::ElfFile::parse(content, "");
    if (!elf) return std::vector<std::string>{};
    return detail::go_buildinfo_sections(*elf);
  }

  void catalog(const CatalogContext& ctx, const std::vector<std::string>& matches) const override {
    for (const auto& path : matches) {
      auto data = ctx.tree.read(path, limits::kMaxSbomBinaryBytes);
      if (!data) {
        ctx.warn(kName, path, data.error().message);
        continue;
      }
      if (!detail::is_elf(*data)) continue;  // scripts and other executables are not ours
      auto elf = detail::ElfFile::parse(*data, path);
      if (!elf) {
        ctx.warn(kName, path, elf.error().message);
        continue;
      }
      auto raw = detail::read_go_buildinfo(*elf);
      if (!raw) {
        ctx.warn(kName, path, raw.error().message);
        continue;
      }
      if (!*raw) continue;  // an ELF file without Go build info: a C program, say
      auto info = detail::parse_go_modinfo((*raw)->modinfo);
      if (!info) {
        ctx.warn(kName, path, info.error().message);
        continue;
      }
      add_binary(ctx, path, (*raw)->version, *info, machine_name(elf->machine()));
    }
  }

 private:
  static void add_binary(const CatalogContext& ctx, const std::string& path, const std::string& go_version,
                         const detail::GoBuildInfo& info, const std::string& machine) {
    // "go1.21.0 X:loopvar": the version, then experiments.
    std::string compiled = go_version.substr(0, go_version.find(' '));
    std::string experiments = go_version.find(" X:") != std::string::npos ? go_version.substr(go_version.find(" X:") + 3) : "";
    std::string arch = setting(info, "GOARCH");
    if (arch.empty()) arch = machine;
    detail::GoDependency main;
    if (info.main) {
      main = *info.main;
    } else if (!info.path.empty()) {
      main.module = detail::GoModule{info.path, std::string(kDevel), ""};
    }
    Location where = ctx.location(path);
    auto make = [&](const detail::GoDependency& dep, bool is_main) {
      const detail::GoModule& m = dep.replace ? *dep.replace : dep.module;
      Package p;
      p.name = m.path;
      p.version = is_main ? main_version(info, m.version) : m.version;
      p.type = "go-module";
      p.found_by = std::string(kName);
      p.purl = golang_purl(p.name, p.version);
      p.locations.push_back(where);
      p.metadata["goCompiledVersion"] = compiled;
      if (!arch.empty()) p.metadata["architecture"] = arch;
      if (!m.sum.empty()) p.metadata["h1Digest"] = m.sum;
      if (!main.module.path.empty()) p.metadata["mainModule"] = main.module.path;
      if (!experiments.empty()) p.metadata["goExperiments"] = experiments;
      if (is_main) {
        for (const auto& [k, v] : info.settings) p.metadata["goBuildSettings:" + k] = v;
      }
      p.id = "go:" + path + ":" + (is_main ? "main" : m.path + "@" + m.version);
      return p;
    };
    std::vector<Package> deps;
    for (const auto& d : info.deps) {
      auto p = make(d, false);
      if (!p.name.empty()) deps.push_back(std::move(p));
    }
    if (main.module.path.empty()) {
      // Dependencies without a main module: listed, with nothing to hang edges on.
      for (auto& p : deps) ctx.inventory.packages.push_back(std::move(p));
      return;
    }
    Package main_pkg = make(main, true);
    if (auto hashes = ctx.tree.hash(path, limits::kMaxSbomBinaryBytes)) {
      main_pkg.hashes = std::move(*hashes);
    } else {
      ctx.warn(kName, path, hashes.error().message);
    }
    for (const auto& p : deps) {
      ctx.inventory.relationships.push_back(Relationship{main_pkg.id, p.id, Relationship::Type::depends_on});
    }
    for (auto& p : deps) ctx.inventory.packages.push_back(std::move(p));
    // The toolchain's standard library, as syft's stdlib package.
    if (compiled.starts_with("go")) {
      Package std_pkg;
      std_pkg.name = "stdlib";
      std_pkg.version = compiled;
      std_pkg.type = "go-module";
      std_pkg.found_by = std::string(kName);
      std_pkg.purl = golang_purl("stdlib", compiled.substr(2));
      std_pkg.licenses.push_back(classify_license("BSD-3-Clause"));
      std_pkg.locations.push_back(where);
      std_pkg.metadata["goCompiledVersion"] = compiled;
      std_pkg.id = "go:" + path + ":stdlib";
      ctx.inventory.relationships.push_back(Relationship{main_pkg.id, std_pkg.id, Relationship::Type::depends_on});
      ctx.inventory.packages.push_back(std::move(std_pkg));
    }
    ctx.inventory.packages.push_back(std::move(main_pkg));
  }
};

}  // namespace

std::unique_ptr<Cataloger> make_go_binary_cataloger() { return std::make_unique<GoBinaryCataloger>(); }

}  // namespace sigil::sbom
