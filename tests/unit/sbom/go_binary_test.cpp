// Go binary cataloger against `go version -m` (Debian's golang-go) as the oracle: a binary built
// here with a local `replace`, esbuild's binary from npm, Debian's own Go binaries (no module
// lines: no dependency invented), an ELF excerpt that catalogs the same, and hostile ELF files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "sbom/catalog.hpp"
#include "sbom/catalogers/detail/elf.hpp"
#include "sbom/catalogers/detail/go_buildinfo.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/dir_tree.hpp"
#include "support/go_build.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/fixtures.hpp"

namespace sigil::sbom {
namespace {

namespace fs = std::filesystem;

using test::run_shell;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_exec(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
  fs::permissions(p, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
}

Inventory run(const fs::path& root) {
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(make_go_binary_cataloger());
  auto tree = DirTree::open(root);
  EXPECT_TRUE(tree);
  return catalog(**tree, Subject{Subject::Kind::directory, root.string(), "", ""}, catalogers);
}

// What `go version -m BIN` says, as the packages syft derives from it: name@version → h1 hash
// (a replaced module reported as its replacement), plus the main module and toolchain.
struct Oracle {
  std::string go_version;
  std::string path;
  std::string main;  // "path@version" from the mod line, or the path line with (devel)
  std::map<std::string, std::string> deps;
  std::map<std::string, std::string> settings;
};

Oracle go_version_m(const fs::path& bin) {
  Oracle o;
  std::string text = run_shell("go version -m '" + bin.string() + "' 2>/dev/null");
  std::istringstream in(text);
  std::string line;
  std::string last;  // key of the last mod/dep, for "=>"
  bool last_is_main = false;
  std::getline(in, line);
  o.go_version = line.substr(line.rfind(' ') + 1);
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '\t') continue;
    std::vector<std::string> f;
    std::size_t start = 1;
    while (true) {
      auto tab = line.find('\t', start);
      f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    f.resize(4);
    if (f[0] == "path") o.path = f[1];
    if (f[0] == "mod") o.main = f[1] + "@" + f[2], last_is_main = true;
    if (f[0] == "dep") last = f[1] + "@" + f[2], o.deps[last] = f[3], last_is_main = false;
    if (f[0] == "=>") {
      if (last_is_main) {
        o.main = f[1] + "@" + f[2];
      } else {
        o.deps.erase(last);
        o.deps[f[1] + "@" + f[2]] = f[3];
      }
    }
    if (f[0] == "build") {
      auto eq = f[1].find('=');
      o.settings[f[1].substr(0, eq)] = f[1].substr(eq + 1);
    }
  }
  if (o.main.empty() && !o.path.empty()) o.main = o.path + "@(devel)";
  return o;
}

const Package* find(const Inventory& inv, const std::string& name) {
  for (const auto& p : inv.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// Checks the inventory of one binary against the oracle; `main_version` is what syft makes of
// the main module's version.
void expect_matches(const Inventory& inv, const Oracle& o, const std::string& main_version) {
  std::string main_name = o.main.substr(0, o.main.rfind('@'));
  const Package* main = find(inv, main_name);
  ASSERT_NE(main, nullptr) << main_name;
  EXPECT_EQ(main->version, main_version);
  EXPECT_EQ(main->type, "go-module");
  EXPECT_EQ(main->metadata.at("goCompiledVersion"), o.go_version);
  for (const auto& [k, v] : o.settings) EXPECT_EQ(main->metadata.at("goBuildSettings:" + k), v) << k;
  std::map<std::string, std::string> got;
  for (const auto& p : inv.packages) {
    if (&p == main || p.name == "stdlib") continue;
    got[p.name + "@" + p.version] = p.metadata.contains("h1Digest") ? p.metadata.at("h1Digest") : "";
  }
  EXPECT_EQ(got, o.deps);
  const Package* std_pkg = find(inv, "stdlib");
  ASSERT_NE(std_pkg, nullptr);
  EXPECT_EQ(std_pkg->version, o.go_version);
  EXPECT_EQ(std_pkg->purl, "pkg:golang/stdlib@" + o.go_version.substr(2));
  // Edges: main depends on every dependency and on stdlib, nothing else.
  std::size_t edges = 0;
  for (const auto& r : inv.relationships) {
    EXPECT_EQ(r.from, main->id);
    ++edges;
  }
  EXPECT_EQ(edges, o.deps.size() + 1);
}

TEST(GoBinary, BuiltHereWithLocalReplace) {
  SIGIL_REQUIRE_GO();
  test::TempDir tmp;
  test::write_go_app_with_local_replace(tmp.path(), "example.com/app", "v1.2.3", "hello");
  fs::path bin = tmp / "root/usr/local/bin/app";
  std::string log = test::go_build(tmp / "app", tmp.path(), bin);
  ASSERT_TRUE(fs::exists(bin)) << log;

  Oracle o = go_version_m(bin);
  ASSERT_EQ(o.deps.size(), 1u);  // the replacement: ../mylib with no version
  EXPECT_TRUE(o.deps.begin()->first.starts_with("../mylib@")) << o.deps.begin()->first;
  auto inv = run(tmp / "root");
  expect_matches(inv, o, "(devel)");
  const Package* main = find(inv, "example.com/app");
  ASSERT_NE(main, nullptr);
  EXPECT_TRUE(main->purl.starts_with("pkg:golang/example.com/app@")) << main->purl;
  EXPECT_EQ(main->locations.at(0).path, "/usr/local/bin/app");
  EXPECT_EQ(main->metadata.at("architecture"), o.settings.at("GOARCH"));
  EXPECT_TRUE(inv.warnings.empty());

  // The excerpt an image tree keeps of this binary catalogs the same, and is small.
  std::string whole = slurp(bin);
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(make_go_binary_cataloger());
  catalogers.push_back(make_rust_cataloger());
  struct stat st {};
  ASSERT_EQ(::stat(bin.c_str(), &st), 0);
  Entry entry{EntryKind::file, whole.size(), "", "", static_cast<std::uint32_t>(st.st_mode & 07777)};
  auto reduce = elf_excerpt_for(catalogers, "/usr/local/bin/app", entry);
  ASSERT_TRUE(reduce);
  std::string excerpt = reduce(whole);
  EXPECT_LT(excerpt.size(), 64u * 1024);
  test::TempDir small;
  write_exec(small / "usr/local/bin/app", excerpt);
  auto again = run(small.path());
  expect_matches(again, o, "(devel)");
  // A file no cataloger matches by entry gets no excerpt function.
  entry.mode = 0644;
  EXPECT_FALSE(elf_excerpt_for(catalogers, "/usr/local/bin/app", entry));
}

fs::path esbuild_binary() {
  return fs::path(SIGIL_SOURCE_DIR) / ".tools/sigstore-js/node_modules/@esbuild/linux-x64/bin/esbuild";
}

TEST(GoBinary, EsbuildFromNpm) {
  SIGIL_REQUIRE_GO();
  if (!fs::exists(esbuild_binary())) {
    if (std::getenv("CI") != nullptr) FAIL() << "missing " << esbuild_binary() << " (scripts/bootstrap --test)";
    GTEST_SKIP() << "missing " << esbuild_binary() << " (scripts/bootstrap --test)";
  }
  Oracle o = go_version_m(esbuild_binary());
  ASSERT_FALSE(o.main.empty());
  auto inv = run(esbuild_binary().parent_path());
  // esbuild's main module is "(devel)" with vcs.revision and vcs.time: syft's pseudo-version.
  std::string ts = o.settings.at("vcs.time");
  std::string expected = "v0.0.0-" + ts.substr(0, 4) + ts.substr(5, 2) + ts.substr(8, 2) + ts.substr(11, 2) +
                         ts.substr(14, 2) + ts.substr(17, 2) + "-" + o.settings.at("vcs.revision").substr(0, 12);
  expect_matches(inv, o, expected);
  const Package* sys = find(inv, "golang.org/x/sys");
  ASSERT_NE(sys, nullptr);
  EXPECT_EQ(sys->purl, "pkg:golang/golang.org/x/sys@" + sys->version);
}

TEST(GoBinary, DebianBinariesHaveNoDependencies) {
  SIGIL_REQUIRE_GO();
  int checked = 0;
  for (const char* name : {"/usr/bin/skopeo", "/usr/bin/umoci"}) {
    if (!fs::exists(name)) continue;
    Oracle o = go_version_m(name);
    test::TempDir root;
    write_exec(root / "usr/bin/tool", slurp(name));
    auto inv = run(root.path());
    // What go version -m says, exactly: a path line, no mod or dep lines.
    expect_matches(inv, o, "(devel)");
    EXPECT_TRUE(o.deps.empty()) << name << " now lists dependencies: update this test";
    std::size_t modules = 0;
    for (const auto& p : inv.packages) modules += p.name != "stdlib";
    EXPECT_EQ(modules, 1u) << name;
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no Debian Go binary installed (skopeo, umoci)";
}

TEST(GoBinary, SyftFixturesAndNonGoFiles) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  test::TempDir root;
  // syft's partial binary (a truncated Mach-O header) and a script: not ELF, silently not Go.
  write_exec(root / "bin/partial", slurp(test::syft_fixtures() / "golang/glob-paths/partial-binary"));
  write_exec(root / "bin/script", "#!/bin/sh\necho hi\n");
  // A C program: ELF without Go build info.
  if (fs::exists("/bin/true")) write_exec(root / "bin/true", slurp("/bin/true"));
  auto inv = run(root.path());
  EXPECT_TRUE(inv.packages.empty());
  EXPECT_TRUE(inv.warnings.empty());
}

// Hostile input: every corruption ends in a warning (or nothing), never a crash or a read out
// of bounds.
TEST(GoBinary, HostileElfFiles) {
  SIGIL_REQUIRE_GO();
  std::string go = run_shell("command -v go");
  go = go.substr(0, go.find('\n'));
  std::string real = slurp(fs::canonical(go));
  ASSERT_TRUE(detail::is_elf(real));
  std::string excerpt = detail::elf_excerpt(real, {".go.buildinfo"});
  ASSERT_FALSE(excerpt.empty());
  auto elf = detail::ElfFile::parse(excerpt, "x");
  ASSERT_TRUE(elf);
  std::uint64_t shoff = *elf->uint(std::string_view(excerpt).substr(40), 8);
  std::size_t info_hdr = static_cast<std::size_t>(shoff) + 64;  // section 1: .go.buildinfo
  std::size_t data = static_cast<std::size_t>(elf->find(".go.buildinfo")->offset);
  auto patch = [](std::string s, std::size_t at, std::uint64_t v, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
    return s;
  };
  std::map<std::string, std::string> cases{
      {"truncated", real.substr(0, 100)},
      {"header-only", real.substr(0, 64)},
      {"shoff-out", patch(excerpt, 40, 0xfffffffffffff000ULL, 8)},
      {"shnum-huge", patch(excerpt, 60, 0xfffe, 2)},
      {"section-offset-out", patch(excerpt, info_hdr + 24, 1ULL << 62, 8)},
      {"section-size-huge", patch(excerpt, info_hdr + 32, ~0ULL, 8)},
      {"shstrndx-out", patch(excerpt, 62, 0x7fff, 2)},
      {"inline-length-huge", patch(patch(patch(excerpt, data + 32, 0xff, 1), data + 33, 0xff, 1), data + 34, 0x7f, 1)},
      // Pre-1.18 layout whose pointers lead outside the file.
      {"pointers-out", patch(patch(excerpt, data + 15, 0, 1), data + 16, 0x7fffffffffffULL, 8)},
      {"pointer-size-bad", patch(patch(excerpt, data + 15, 0, 1), data + 14, 3, 1)},
  };
  test::TempDir root;
  for (const auto& [name, bytes] : cases) write_exec(root / ("bin/" + name), bytes);
  auto inv = run(root.path());
  EXPECT_TRUE(inv.packages.empty());
  std::set<std::string> warned;
  for (const auto& w : inv.warnings) warned.insert(w.path.substr(w.path.rfind('/') + 1));
  for (const auto& [name, bytes] : cases) {
    if (name == "shstrndx-out") continue;  // names unknown: no .go.buildinfo found, nothing to say
    EXPECT_TRUE(warned.contains(name)) << name;
  }
  // Random corruption of the excerpt: parses or fails, never crashes.
  std::mt19937 rng(42);
  for (int i = 0; i < 3000; ++i) {
    std::string s = excerpt;
    for (int k = 0; k < 8; ++k) s[rng() % s.size()] = static_cast<char>(rng());
    auto e = detail::ElfFile::parse(s, "fuzz");
    if (!e) continue;
    (void)detail::read_go_buildinfo(*e);
    (void)detail::go_buildinfo_sections(*e);
    (void)detail::elf_excerpt(s, {".go.buildinfo", ".dep-v0"});
  }
}

TEST(GoBinary, ModinfoText) {
  auto info = detail::parse_go_modinfo(
      "path\texample.com/x/cmd\nmod\texample.com/x\tv1.0.0\th1:abc=\ndep\ta.io/b\tv0.1.0\th1:b=\n"
      "dep\tc.io/d\tv1.0.0\n=>\te.io/d\tv1.1.0\th1:e=\nbuild\t-ldflags=\"-s -X main.version=1.2.3\"\n"
      "build\t\"key with space\"=v\nbuild\tGOOS=linux\n");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->path, "example.com/x/cmd");
  ASSERT_TRUE(info->main);
  EXPECT_EQ(info->main->module.sum, "h1:abc=");
  ASSERT_EQ(info->deps.size(), 2u);
  ASSERT_TRUE(info->deps[1].replace);
  EXPECT_EQ(info->deps[1].replace->path, "e.io/d");
  ASSERT_EQ(info->settings.size(), 3u);
  EXPECT_EQ(info->settings[0].second, "-s -X main.version=1.2.3");
  EXPECT_EQ(info->settings[1].first, "key with space");
  EXPECT_FALSE(detail::parse_go_modinfo("=>\ta\tb\tc\n"));     // replacement of nothing
  EXPECT_FALSE(detail::parse_go_modinfo("dep\tonly-path\n"));  // too few fields
  EXPECT_FALSE(detail::parse_go_modinfo("build\t=x\n"));
}

}  // namespace
}  // namespace sigil::sbom
