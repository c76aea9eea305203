// ADD's archive reading: every compression detected from the bytes, and hostile archives
// (escaping names, links out of the destination, writes through links, bombs) refused.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "build/layer/archive_reader.hpp"
#include "common/file.hpp"
#include "support/temp_dir.hpp"

namespace sigil::build {
namespace {

namespace fs = std::filesystem;

// A ustar header written by hand, so hostile archives do not depend on any tar's good manners.
struct TarMember {
  TarMember(std::string n, char t, std::string b = "", std::string l = "", unsigned m = 0644)
      : name(std::move(n)), type(t), body(std::move(b)), link(std::move(l)), mode(m) {}
  std::string name;
  char type;
  std::string body;
  std::string link;
  unsigned mode;
};

// Zero-padded octal filling width-1 digits, then NUL.
void octal(char* field, std::size_t width, unsigned long long value) {
  for (std::size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  field[width - 1] = '\0';
}

std::string make_tar(const std::vector<TarMember>& members) {
  std::string out;
  for (const TarMember& m : members) {
    char h[512] = {};
    std::snprintf(h, 100, "%s", m.name.c_str());
    octal(h + 100, 8, m.mode);
    octal(h + 108, 8, 0);
    octal(h + 116, 8, 0);
    octal(h + 124, 12, m.body.size());
    octal(h + 136, 12, 0);
    h[156] = m.type;
    std::snprintf(h + 157, 100, "%s", m.link.c_str());
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : std::string_view(h, 512)) sum += c;
    octal(h + 148, 7, sum);
    out.append(h, 512);
    out += m.body;
    out.append((512 - m.body.size() % 512) % 512, '\0');
  }
  out.append(1024, '\0');
  return out;
}

class ArchiveReader : public ::testing::Test {
 protected:
  fs::path archive(const std::vector<TarMember>& members, const std::string& compress = "") {
    const fs::path path = dir / ("a" + std::to_string(counter++) + ".tar");
    std::ofstream(path, std::ios::binary) << make_tar(members);
    if (compress.empty()) return path;
    EXPECT_EQ(std::system((compress + " -f " + path.string()).c_str()), 0);
    for (const char* ext : {".gz", ".bz2", ".xz", ".zst"}) {
      fs::path compressed = path;
      compressed += ext;
      if (fs::exists(compressed)) {
        fs::remove(path);
        fs::rename(compressed, path);  // the name says nothing: detection is by content
      }
    }
    return path;
  }
  Result<std::vector<LayerEntry>> read(const fs::path& path, std::uint64_t limit = 0) {
    fs::create_directories(dir / "scratch");
    return read_tar_archive(path, dir / "scratch", ArchiveOptions{limit});
  }
  test::TempDir dir;
  int counter = 0;
};

TEST_F(ArchiveReader, ReadsEveryCompressionDetectedFromTheBytes) {
  const std::vector<TarMember> members = {
      {"dir/", '5', "", "", 0755},
      {"dir/file.txt", '0', "hello", "", 04755},
      {"dir/link", '2', "", "file.txt", 0777},
      {"dir/hard", '1', "", "dir/file.txt", 0644},
      {"/abs/name", '0', "x", "", 0600},
  };
  for (std::string compress : {"", "gzip", "bzip2", "xz", "zstd -q --rm"}) {
    const fs::path path = archive(members, compress);
    auto tar = is_tar_archive(path);
    ASSERT_TRUE(tar.has_value());
    EXPECT_TRUE(*tar) << compress;
    auto entries = read(path);
    ASSERT_TRUE(entries.has_value()) << compress << ": " << entries.error().message;
    ASSERT_EQ(entries->size(), 5U) << compress;
    EXPECT_EQ((*entries)[0].type, EntryType::directory);
    EXPECT_EQ((*entries)[1].path, "dir/file.txt");
    EXPECT_EQ((*entries)[1].mode, 04755U);
    EXPECT_EQ((*entries)[1].size, 5U);
    EXPECT_EQ(read_file(std::get<FileContent>((*entries)[1].content).path, 100).value_or(""), "hello");
    EXPECT_EQ((*entries)[2].type, EntryType::symlink);
    EXPECT_EQ((*entries)[2].link_target, "file.txt");
    EXPECT_EQ((*entries)[3].type, EntryType::hardlink);
    EXPECT_EQ((*entries)[3].link_target, "dir/file.txt");
    EXPECT_EQ((*entries)[4].path, "abs/name") << "a leading '/' lands below the destination";
    fs::remove_all(dir / "scratch");
  }
}

TEST_F(ArchiveReader, PlainFilesAreNotArchives) {
  const fs::path text = dir / "notes.tar.gz";
  std::ofstream(text) << "just text, whatever the name says\n";
  auto tar = is_tar_archive(text);
  ASSERT_TRUE(tar.has_value());
  EXPECT_FALSE(*tar);
  EXPECT_FALSE(is_tar_archive(dir / "missing").has_value());
}

TEST_F(ArchiveReader, RefusesHostileArchives) {
  const std::vector<std::pair<std::string, std::vector<TarMember>>> cases = {
      {"dot-dot name", {{"../escape", '0', "x"}}},
      {"dot-dot inside", {{"a/../../escape", '0', "x"}}},
      {"relative symlink out", {{"a/", '5'}, {"a/evil", '2', "", "../../etc"}}},
      {"hardlink out", {{"evil", '1', "", "../../etc/passwd"}}},
      {"hardlink to nothing", {{"evil", '1', "", "never/seen"}}},
      {"write through symlink", {{"link", '2', "", "/etc"}, {"link/passwd", '0', "root::0:0"}}},
      {"write through relative symlink", {{"d/", '5'}, {"d/l", '2', "", "."}, {"d/l/x", '0', "x"}}},
  };
  for (const auto& [name, members] : cases) {
    auto entries = read(archive(members));
    EXPECT_FALSE(entries.has_value()) << name;
    if (!entries) {
      EXPECT_EQ(entries.error().category, ErrorCategory::input) << name;
      EXPECT_NE(entries.error().message.find("archive "), std::string::npos) << entries.error().message;
    }
  }
  // An absolute symlink target resolves inside the image at run time: allowed.
  auto absolute = read(archive({{"etc-link", '2', "", "/etc/passwd"}}));
  ASSERT_TRUE(absolute.has_value()) << absolute.error().message;
  EXPECT_EQ((*absolute)[0].link_target, "/etc/passwd");
}

TEST_F(ArchiveReader, DecompressedSizeIsLimited) {
  const fs::path bomb = archive({{"zeros", '0', std::string(1 << 20, '\0')}}, "gzip");
  EXPECT_LT(fs::file_size(bomb), 10000U);
  auto entries = read(bomb, 512 * 1024);
  ASSERT_FALSE(entries.has_value());
  EXPECT_NE(entries.error().message.find("decompressed"), std::string::npos) << entries.error().message;
  EXPECT_TRUE(read(bomb, 2 << 20).has_value());
}

TEST_F(ArchiveReader, TruncatedArchiveIsAnInputError) {
  std::string tar = make_tar({{"file", '0', std::string(5000, 'x')}});
  const fs::path path = dir / "truncated.tar";
  std::ofstream(path, std::ios::binary) << tar.substr(0, 1500);
  auto entries = read(path);
  ASSERT_FALSE(entries.has_value());
  EXPECT_EQ(entries.error().category, ErrorCategory::input);
}

}  // namespace
}  // namespace sigil::build
