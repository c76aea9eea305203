// Rust cataloger: syft's Cargo.lock fixtures (registry, git and path dependencies) with their
// dependency edges, cargo-auditable data put into a real ELF file by binutils' objcopy (runtime
// crates only, edges by index), and corrupt .dep-v0 sections.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "sbom/catalog.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/dir_tree.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/fixtures.hpp"

namespace sigil::sbom {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Inventory run(const fs::path& root, Subject::Kind kind = Subject::Kind::directory) {
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(make_rust_cataloger());
  auto tree = DirTree::open(root);
  EXPECT_TRUE(tree);
  return catalog(**tree, Subject{kind, root.string(), kind == Subject::Kind::image ? "sha256:00" : "", ""}, catalogers);
}

const Package* find(const Inventory& inv, const std::string& name, const std::string& version = "") {
  for (const auto& p : inv.packages) {
    if (p.name == name && (version.empty() || p.version == version)) return &p;
  }
  return nullptr;
}

std::set<std::string> deps_of(const Inventory& inv, const Package& p) {
  std::set<std::string> out;
  for (const auto& r : inv.relationships) {
    if (r.from != p.id) continue;
    for (const auto& q : inv.packages) {
      if (q.id == r.to) out.insert(q.name + "@" + q.version);
    }
  }
  return out;
}

// name@version of every [[package]] of a Cargo.lock, read with a regex (independent of ours).
std::set<std::string> lock_packages(const std::string& text) {
  std::set<std::string> out;
  std::regex re(R"re(\[\[package\]\]\s*\nname = "([^"]+)"\s*\nversion = "([^"]+)")re");
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    out.insert((*it)[1].str() + "@" + (*it)[2].str());
  }
  return out;
}

Inventory run_lock(const fs::path& fixture) {
  test::TempDir root;
  fs::copy_file(fixture, root / "Cargo.lock");
  return run(root.path());
}

TEST(Rust, CargoLockFixtures) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  for (const char* name : {"rust/Cargo.lock", "rust/Cargo.lock-with-git-deps", "rust/path-deps/Cargo.lock",
                           "rust/image-audit/Cargo.lock", "rust/glob-paths/src/Cargo.lock"}) {
    fs::path fixture = test::syft_fixtures() / name;
    auto inv = run_lock(fixture);
    std::set<std::string> got;
    for (const auto& p : inv.packages) {
      got.insert(p.name + "@" + p.version);
      EXPECT_EQ(p.type, "rust-crate");
      EXPECT_EQ(p.purl, "pkg:cargo/" + p.name + "@" + p.version);
      EXPECT_EQ(p.found_by, "rust-cargo-lock-cataloger");
    }
    EXPECT_EQ(got, lock_packages(slurp(fixture))) << name;
    EXPECT_TRUE(inv.warnings.empty()) << name;
  }
  auto inv = run_lock(test::syft_fixtures() / "rust/Cargo.lock");
  const Package* ansi = find(inv, "ansi_term", "0.12.1");
  ASSERT_NE(ansi, nullptr);
  EXPECT_EQ(ansi->metadata.at("source"), "registry+https://github.com/rust-lang/crates.io-index");
  EXPECT_EQ(ansi->metadata.at("checksum"), "d52a9bb7ec0cf484c551830a7ce27bd20d67eac647e1befb56b0be4ee39a55d2");
  auto deps = deps_of(inv, *ansi);
  ASSERT_EQ(deps.size(), 1u);
  EXPECT_TRUE(deps.begin()->starts_with("winapi@"));
  // "windows-sys 0.52.0": a name with a version picks that version among several.
  const Package* errno_pkg = find(inv, "errno", "0.3.9");
  ASSERT_NE(errno_pkg, nullptr);
  EXPECT_EQ(deps_of(inv, *errno_pkg), (std::set<std::string>{"windows-sys@0.52.0"}));

  // Same name and version from a registry and from git: one purl, one component (merged).
  auto git = run_lock(test::syft_fixtures() / "rust/Cargo.lock-with-git-deps");
  EXPECT_FALSE(git.relationships.empty());
}

TEST(Rust, CargoLockOnlyForDirectories) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  test::TempDir root;
  fs::copy_file(test::syft_fixtures() / "rust/Cargo.lock", root / "Cargo.lock");
  EXPECT_TRUE(run(root.path(), Subject::Kind::image).packages.empty());
}

TEST(Rust, CorruptCargoLock) {
  test::TempDir root;
  std::ofstream(root / "Cargo.lock") << "[[package]]\nname = \"a\nversion = \"1\"\n";
  auto inv = run(root.path());
  EXPECT_TRUE(inv.packages.empty());
  ASSERT_EQ(inv.warnings.size(), 1u);
  EXPECT_NE(inv.warnings[0].message.find("line 2"), std::string::npos) << inv.warnings[0].message;
}

std::string zlib_compress(const std::string& in) {
  uLongf size = compressBound(static_cast<uLong>(in.size()));
  std::string out(size, '\0');
  compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(in.data()),
            static_cast<uLong>(in.size()), 9);
  out.resize(size);
  return out;
}

// A real ELF file (a copy of /bin/true) with a .dep-v0 section holding `section`, as
// cargo-auditable links it, added by objcopy.
bool make_audited(const fs::path& out, const std::string& section) {
  fs::create_directories(out.parent_path());
  fs::path data = out.string() + ".dep";
  std::ofstream(data, std::ios::binary) << section;
  std::string cmd = "objcopy --add-section .dep-v0='" + data.string() + "' /bin/true '" + out.string() + "' 2>/dev/null";
  bool ok = std::system(cmd.c_str()) == 0;
  fs::remove(data);
  if (ok) fs::permissions(out, fs::perms::owner_all);
  return ok;
}

#define SIGIL_REQUIRE_OBJCOPY()                                                                   \
  do {                                                                                            \
    if (std::system("command -v objcopy >/dev/null 2>&1") != 0 || !fs::exists("/bin/true")) {     \
      if (std::getenv("CI") != nullptr) FAIL() << "objcopy (binutils) or /bin/true missing";      \
      GTEST_SKIP() << "objcopy (binutils) or /bin/true missing";                                  \
    }                                                                                             \
  } while (0)

TEST(Rust, CargoAuditableBinary) {
  SIGIL_REQUIRE_OBJCOPY();
  // As cargo-auditable writes it: the root crate last, "kind" omitted for runtime crates.
  std::string json = R"({"packages":[)"
                     R"({"name":"adler","version":"1.0.2","source":"crates.io"},)"
                     R"({"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"},)"
                     R"({"name":"miniz_oxide","version":"0.7.1","source":"crates.io","dependencies":[0]},)"
                     R"({"name":"hello","version":"0.1.0","source":"local","dependencies":[1,2,99],"root":true}]})";
  test::TempDir root;
  ASSERT_TRUE(make_audited(root / "usr/bin/hello", zlib_compress(json)));
  auto inv = run(root.path(), Subject::Kind::image);
  std::set<std::string> got;
  for (const auto& p : inv.packages) got.insert(p.name + "@" + p.version);
  EXPECT_EQ(got, (std::set<std::string>{"adler@1.0.2", "miniz_oxide@0.7.1", "hello@0.1.0"}));  // no build-time cc
  const Package* hello = find(inv, "hello");
  ASSERT_NE(hello, nullptr);
  EXPECT_EQ(hello->found_by, "cargo-auditable-binary-cataloger");
  EXPECT_EQ(hello->purl, "pkg:cargo/hello@0.1.0");
  EXPECT_EQ(hello->metadata.at("source"), "local");
  EXPECT_EQ(hello->locations.at(0).path, "/usr/bin/hello");
  EXPECT_EQ(deps_of(inv, *hello), (std::set<std::string>{"miniz_oxide@0.7.1"}));  // cc is build-time, 99 dangles
  EXPECT_EQ(deps_of(inv, *find(inv, "miniz_oxide")), (std::set<std::string>{"adler@1.0.2"}));
  EXPECT_TRUE(inv.warnings.empty());
}

// The root crate is the binary's own: it carries the SHA-1 and SHA-256 sha1sum/sha256sum print;
// the crates linked into it do not. A cdylib installed without the exec bit is still ELF, and
// still looked at (syft reads any ELF file).
TEST(Rust, RootCrateCarriesTheBinaryHashesAndSharedObjectsAreRead) {
  SIGIL_REQUIRE_OBJCOPY();
  std::string json = R"({"packages":[{"name":"adler","version":"1.0.2","source":"crates.io"},)"
                     R"({"name":"hello","version":"0.1.0","source":"local","dependencies":[0],"root":true}]})";
  test::TempDir root;
  ASSERT_TRUE(make_audited(root / "usr/lib/libhello.so", zlib_compress(json)));
  fs::permissions(root / "usr/lib/libhello.so", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  auto oracle = [&](const std::string& tool) {
    std::string out;
    if (FILE* p = ::popen((tool + " '" + (root / "usr/lib/libhello.so").string() + "'").c_str(), "r")) {
      char buf[256];
      std::size_t n = 0;
      while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
      ::pclose(p);
    }
    return out.substr(0, out.find(' '));
  };
  auto inv = run(root.path(), Subject::Kind::image);
  const Package* hello = find(inv, "hello");
  ASSERT_NE(hello, nullptr);
  EXPECT_EQ(hello->hashes, (FileHashes{{"SHA-1", oracle("sha1sum")}, {"SHA-256", oracle("sha256sum")}}));
  const Package* adler = find(inv, "adler");
  ASSERT_NE(adler, nullptr);
  EXPECT_TRUE(adler->hashes.empty());
  EXPECT_TRUE(inv.warnings.empty());
}

TEST(Rust, CorruptAuditData) {
  SIGIL_REQUIRE_OBJCOPY();
  test::TempDir root;
  std::string good = zlib_compress(R"({"packages":[{"name":"a","version":"1.0.0"}]})");
  ASSERT_TRUE(make_audited(root / "bin/garbage", "not zlib at all"));
  ASSERT_TRUE(make_audited(root / "bin/truncated", good.substr(0, good.size() / 2)));
  ASSERT_TRUE(make_audited(root / "bin/not-json", zlib_compress("{nope")));
  ASSERT_TRUE(make_audited(root / "bin/no-packages", zlib_compress(R"({"format":1})")));
  ASSERT_TRUE(make_audited(root / "bin/bomb", zlib_compress(std::string(64 * 1024 * 1024, ' '))));
  auto inv = run(root.path());
  EXPECT_TRUE(inv.packages.empty());
  std::set<std::string> warned;
  for (const auto& w : inv.warnings) warned.insert(w.path);
  EXPECT_EQ(warned, (std::set<std::string>{"/bin/bomb", "/bin/garbage", "/bin/no-packages", "/bin/not-json", "/bin/truncated"}));
  // An ELF file without .dep-v0 and a script are simply not Rust.
  test::TempDir plain;
  fs::create_directories(plain / "bin");
  fs::copy_file("/bin/true", plain / "bin/true");
  std::ofstream(plain / "bin/script") << "#!/bin/sh\n" << std::string(100, '#') << "\n";
  fs::permissions(plain / "bin/script", fs::perms::owner_all);
  auto none = run(plain.path());
  EXPECT_TRUE(none.packages.empty());
  EXPECT_TRUE(none.warnings.empty());
}

}  // namespace
}  // namespace sigil::sbom
