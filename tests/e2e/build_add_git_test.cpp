// `ADD <git ref> <dest>` end to end: a repository made here (files, an executable, a symlink,
// an annotated tag, a branch) served by `git daemon` on 127.0.0.1, added by tag, by branch
// with a subdirectory, by commit with --checksum, with and without --keep-git-dir; the layer
// read back with tar; two builds give the same digest; bad refs, wrong checksums and an
// unreachable server fail with one line and nothing written.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <map>
#include <thread>

#include "e2e/build_support.hpp"

namespace sigil::test {
namespace {

// Fixed identities and dates: the repository (and so its commit shas) is the same every run.
const std::vector<std::string> kGitEnv{
    "GIT_CONFIG_NOSYSTEM=1",         "GIT_CONFIG_GLOBAL=/dev/null",
    "GIT_AUTHOR_NAME=Test",          "GIT_AUTHOR_EMAIL=test@example.com",
    "GIT_COMMITTER_NAME=Test",       "GIT_COMMITTER_EMAIL=test@example.com",
    "GIT_AUTHOR_DATE=1700000000 +0000", "GIT_COMMITTER_DATE=1700000000 +0000",
};

std::string git(const fs::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", dir.string(), "-c", "init.defaultBranch=master"});
  auto r = run_program(args, std::chrono::seconds(60), kGitEnv);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// One line of `tar -tvzf`: mode string, owner and (for symlinks) target, by path.
struct TarEntry {
  std::string mode;
  std::string owner;
  std::string target;
};

std::map<std::string, TarEntry> list_layer(const fs::path& blob) {
  auto listing = run_program({"tar", "--numeric-owner", "-tvzf", blob.string()});
  EXPECT_EQ(listing.exit_code, 0) << listing.describe();
  std::map<std::string, TarEntry> out;
  std::istringstream lines(listing.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    TarEntry e;
    std::string size, date, time, path, arrow;
    fields >> e.mode >> e.owner >> size >> date >> time >> path >> arrow >> e.target;
    if (!path.empty() && path.back() == '/') path.pop_back();
    out[path] = e;
  }
  return out;
}

std::string extract(const fs::path& blob, const fs::path& dir, const std::string& member) {
  fs::create_directories(dir);
  auto r = run_program({"tar", "-xzf", blob.string(), "-C", dir.string(), member});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  return read_file(dir / member, 1 << 20).value_or("<missing>");
}

class BuildAddGit : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::path src = tmp_ / "work";
    fs::create_directories(src);
    git(src, {"init", "-q"});
    put(src / "README.md", "version one\n");
    put(src / "bin" / "run.sh", "#!/bin/sh\necho run\n", fs::perms(0755));
    put(src / "sub" / "inner.txt", "inner one\n", fs::perms(0600));  // git keeps only 0644/0755
    put(src / "sub" / "deeper" / "x.txt", "x\n");
    fs::create_symlink("README.md", src / "link");
    git(src, {"add", "-A"});
    git(src, {"commit", "-q", "-m", "one"});
    git(src, {"tag", "-a", "v1", "-m", "release one"});
    tag_commit_ = git(src, {"rev-parse", "HEAD"});
    tag_object_ = git(src, {"rev-parse", "v1"});
    git(src, {"checkout", "-q", "-b", "feature"});
    put(src / "sub" / "inner.txt", "inner feature\n");
    put(src / "sub" / "feature.txt", "only on the branch\n");
    git(src, {"add", "-A"});
    git(src, {"commit", "-q", "-m", "feature"});
    feature_commit_ = git(src, {"rev-parse", "HEAD"});
    git(src, {"checkout", "-q", "master"});
    put(src / "README.md", "version two\n");
    git(src, {"commit", "-q", "-a", "-m", "two"});
    fs::create_directories(tmp_ / "srv");
    git(tmp_.path(), {"clone", "-q", "--bare", src.string(), (tmp_ / "srv" / "repo.git").string()});

    port_ = free_port();
    ASSERT_NE(port_, 0);
    std::string program = "git";
    std::vector<std::string> args{"git", "daemon", "--listen=127.0.0.1", "--port=" + std::to_string(port_),
                                  "--export-all", "--reuseaddr", "--base-path=" + (tmp_ / "srv").string(),
                                  (tmp_ / "srv").string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    int rc = ::posix_spawnp(&daemon_, "git", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(rc, 0) << "cannot start git daemon";
    for (int i = 0; i < 100 && !accepts(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(accepts(port_)) << "git daemon did not listen on 127.0.0.1:" << port_;
  }

  void TearDown() override {
    if (daemon_ > 0) {
      ::kill(daemon_, SIGTERM);
      int status = 0;
      ::waitpid(daemon_, &status, 0);
    }
  }

  std::string repo_url() const { return "git://127.0.0.1:" + std::to_string(port_) + "/repo.git"; }

  // Builds `dockerfile` into tmp/NAME and returns the last layer's blob path.
  fs::path build_layer(const std::string& name, const std::string& dockerfile, const std::string& cache = "cache") {
    put(tmp_ / ("ctx-" + name) / "Dockerfile", dockerfile);
    auto r = build(tmp_ / cache, {"-t", layout_ref(tmp_ / name), (tmp_ / ("ctx-" + name)).string()});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    images_[name] = read_built(tmp_ / name, "latest");
    const auto& image = images_[name];
    EXPECT_FALSE(image.manifest.layers.empty());
    if (image.manifest.layers.empty()) return {};
    return image.store->blob_path(image.manifest.layers.back().digest);
  }

  TempDir tmp_;
  pid_t daemon_ = -1;
  int port_ = 0;
  std::string tag_commit_;
  std::string tag_object_;
  std::string feature_commit_;
  std::map<std::string, BuiltImage> images_;
};

TEST_F(BuildAddGit, TagChecksOutTheTreeWithGitModesAndNoGitDir) {
  auto blob = build_layer("tag", "FROM scratch\nADD " + repo_url() + "#v1 /src\n");
  auto entries = list_layer(blob);
  ASSERT_TRUE(entries.contains("src/README.md")) << ::testing::PrintToString(entries.size());
  EXPECT_EQ(entries["src"].mode, "drwxr-xr-x");
  EXPECT_EQ(entries["src/README.md"].mode, "-rw-r--r--");
  EXPECT_EQ(entries["src/README.md"].owner, "0/0");
  EXPECT_EQ(entries["src/bin/run.sh"].mode, "-rwxr-xr-x");
  EXPECT_EQ(entries["src/bin"].mode, "drwxr-xr-x");
  EXPECT_EQ(entries["src/sub/inner.txt"].mode, "-rw-r--r--");
  EXPECT_EQ(entries["src/link"].mode, "lrwxrwxrwx");
  EXPECT_EQ(entries["src/link"].target, "README.md");
  EXPECT_TRUE(entries.contains("src/sub/deeper/x.txt"));
  for (const auto& [path, e] : entries) EXPECT_FALSE(path.starts_with("src/.git")) << path;
  // The tag's content, not the branch head's.
  EXPECT_EQ(extract(blob, tmp_ / "x-tag", "src/README.md"), "version one\n");
  EXPECT_EQ(images_["tag"].config["history"][0]["created_by"], "ADD " + repo_url() + "#v1 /src # buildkit");
}

TEST_F(BuildAddGit, BranchWithSubdirectoryPlacesOnlyThatDirectory) {
  auto blob = build_layer("branch", "FROM scratch\nWORKDIR /w\nADD --keep-git-dir " + repo_url() + "#feature:sub dest/\n");
  auto entries = list_layer(blob);
  EXPECT_TRUE(entries.contains("w/dest/feature.txt"));
  EXPECT_TRUE(entries.contains("w/dest/deeper/x.txt"));
  EXPECT_FALSE(entries.contains("w/dest/README.md"));
  EXPECT_FALSE(entries.contains("w/dest/.git")) << "BuildKit keeps .git only without a subdirectory";
  EXPECT_EQ(extract(blob, tmp_ / "x-branch", "w/dest/inner.txt"), "inner feature\n");
  // Default branch when there is no fragment.
  auto head = list_layer(build_layer("head", "FROM scratch\nADD " + repo_url() + " /h\n"));
  EXPECT_TRUE(head.contains("h/README.md"));
  EXPECT_FALSE(head.contains("h/sub/feature.txt"));
  EXPECT_EQ(extract(images_["head"].store->blob_path(images_["head"].manifest.layers[0].digest), tmp_ / "x-head",
                    "h/README.md"),
            "version two\n");
}

TEST_F(BuildAddGit, KeepGitDirKeepsARepositoryDetachedAtTheCommit) {
  auto blob = build_layer("keep", "FROM scratch\nADD --keep-git-dir=true " + repo_url() + "#v1 /src\n");
  auto entries = list_layer(blob);
  EXPECT_TRUE(entries.contains("src/README.md"));
  ASSERT_TRUE(entries.contains("src/.git/HEAD"));
  EXPECT_EQ(extract(blob, tmp_ / "x-keep", "src/.git/HEAD"), tag_commit_ + "\n");
  EXPECT_FALSE(entries.contains("src/.git/FETCH_HEAD"));
  // The kept repository works: git reads the commit and sees a clean tree.
  auto all = run_program({"tar", "-xzf", blob.string(), "-C", (tmp_ / "x-keep").string()});
  ASSERT_EQ(all.exit_code, 0) << all.describe();
  auto status = run_program({"git", "-C", (tmp_ / "x-keep" / "src").string(), "status", "--porcelain"},
                            std::chrono::seconds(60), kGitEnv);
  EXPECT_EQ(status.exit_code, 0) << status.describe();
  EXPECT_EQ(status.out, "");
  // Reproducible with the .git directory too: another build, another cache, a second later.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  build_layer("keep2", "FROM scratch\nADD --keep-git-dir=true " + repo_url() + "#v1 /src\n", "cache2");
  ASSERT_EQ(images_["keep2"].manifest.layers.size(), 1u);
  EXPECT_EQ(images_["keep"].manifest.layers[0].digest, images_["keep2"].manifest.layers[0].digest);
}

TEST_F(BuildAddGit, TwoBuildsGiveTheSameDigest) {
  const std::string dockerfile = "FROM scratch\nADD " + repo_url() + "#v1 /src\n";
  build_layer("one", dockerfile, "cache1");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  build_layer("two", dockerfile, "cache2");
  EXPECT_EQ(images_["one"].store->resolve("latest")->digest, images_["two"].store->resolve("latest")->digest);
}

TEST_F(BuildAddGit, CommitWithChecksumAndTagChecksum) {
  auto blob = build_layer("commit", "FROM scratch\nADD --checksum=" + feature_commit_.substr(0, 12) + " " + repo_url() +
                                        "#" + feature_commit_ + " /src\n");
  EXPECT_TRUE(list_layer(blob).contains("src/sub/feature.txt"));
  // An annotated tag's checksum may name the tag object or its commit.
  build_layer("tagsum", "FROM scratch\nADD --checksum=" + tag_object_ + " " + repo_url() + "#v1 /src\n");
  build_layer("tagsum2", "FROM scratch\nADD --checksum=" + tag_commit_ + " " + repo_url() + "#v1 /src\n");
}

TEST_F(BuildAddGit, ProvenanceRecordsTheCommit) {
  put(tmp_ / "ctx-p" / "Dockerfile", "FROM scratch\nADD " + repo_url() + "#v1 /src\n");
  auto r = run_sigil({"build", "--cache-dir", (tmp_ / "cache").string(), "--progress", "plain", "--provenance", "max", "-t", layout_ref(tmp_ / "p"),
                      (tmp_ / "ctx-p").string()},
                     std::chrono::seconds(300), {"SOURCE_DATE_EPOCH="});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  // The provenance statement is a referrer blob of the layout: find the commit in it.
  bool found = false;
  for (const auto& entry : fs::recursive_directory_iterator(tmp_ / "p" / "blobs")) {
    auto bytes = read_file(entry.path(), 1 << 22).value_or("");
    if (bytes.find("\"sha1\":\"" + tag_commit_ + "\"") != std::string::npos ||
        bytes.find("\"sha1\": \"" + tag_commit_ + "\"") != std::string::npos) {
      found = true;
    }
  }
  EXPECT_TRUE(found) << "no provenance blob records sha1 " << tag_commit_;
}

struct BadGit {
  const char* name;
  std::string line;  ///< the ADD line; PORT is replaced by the server's port, DEAD by a closed one
  int exit_code;
  const char* expect;
};

class BuildAddGitBad : public BuildAddGit, public ::testing::WithParamInterface<BadGit> {};

TEST_P(BuildAddGitBad, OneLineErrorAndNothingWritten) {
  std::string line = GetParam().line;
  if (auto p = line.find("PORT"); p != std::string::npos) line.replace(p, 4, std::to_string(port_));
  if (auto p = line.find("DEAD"); p != std::string::npos) line.replace(p, 4, std::to_string(free_port()));
  if (auto p = line.find("SHA"); p != std::string::npos) line.replace(p, 3, std::string(40, 'a'));
  put(tmp_ / "ctx" / "Dockerfile", "FROM scratch\n" + line + "\n");
  auto r = run_sigil({"build", "--progress", "quiet", "--cache-dir", (tmp_ / "cache").string(), "-t",
                      layout_ref(tmp_ / "out"), (tmp_ / "ctx").string()},
                     std::chrono::seconds(120), {"SOURCE_DATE_EPOCH="});
  EXPECT_EQ(r.exit_code, GetParam().exit_code) << r.describe();
  EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  EXPECT_NE(r.err.find("Dockerfile:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(GetParam().expect), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp_ / "out"));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BuildAddGitBad,
    ::testing::Values(
        BadGit{"missing_ref", "ADD git://127.0.0.1:PORT/repo.git#nope /src", 2, "does not contain ref nope"},
        BadGit{"missing_commit", "ADD git://127.0.0.1:PORT/repo.git#SHA /src", 2, "does not contain commit"},
        BadGit{"missing_subdir", "ADD git://127.0.0.1:PORT/repo.git#v1:nothere /src", 2, "nothere"},
        BadGit{"missing_repo", "ADD git://127.0.0.1:PORT/none.git#v1 /src", 2, "none.git"},
        BadGit{"wrong_checksum", "ADD --checksum=deadbeef git://127.0.0.1:PORT/repo.git#v1 /src", 2,
               "expected checksum to match deadbeef"},
        BadGit{"copy", "COPY git://127.0.0.1:PORT/repo.git#v1 /src", 2, "COPY"},
        BadGit{"unreachable", "ADD git://127.0.0.1:DEAD/repo.git#v1 /src", 3, "127.0.0.1"},
        BadGit{"unreachable_http", "ADD http://127.0.0.1:DEAD/repo.git#v1 /src", 3, "127.0.0.1"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace sigil::test
