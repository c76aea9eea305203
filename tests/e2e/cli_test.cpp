// The sigil binary against image layouts: commands, output, usage errors and bad input. Each
// failure must be exit 2 (3 for the network) with exactly one line on stderr, and must leave the
// destination as it was.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <sys/socket.h>
#include <netinet/in.h>

#include "common/file.hpp"
#include "common/json.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/digest.hpp"
#include "oci/layout_store.hpp"
#include "oci/media_types.hpp"
#include "support/layouts.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

using LayoutImage = ImageWithReferrers;

// A layout at `dir` holding a generated image tagged `tag`, with an SBOM referrer and a signature on it.
LayoutImage make_layout(const fs::path& dir, const std::string& tag = "v1", bool referrers = true) {
  TestImageOptions options;
  options.tag = tag;
  return write_layout_image(dir, options, referrers);
}

fs::path blob_file(const fs::path& layout, const oci::Digest& d) { return layout / "blobs" / "sha256" / d.hex(); }

std::size_t count_blobs(const fs::path& layout) {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = fs::directory_iterator(layout / "blobs" / "sha256", ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    ++n;
  }
  return n;
}

std::string slurp(const fs::path& p) { return read_file(p, 64 << 20).value_or(std::string()); }

void write(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << bytes;
}

// One error line "sigil: error: ..." and the expected exit code.
void expect_error(const RunResult& r, int code, const std::string& needle = {}) {
  EXPECT_EQ(r.exit_code, code) << r.describe();
  EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("sigil: error: ", 0), 0u) << r.err;
  if (!needle.empty()) {
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(Cli, VersionAndHelp) {
  auto v = run_sigil({"version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out, std::string("sigil ") + SIGIL_VERSION + "\n");
  auto help = run_sigil({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* cmd : {"copy", "inspect", "digest", "tree"}) EXPECT_NE(help.out.find(cmd), std::string::npos);
  auto copy_help = run_sigil({"copy", "--help"});
  EXPECT_EQ(copy_help.exit_code, 0) << copy_help.describe();
  EXPECT_NE(copy_help.out.find("--all-platforms"), std::string::npos);
  EXPECT_NE(copy_help.out.find("--insecure-registry"), std::string::npos);
}

// The dispatcher runs the first command of a name, so a second one of the same name would be
// unreachable: the command table (listed by --help, one per line) must name each command once.
TEST(Cli, CommandNamesAreUnique) {
  auto help = run_sigil({"--help"});
  ASSERT_EQ(help.exit_code, 0) << help.describe();
  auto start = help.out.find("\nCommands:\n");
  ASSERT_NE(start, std::string::npos) << help.out;
  std::istringstream lines(help.out.substr(start + 11));
  std::set<std::string> names;
  std::string line;
  while (std::getline(lines, line) && !line.empty()) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    EXPECT_TRUE(names.insert(name).second) << "two commands are named \"" << name << "\"";
  }
  EXPECT_GT(names.size(), 20u) << help.out;
  EXPECT_TRUE(names.contains("build") && names.contains("version")) << help.out;
}

TEST(Cli, UsageErrorsExitTwoWithAHint) {
  expect_error(run_sigil({}), 2, "no command");
  expect_error(run_sigil({"frobnicate"}), 2, "unknown command \"frobnicate\"");
  expect_error(run_sigil({"copy", "oci:/tmp/x"}), 2, "see 'sigil copy --help'");
  expect_error(run_sigil({"copy", "--bogus", "a", "b"}), 2, "see 'sigil copy --help'");
  expect_error(run_sigil({"tree", "--output", "yaml", "oci:/tmp/x"}), 2, "--output must be text or json");
  expect_error(run_sigil({"copy", "--parallel", "0", "oci:/a", "oci:/b"}), 2, "--parallel");
  expect_error(run_sigil({"copy", "--platform", "linux", "oci:/a", "oci:/b"}), 2, "invalid platform");
}

TEST(Cli, CopyBetweenLayoutsPrintsTheDigestAndEveryCommandAgrees) {
  TempDir tmp;
  auto src = make_layout(tmp / "src");
  std::string digest = src.image.manifest.digest.str();

  auto copied = run_sigil({"copy", layout_ref(tmp / "src", "v1"), layout_ref(tmp / "dst", "copied")});
  ASSERT_EQ(copied.exit_code, 0) << copied.describe();
  EXPECT_EQ(copied.out, digest + "\n");
  EXPECT_TRUE(copied.err.empty()) << "progress must stay off in a pipe: " << copied.err;

  auto d = run_sigil({"digest", layout_ref(tmp / "dst", "copied")});
  EXPECT_EQ(d.out, digest + "\n") << d.describe();
  auto by_digest = run_sigil({"digest", "oci:" + (tmp / "dst").string() + "@" + digest});
  EXPECT_EQ(by_digest.out, digest + "\n") << by_digest.describe();

  auto raw = run_sigil({"inspect", "--raw", layout_ref(tmp / "dst", "copied")});
  EXPECT_EQ(raw.out, src.image.manifest_raw);
  auto pretty = run_sigil({"inspect", layout_ref(tmp / "dst", "copied")});
  ASSERT_EQ(pretty.exit_code, 0) << pretty.describe();
  auto j = parse_json(pretty.out, "inspect output");
  ASSERT_TRUE(j) << pretty.out;
  EXPECT_EQ((*j)["digest"], digest);
  EXPECT_EQ((*j)["mediaType"], oci::media_type::kOciManifest);
  EXPECT_EQ((*j)["manifest"]["layers"].size(), src.image.layers.size());
  auto config = run_sigil({"inspect", "--config", "--raw", layout_ref(tmp / "dst", "copied")});
  EXPECT_EQ(config.out, src.image.config_raw) << config.describe();

  // Without --referrers the copy carries no referrers.
  auto tree = run_sigil({"tree", layout_ref(tmp / "dst", "copied")});
  ASSERT_EQ(tree.exit_code, 0) << tree.describe();
  EXPECT_EQ(tree.out, (tmp / "dst").string() + "@" + digest + "\n");
}

TEST(Cli, CopyWithReferrersCarriesTheGraphAndTreeShowsIt) {
  TempDir tmp;
  auto src = make_layout(tmp / "src");
  auto r = run_sigil({"copy", "--referrers", layout_ref(tmp / "src", "v1"), layout_ref(tmp / "dst", "v1")});
  ASSERT_EQ(r.exit_code, 0) << r.describe();

  auto text = run_sigil({"tree", layout_ref(tmp / "dst", "v1")});
  ASSERT_EQ(text.exit_code, 0) << text.describe();
  std::string expected = (tmp / "dst").string() + "@" + src.image.manifest.digest.str() + "\n" +
                         "└── application/spdx+json  " + src.sbom.digest.str() + "  (" + std::to_string(src.sbom.size) +
                         " bytes)\n" + "    │ org.opencontainers.image.created: 2000-01-01T00:00:00Z\n" +
                         "    └── application/vnd.dev.sigstore.bundle.v0.3+json  " + src.signature.digest.str() + "  (" +
                         std::to_string(src.signature.size) + " bytes)\n";
  EXPECT_EQ(text.out, expected);

  auto json = run_sigil({"tree", "-o", "json", layout_ref(tmp / "dst", "v1")});
  auto j = parse_json(json.out, "tree output");
  ASSERT_TRUE(j) << json.describe();
  EXPECT_EQ((*j)["digest"], src.image.manifest.digest.str());
  ASSERT_EQ((*j)["referrers"].size(), 1u);
  EXPECT_EQ((*j)["referrers"][0]["artifactType"], "application/spdx+json");
  ASSERT_EQ((*j)["referrers"][0]["referrers"].size(), 1u);
  EXPECT_EQ((*j)["referrers"][0]["referrers"][0]["digest"], src.signature.digest.str());
}

TEST(Cli, GlobalFlagsWorkBeforeTheCommandAndVerboseReportsBlobs) {
  TempDir tmp;
  make_layout(tmp / "src", "v1", false);
  auto r = run_sigil({"--verbose", "copy", layout_ref(tmp / "src", "v1"), layout_ref(tmp / "dst", "v1")});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("copied blob"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wrote manifest"), std::string::npos) << r.err;
}

TEST(Cli, InvalidReferencesAndUnknownTransportsChangeNothing) {
  TempDir tmp;
  make_layout(tmp / "src");
  expect_error(run_sigil({"digest", "Registry.example/UPPER/case:tag"}), 2);
  expect_error(run_sigil({"digest", "localhost:5000/repo:bad!tag"}), 2);
  expect_error(run_sigil({"copy", layout_ref(tmp / "src", "v1"), "dir:" + (tmp / "out").string()}), 2,
               "unsupported transport");
  EXPECT_FALSE(fs::exists(tmp / "out"));
  expect_error(run_sigil({"copy", "docker-archive:/x.tar", layout_ref(tmp / "out2")}), 2, "unsupported transport");
  EXPECT_FALSE(fs::exists(tmp / "out2"));
  expect_error(run_sigil({"digest", layout_ref(tmp / "src", "nosuchtag")}), 2, "nosuchtag");
  expect_error(run_sigil({"digest", layout_ref(tmp / "missing", "v1")}), 2);
}

// Each case breaks the source layout; the copy must fail with one line, exit 2, and leave the
// destination (a fresh path, and an existing empty layout) untouched.
class BrokenSource : public ::testing::Test {
 protected:
  void SetUp() override {
    src_ = make_layout(tmp_ / "src");
    ASSERT_TRUE(oci::LayoutStore::open(tmp_ / "existing", true));
    existing_index_ = slurp(tmp_ / "existing" / "index.json");
  }
  void expect_copy_fails(const std::string& needle) {
    expect_error(run_sigil({"copy", "--referrers", layout_ref(tmp_ / "src", "v1"), layout_ref(tmp_ / "fresh", "v1")}), 2,
                 needle);
    EXPECT_FALSE(fs::exists(tmp_ / "fresh")) << "a failed copy must not leave a layout behind";
    expect_error(run_sigil({"copy", layout_ref(tmp_ / "src", "v1"), layout_ref(tmp_ / "existing", "v1")}), 2, needle);
    EXPECT_EQ(slurp(tmp_ / "existing" / "index.json"), existing_index_);
    EXPECT_EQ(count_blobs(tmp_ / "existing"), 0u);
  }
  TempDir tmp_;
  LayoutImage src_;
  std::string existing_index_;
};

TEST_F(BrokenSource, TamperedLayer) {
  auto path = blob_file(tmp_ / "src", src_.image.layers[1].digest);
  std::string bytes = slurp(path);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x20);
  write(path, bytes);
  expect_copy_fails(src_.image.layers[1].digest.str());
}

TEST_F(BrokenSource, TamperedManifest) {
  auto path = blob_file(tmp_ / "src", src_.image.manifest.digest);
  std::string bytes = slurp(path);
  bytes[bytes.size() - 2] = ' ';
  write(path, bytes);
  expect_copy_fails(src_.image.manifest.digest.str());
}

TEST_F(BrokenSource, MissingLayer) {
  fs::remove(blob_file(tmp_ / "src", src_.image.layers[0].digest));
  expect_copy_fails(src_.image.layers[0].digest.str());
}

TEST_F(BrokenSource, BrokenIndexJson) {
  write(tmp_ / "src" / "index.json", "{\"schemaVersion\":2,\"manifests\":[");
  expect_copy_fails("index.json");
}

// A manifest whose bytes match its digest but are not a manifest at all.
TEST_F(BrokenSource, MalformedManifest) {
  std::string garbage = "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::media_type::kOciManifest) +
                        "\",\"config\":42,\"layers\":[]}";
  auto d = oci::Digest::of(garbage);
  write(blob_file(tmp_ / "src", d), garbage);
  auto index = slurp(tmp_ / "src" / "index.json");
  std::string old_entry = "\"digest\":\"" + src_.image.manifest.digest.str() + "\"";
  auto at = index.find(old_entry);
  ASSERT_NE(at, std::string::npos) << index;
  index.replace(at, old_entry.size(), "\"digest\":\"" + d.str() + "\"");
  std::string old_size = "\"size\":" + std::to_string(src_.image.manifest.size);
  at = index.find(old_size);
  ASSERT_NE(at, std::string::npos) << index;
  index.replace(at, old_size.size(), "\"size\":" + std::to_string(garbage.size()));
  write(tmp_ / "src" / "index.json", index);
  expect_copy_fails("config");
}

// Larger than the 4 MiB manifest limit, though its digest is right.
TEST_F(BrokenSource, OversizeManifest) {
  std::string huge = "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::media_type::kOciManifest) +
                     "\",\"annotations\":{\"pad\":\"" + std::string(5 << 20, 'a') + "\"},\"config\":{},\"layers\":[]}";
  auto d = oci::Digest::of(huge);
  write(blob_file(tmp_ / "src", d), huge);
  auto index = slurp(tmp_ / "src" / "index.json");
  std::string entry = "{\"mediaType\":\"" + std::string(oci::media_type::kOciManifest) + "\",\"digest\":\"" + d.str() +
                      "\",\"size\":" + std::to_string(huge.size()) +
                      ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}";
  // Retag v1 to the oversize manifest.
  auto j = parse_json(index, "index.json");
  ASSERT_TRUE(j);
  Json manifests = Json::array();
  for (auto& m : (*j)["manifests"]) {
    if (!m.contains("annotations")) manifests.push_back(m);
  }
  manifests.push_back(parse_json(entry, "entry").value());
  (*j)["manifests"] = manifests;
  write(tmp_ / "src" / "index.json", dump_json(*j));
  expect_copy_fails("limit");
}

TEST(Cli, UnreachableRegistryExitsThree) {
  // A port that was free a moment ago: nothing listens there.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  std::string ref = "127.0.0.1:" + std::to_string(port) + "/sigil/test:v1";

  expect_error(run_sigil({"digest", ref}), 3);
  TempDir tmp;
  make_layout(tmp / "src", "v1", false);
  expect_error(run_sigil({"copy", layout_ref(tmp / "src", "v1"), ref}), 3);
  expect_error(run_sigil({"copy", ref, layout_ref(tmp / "dst")}), 3);
  EXPECT_FALSE(fs::exists(tmp / "dst"));
}

}  // namespace
}  // namespace sigil::test
