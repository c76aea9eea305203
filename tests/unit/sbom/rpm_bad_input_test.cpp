// rpm cataloger on hostile input: header blobs with out-of-range offsets, huge counts and
// missing terminators; truncated and corrupt BerkeleyDB and SQLite databases; NDB databases;
// oversized files; links out of the root. Each gives warnings (or an error from the parser),
// never a crash or a read outside the input (run under ASan to check the latter).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <random>

#include "common/file.hpp"
#include "sbom/catalog.hpp"
#include "sbom/catalogers/detail/rpm_header.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/dir_tree.hpp"
#include "support/temp_dir.hpp"
#include "unit/sbom/fixtures.hpp"

namespace sigil::sbom {
namespace {

namespace fs = std::filesystem;
using detail::read_rpm_package;
using detail::RpmHeader;

// ---- header blobs, built as rpm lays them out --------------------------------------------

struct Tag {
  std::int32_t tag;
  std::uint32_t type;
  std::uint32_t count;
  std::string data;
};

void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

std::string strz(std::initializer_list<const char*> items) {
  std::string out;
  for (const char* s : items) out += std::string(s) + '\0';
  return out;
}

std::string int32s(std::initializer_list<std::uint32_t> values) {
  std::string out;
  for (auto v : values) put32(out, v);
  return out;
}

// A v4 header: region entry (HEADERIMMUTABLE) first, its trailer at the end of the data.
std::string make_blob(const std::vector<Tag>& tags) {
  std::string index;
  std::string data;
  for (const auto& t : tags) {
    std::size_t align = t.type == 3 ? 2 : t.type == 4 ? 4 : t.type == 5 ? 8 : 1;
    while (data.size() % align != 0) data += '\0';
    put32(index, static_cast<std::uint32_t>(t.tag));
    put32(index, t.type);
    put32(index, static_cast<std::uint32_t>(data.size()));
    put32(index, t.count);
    data += t.data;
  }
  auto il = static_cast<std::uint32_t>(tags.size() + 1);
  std::string region;
  put32(region, 63);
  put32(region, 7);
  put32(region, static_cast<std::uint32_t>(data.size()));
  put32(region, 16);
  put32(data, 63);
  put32(data, 7);
  put32(data, static_cast<std::uint32_t>(-static_cast<std::int32_t>(il * 16)));
  put32(data, 16);
  std::string blob;
  put32(blob, il);
  put32(blob, static_cast<std::uint32_t>(data.size()));
  return blob + region + index + data;
}

std::vector<Tag> good_tags() {
  return {
      {1000, 6, 1, strz({"pkg"})},
      {1001, 6, 1, strz({"1.0"})},
      {1002, 6, 1, strz({"3.el8"})},
      {1003, 4, 1, int32s({1})},
      {1014, 6, 1, strz({"GPLv3+"})},
      {1022, 6, 1, strz({"x86_64"})},
      {1116, 4, 2, int32s({0, 1})},
      {1117, 8, 2, strz({"a", "b"})},
      {1118, 8, 2, strz({"/usr/bin/", "/etc/"})},
  };
}

// Offset of index entry `i` (0 = region) of a blob from make_blob.
std::size_t entry_at(std::size_t i) { return 8 + 16 * i; }

void set32(std::string& blob, std::size_t at, std::uint32_t v) {
  std::string b;
  put32(b, v);
  blob.replace(at, 4, b);
}

TEST(RpmHeaderBlob, ReadsAWellFormedHeader) {
  auto p = read_rpm_package(make_blob(good_tags()));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->name, "pkg");
  EXPECT_EQ(p->version, "1.0");
  EXPECT_EQ(p->release, "3.el8");
  EXPECT_EQ(p->epoch, 1);
  EXPECT_EQ(p->arch, "x86_64");
  EXPECT_EQ(p->license, "GPLv3+");
  EXPECT_EQ(p->files, (std::vector<std::string>{"/usr/bin/a", "/etc/b"}));
}

TEST(RpmHeaderBlob, OffsetOutOfRange) {
  std::string blob = make_blob(good_tags());
  set32(blob, entry_at(1) + 8, 0x7ffffff0);
  auto p = read_rpm_package(blob);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("outside"), std::string::npos) << p.error().message;
  set32(blob, entry_at(1) + 8, 0xfffffff0);  // negative
  EXPECT_FALSE(read_rpm_package(blob));
}

TEST(RpmHeaderBlob, HugeCounts) {
  for (std::uint32_t count : {0x7fffffffU, 0x40000001U /* 4 × count wraps to 4 in 32 bits */, 0xffffffffU}) {
    std::string blob = make_blob(good_tags());
    set32(blob, entry_at(4) + 12, count);  // EPOCH, INT32
    EXPECT_FALSE(read_rpm_package(blob)) << count;
    blob = make_blob(good_tags());
    set32(blob, entry_at(8) + 12, count);  // BASENAMES, STRING_ARRAY
    EXPECT_FALSE(read_rpm_package(blob)) << count;
  }
  std::string blob = make_blob(good_tags());
  set32(blob, 0, 0xffffffff);  // il
  EXPECT_FALSE(read_rpm_package(blob));
  blob = make_blob(good_tags());
  set32(blob, 4, 0x7fffffff);  // dl
  EXPECT_FALSE(read_rpm_package(blob));
  blob = make_blob(good_tags());
  set32(blob, 0, 0);
  EXPECT_FALSE(read_rpm_package(blob));
}

TEST(RpmHeaderBlob, UnterminatedStringsAndBadTypes) {
  // A v3-style header (no region): one STRING entry whose bytes end without a NUL.
  std::string blob;
  put32(blob, 1);
  put32(blob, 3);
  put32(blob, 1000);
  put32(blob, 6);
  put32(blob, 0);
  put32(blob, 1);
  EXPECT_FALSE(RpmHeader::parse(blob + "abc"));
  EXPECT_TRUE(RpmHeader::parse(blob.substr(0, 4) + std::string("\0\0\0\x04", 4) + blob.substr(8) + std::string("abc\0", 4)));

  blob = make_blob(good_tags());
  set32(blob, entry_at(1) + 4, 42);  // type out of range
  EXPECT_FALSE(read_rpm_package(blob));
  blob = make_blob(good_tags());
  set32(blob, entry_at(4) + 8, 1);  // misaligned INT32
  EXPECT_FALSE(read_rpm_package(blob));
  EXPECT_FALSE(read_rpm_package(std::string("\0\0\0", 3)));
  EXPECT_FALSE(read_rpm_package(""));
}

TEST(RpmHeaderBlob, InconsistentFileListKeepsThePackage) {
  auto tags = good_tags();
  tags[6] = {1116, 4, 2, int32s({0, 7})};  // dirindex 7 of 2 dirnames
  auto p = read_rpm_package(make_blob(tags));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->files.empty());
  EXPECT_NE(p->files_problem.find("dirindex 7"), std::string::npos) << p->files_problem;
}

TEST(RpmHeaderBlob, RandomMutationsNeverCrash) {
  const std::string good = make_blob(good_tags());
  std::mt19937 rng(20240601);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string blob = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) blob[rng() % blob.size()] = static_cast<char>(rng());
    if (rng() % 8 == 0) blob.resize(rng() % blob.size());
    if (auto p = read_rpm_package(blob)) ++parsed;
  }
  EXPECT_GT(parsed, 0);  // some mutations only touch values
}

// ---- whole databases through the cataloger ------------------------------------------------

Inventory run(const fs::path& root) {
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(make_rpm_cataloger());
  auto tree = DirTree::open(root);
  EXPECT_TRUE(tree);
  return catalog(**tree, Subject{Subject::Kind::directory, root.string(), "", ""}, catalogers);
}

std::string warnings_text(const Inventory& inv) {
  std::string out;
  for (const auto& w : inv.warnings) out += w.path + ": " + w.message + "\n";
  return out;
}

bool warned(const Inventory& inv, const std::string& text) { return warnings_text(inv).find(text) != std::string::npos; }

class RpmBadDb : public ::testing::Test {
 protected:
  void write(const std::string& name, const std::string& bytes) {
    fs::create_directories(root.path() / "var/lib/rpm");
    std::ofstream(root.path() / "var/lib/rpm" / name, std::ios::binary) << bytes;
  }
  std::string fixture() {
    auto bytes = read_file(test::syft_fixtures() / "redhat/Packages", 1 << 20);
    EXPECT_TRUE(bytes);
    return bytes.value_or("");
  }
  test::TempDir root;
};

TEST_F(RpmBadDb, TruncatedBerkeleyDb) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  write("Packages", fixture().substr(0, 8192));
  auto inv = run(root.path());
  EXPECT_TRUE(inv.packages.empty());
  EXPECT_TRUE(warned(inv, "truncated")) << warnings_text(inv);
  write("Packages", fixture().substr(0, 100));
  inv = run(root.path());
  EXPECT_TRUE(warned(inv, "shorter than a metadata page")) << warnings_text(inv);
  write("Packages", std::string(4096, 'x'));
  inv = run(root.path());
  EXPECT_TRUE(warned(inv, "not a BerkeleyDB hash database")) << warnings_text(inv);
}

TEST_F(RpmBadDb, BrokenOverflowChains) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  // The fixture's package is an off-page item on page 2 (offset 4079) whose value sits in page 3.
  const std::size_t item = 2 * 4096 + 4079;
  // The fixture was written on a little-endian machine.
  auto le32 = [](std::string& s, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  };
  std::string db = fixture();
  le32(db, item + 4, 9999);  // overflow page outside the file
  write("Packages", db);
  auto inv = run(root.path());
  EXPECT_TRUE(inv.packages.empty());
  EXPECT_TRUE(warned(inv, "outside the file")) << warnings_text(inv);

  db = fixture();
  le32(db, item + 8, 13240);       // longer value than the chain holds...
  le32(db, 3 * 4096 + 16, 3);      // ...and the overflow page points at itself
  write("Packages", db);
  inv = run(root.path());
  EXPECT_TRUE(inv.packages.empty());
  EXPECT_TRUE(warned(inv, "loops")) << warnings_text(inv);

  db = fixture();
  db[3 * 4096 + 25] = 13;  // the chain's page is not an overflow page
  write("Packages", db);
  inv = run(root.path());
  EXPECT_TRUE(warned(inv, "not an overflow page")) << warnings_text(inv);
}

TEST_F(RpmBadDb, RandomMutationsOfBerkeleyDb) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  const std::string good = fixture();
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string db = good;
    for (int f = 0; f < 8; ++f) db[rng() % db.size()] = static_cast<char>(rng());
    write("Packages", db);
    auto inv = run(root.path());
    EXPECT_LE(inv.packages.size(), 1u);
  }
}

// An rpmdb.sqlite made directly with SQLite: Packages(hnum, blob) holding the given blobs.
std::string sqlite_db(const fs::path& file, const std::vector<std::string>& blobs, const char* schema = nullptr) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  const char* create = schema != nullptr ? schema : "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)";
  EXPECT_EQ(sqlite3_exec(db, create, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  for (const auto& b : blobs) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, "INSERT INTO Packages (blob) VALUES (?)", -1, &st, nullptr), SQLITE_OK);
    sqlite3_bind_blob(st, 1, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return read_file(file, 64 << 20).value_or("");
}

TEST_F(RpmBadDb, SqliteBadRowsAndTables) {
  test::TempDir work;
  std::string junk("\0\0\0\x02" "garbage", 11);
  std::string bytes = sqlite_db(work / "a.sqlite", {make_blob(good_tags()), junk, make_blob(good_tags()).substr(0, 40)});
  write("rpmdb.sqlite", bytes);
  auto inv = run(root.path());
  ASSERT_EQ(inv.packages.size(), 1u) << warnings_text(inv);
  EXPECT_EQ(inv.packages[0].version, "1:1.0-3.el8");
  EXPECT_EQ(inv.packages[0].licenses.at(0), (License{License::Kind::spdx_id, "GPL-3.0-or-later"}));
  EXPECT_TRUE(warned(inv, "hnum 2: rpm header")) << warnings_text(inv);
  EXPECT_TRUE(warned(inv, "hnum 3: rpm header")) << warnings_text(inv);

  write("rpmdb.sqlite", sqlite_db(work / "b.sqlite", {}, "CREATE TABLE Other (x)"));
  EXPECT_TRUE(warned(run(root.path()), "no Packages table"));
  write("rpmdb.sqlite", sqlite_db(work / "c.sqlite", {},
                                  "CREATE VIEW Packages AS WITH RECURSIVE c(hnum, blob) AS "
                                  "(SELECT 1, x'00' UNION ALL SELECT hnum + 1, blob FROM c) SELECT * FROM c"));
  EXPECT_TRUE(warned(run(root.path()), "not a table"));

  write("rpmdb.sqlite", bytes.substr(0, bytes.size() / 2));  // truncated
  inv = run(root.path());
  EXPECT_FALSE(inv.warnings.empty());
  write("rpmdb.sqlite", "SQLite format 3" + std::string(1, '\0') + std::string(200, '\xff'));
  EXPECT_FALSE(run(root.path()).warnings.empty());
}

TEST_F(RpmBadDb, RandomMutationsOfSqlite) {
  test::TempDir work;
  const std::string good = sqlite_db(work / "a.sqlite", {make_blob(good_tags()), make_blob(good_tags())});
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    std::string db = good;
    for (int f = 0; f < 8; ++f) db[16 + rng() % (db.size() - 16)] = static_cast<char>(rng());
    write("rpmdb.sqlite", db);
    auto inv = run(root.path());
    EXPECT_LE(inv.packages.size(), 2u);
  }
}

TEST_F(RpmBadDb, NdbIsReportedNotRead) {
  write("Packages.db", "RpmP" + std::string(4092, '\0'));
  auto inv = run(root.path());
  EXPECT_TRUE(inv.packages.empty());
  ASSERT_EQ(inv.warnings.size(), 1u);
  EXPECT_EQ(inv.warnings[0].path, "/var/lib/rpm/Packages.db");
  EXPECT_NE(inv.warnings[0].message.find("NDB format"), std::string::npos);
  EXPECT_NE(inv.warnings[0].message.find("not read"), std::string::npos);
  // An NDB file under the BerkeleyDB name says so too.
  fs::remove(root.path() / "var/lib/rpm/Packages.db");
  write("Packages", "RpmP" + std::string(4092, '\0'));
  EXPECT_TRUE(warned(run(root.path()), "NDB format"));
}

TEST_F(RpmBadDb, OversizedDatabaseIsNotRead) {
  write("Packages", "");
  fs::resize_file(root.path() / "var/lib/rpm/Packages", (256u << 20) + 1);  // sparse
  auto inv = run(root.path());
  EXPECT_TRUE(inv.packages.empty());
  EXPECT_TRUE(warned(inv, "exceeds")) << warnings_text(inv);
}

TEST_F(RpmBadDb, LinksOutOfTheRootAreNotFollowed) {
  SIGIL_REQUIRE_SYFT_FIXTURES();
  // /var/lib/rpm → a real directory outside the root holding a valid database.
  test::TempDir outside;
  fs::copy_file(test::syft_fixtures() / "redhat/Packages", outside / "Packages");
  fs::create_directories(root.path() / "var/lib");
  fs::create_symlink(outside.path(), root.path() / "var/lib/rpm");
  fs::create_directories(root.path() / "usr/lib/sysimage/rpm");
  fs::create_symlink(outside.path() / "Packages", root.path() / "usr/lib/sysimage/rpm/Packages");
  auto inv = run(root.path());
  EXPECT_TRUE(inv.packages.empty()) << inv.packages.size();
}

}  // namespace
}  // namespace sigil::sbom
