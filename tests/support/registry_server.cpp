#include "support/registry_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "common/base64.hpp"
#include "common/http.hpp"
#include "support/test_pki.hpp"

extern char** environ;

namespace sigil::test {
namespace {

using namespace std::chrono_literals;

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

// A port the kernel considers free right now. The registry binds it a moment later; the small
// race with other processes is handled by retrying the start.
std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  std::uint16_t port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

// Runs argv with stdout and stderr sent to `output` (appended); returns the spawned pid or -1.
pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& output) {
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Like spawn(), but the child is killed when this process dies (PR_SET_PDEATHSIG), so a test
// binary that crashes leaves no registry behind. Only async-signal-safe calls run in the child.
pid_t spawn_tied(const std::vector<std::string>& args, const std::filesystem::path& output) {
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::string output_path = output.string();
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid != 0) return pid;  // parent (or -1)
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(126);
  int in = ::open("/dev/null", O_RDONLY);
  int out = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (in < 0 || out < 0 || ::dup2(in, STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
      ::dup2(out, STDERR_FILENO) < 0) {
    ::_exit(126);
  }
  ::execve(argv[0], argv.data(), environ);
  ::_exit(127);
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string RegistryServer::binary() {
  if (const char* env = std::getenv("SIGIL_DOCKER_REGISTRY"); env != nullptr && *env != '\0') return env;
  if (::access("/usr/bin/docker-registry", X_OK) == 0) return "/usr/bin/docker-registry";
  return find_on_path("docker-registry");
}

std::optional<std::string> RegistryServer::missing_reason(RegistryAuth auth) {
  if (binary().empty()) {
    return std::string("docker-registry (distribution 2.8) is not installed: apt-get install docker-registry");
  }
  if (auth == RegistryAuth::basic && find_on_path("htpasswd").empty()) {
    return std::string("htpasswd is not installed: apt-get install apache2-utils");
  }
  return std::nullopt;
}

bool RegistryServer::skips_forbidden() {
  std::error_code ec;
  return std::filesystem::is_directory(std::filesystem::path(SIGIL_SOURCE_DIR) / ".." / "shared", ec);
}

RegistryServer::RegistryServer(RegistryOptions options) : options_(std::move(options)) {
  if (auto missing = missing_reason(options_.auth)) {
    failure_ = *missing;
    return;
  }
  std::filesystem::create_directories(storage_dir());
  if (options_.auth == RegistryAuth::basic) {
    auto log_path = dir_ / "htpasswd.log";
    pid_t pid = spawn({find_on_path("htpasswd"), "-Bbc", (dir_ / "htpasswd").string(), options_.username, options_.password}, log_path);
    if (pid < 0 || wait_exit(pid) != 0) {
      failure_ = "htpasswd failed: " + read_text(log_path);
      return;
    }
  } else if (options_.auth == RegistryAuth::token) {
    TokenServerOptions token = options_.token;
    token.username = options_.username;
    token.password = options_.password;
    token_server_ = std::make_unique<TokenServer>(token);
    token_server_->write_root_cert(dir_ / "token-root.pem");
  }
  if (options_.tls) {
    TestCa ca("sigil test registry CA");
    PemPair server = ca.issue_server({"127.0.0.1", "localhost"});
    write_text_file(dir_ / "ca.pem", ca.cert_pem());
    write_text_file(dir_ / "server.pem", server.cert_pem);
    write_text_file(dir_ / "server.key", server.key_pem);
  }
  std::string why;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (start_once(why)) return;
  }
  failure_ = "docker-registry did not start: " + why;
}

RegistryServer::~RegistryServer() { stop(); }

std::string RegistryServer::basic_authorization() const {
  return "Basic " + base64_encode(options_.username + ":" + options_.password);
}

std::string RegistryServer::log() const { return read_text(dir_ / "registry.log"); }

void RegistryServer::write_config() const {
  std::ofstream out(dir_ / "config.yml");
  out << "version: 0.1\n"
         "log:\n"
         "  level: error\n"
         "  accesslog:\n"
         "    disabled: true\n"
         "storage:\n"
         "  filesystem:\n"
         "    rootdirectory: " << storage_dir().string() << "\n"
         "  delete:\n"
         "    enabled: true\n"
         "  maintenance:\n"
         "    uploadpurging:\n"
         "      enabled: false\n"
         "http:\n"
         "  addr: 127.0.0.1:" << port_ << "\n"
         "  secret: sigil-test-http-secret\n";
  if (options_.tls) {
    out << "  tls:\n"
           "    certificate: " << (dir_ / "server.pem").string() << "\n"
           "    key: " << (dir_ / "server.key").string() << "\n";
  }
  if (options_.auth == RegistryAuth::basic) {
    out << "auth:\n"
           "  htpasswd:\n"
           "    realm: sigil-test-registry\n"
           "    path: " << (dir_ / "htpasswd").string() << "\n";
  } else if (options_.auth == RegistryAuth::token) {
    out << "auth:\n"
           "  token:\n"
           "    realm: " << token_server_->realm() << "\n"
           "    service: " << token_server_->options().service << "\n"
           "    issuer: " << token_server_->options().issuer << "\n"
           "    rootcertbundle: " << (dir_ / "token-root.pem").string() << "\n";
  }
}

bool RegistryServer::start_once(std::string& why) {
  port_ = free_port();
  if (port_ == 0) {
    why = "no free port on 127.0.0.1";
    return false;
  }
  write_config();
  pid_ = spawn_tied({binary(), "serve", (dir_ / "config.yml").string()}, dir_ / "registry.log");
  if (pid_ < 0) {
    why = "cannot run " + binary();
    return false;
  }
  http::ClientOptions client_options;
  client_options.connect_timeout_seconds = 1;
  client_options.low_speed_seconds = 5;
  client_options.ca_file = ca_file().string();
  http::Client client(client_options);
  http::Request ping;
  ping.url = base_url() + "/v2/";
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      why = "exited early: " + log();
      return false;
    }
    if (auto answer = client.send(ping); answer && answer->status > 0) return true;
    std::this_thread::sleep_for(50ms);
  }
  why = "GET /v2/ did not answer within 20 s: " + log();
  stop();
  return false;
}

void RegistryServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(20ms);
  }
  ::kill(pid_, SIGKILL);
  (void)wait_exit(pid_);
  pid_ = -1;
}

}  // namespace sigil::test
