#include "oci/detail/registry_credentials.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/base64.hpp"
#include "common/file.hpp"
#include "common/json.hpp"
#include "common/limits.hpp"

extern char** environ;

namespace sigil::oci::detail {
namespace {

bool is_docker_hub(const std::string& registry) {
  return registry == "docker.io" || registry == "index.docker.io" || registry == "registry-1.docker.io";
}

// "https://host:port/v1/" → "host:port": how docker compares config keys with a registry.
std::string key_host(std::string_view key) {
  if (key.starts_with("https://")) key.remove_prefix(8);
  else if (key.starts_with("http://")) key.remove_prefix(7);
  if (auto slash = key.find('/'); slash != std::string_view::npos) key = key.substr(0, slash);
  return std::string(key);
}

// The server URL handed to credential helpers: what `docker login` stored.
std::string helper_server_url(const std::string& registry) {
  return is_docker_hub(registry) ? std::string("https://index.docker.io/v1/") : registry;
}

struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

Result<std::optional<BasicCredentials>> credentials_from_auth_entry(const Json& entry, const std::string& key,
                                                                   const std::filesystem::path& config) {
  std::string what = config.string() + ": auths[\"" + key + "\"]";
  if (!entry.is_object()) return fail(ErrorCategory::input, what + ": not an object");
  auto auth = json_string_member(entry, "auth", what);
  if (!auth) return std::unexpected(auth.error());
  if (!auth->empty()) {
    auto decoded = base64_decode(*auth);
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (!decoded || colon == std::string::npos) {
      return fail(ErrorCategory::input, what + ": \"auth\" is not base64 of user:password");
    }
    return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
  }
  auto user = json_string_member(entry, "username", what);
  if (!user) return std::unexpected(user.error());
  auto pass = json_string_member(entry, "password", what);
  if (!pass) return std::unexpected(pass.error());
  if (!user->empty() && !pass->empty()) return BasicCredentials{*user, *pass};
  // An "identitytoken" alone needs the OAuth2 refresh-token grant, which sigil does not do:
  // the entry is ignored (anonymous) rather than sent as a password where it would fail.
  return std::optional<BasicCredentials>();
}

}  // namespace

std::filesystem::path docker_config_dir(const std::filesystem::path& dir) {
  if (!dir.empty()) return dir;
  if (const char* env = std::getenv("DOCKER_CONFIG"); env != nullptr && *env != '\0') return env;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".docker";
  }
  return {};
}

std::vector<std::string> credential_keys(const std::string& registry) {
  std::vector<std::string> hosts;
  if (is_docker_hub(registry)) {
    return {"https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io",
            "https://index.docker.io", "https://registry-1.docker.io", "https://docker.io"};
  }
  return {registry, "https://" + registry, "http://" + registry};
}

Result<std::optional<BasicCredentials>> run_credential_helper(const std::string& helper,
                                                             const std::string& server_url) {
  std::string program = "docker-credential-" + helper;
  std::string what = program + " get";
  int in_pipe[2];
  int out_pipe[2];
  // stdin is a socket pair so the write below can use MSG_NOSIGNAL: a helper exiting without
  // reading must not kill us with SIGPIPE, and changing the process signal mask is not ours to do.
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pipe) != 0) return std::unexpected(errno_error(ErrorCategory::internal, what, errno));
  Fd in_read{in_pipe[0]}, in_write{in_pipe[1]};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return std::unexpected(errno_error(ErrorCategory::internal, what, errno));
  Fd out_read{out_pipe[0]}, out_write{out_pipe[1]};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.fd, 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::string arg0 = program;
  std::string arg1 = "get";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc == ENOENT) return std::optional<BasicCredentials>();  // helper not installed: anonymous
  if (rc != 0) return std::unexpected(errno_error(ErrorCategory::input, what, rc));
  in_read.reset();
  out_write.reset();

  // The URL is tiny (fits the socket buffer), so writing it before reading cannot deadlock. A
  // helper that exits without reading gives EPIPE, which is ignored: its answer decides.
  (void)!::send(in_write.fd, server_url.data(), server_url.size(), MSG_NOSIGNAL);
  in_write.reset();

  std::string output;
  char buffer[4096];
  bool too_long = false;
  while (true) {
    ssize_t n = ::read(out_read.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (output.size() + static_cast<std::size_t>(n) > limits::kMaxDockerConfigBytes) {
      too_long = true;
      break;
    }
    output.append(buffer, static_cast<std::size_t>(n));
  }
  out_read.reset();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_long) return fail(ErrorCategory::input, what + ": answer larger than the limit");
  bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok) {
    if (output.find("credentials not found") != std::string::npos) return std::optional<BasicCredentials>();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return std::optional<BasicCredentials>();
    std::string msg = output.substr(0, output.find('\n'));
    return fail(ErrorCategory::input, what + " for " + server_url + " failed" + (msg.empty() ? "" : ": " + msg));
  }
  auto j = parse_json(output, what + " answer");
  if (!j) return std::unexpected(j.error());
  auto user = json_string_member(*j, "Username", what + " answer");
  if (!user) return std::unexpected(user.error());
  auto secret = json_string_member(*j, "Secret", what + " answer");
  if (!secret) return std::unexpected(secret.error());
  // "<token>" marks an identity token (OAuth2 refresh token), which sigil does not exchange.
  if (*user == "<token>" || secret->empty()) return std::optional<BasicCredentials>();
  return BasicCredentials{*user, *secret};
}

Result<std::optional<BasicCredentials>> lookup_credentials(const std::string& registry,
                                                          const std::filesystem::path& config_dir) {
  std::filesystem::path dir = docker_config_dir(config_dir);
  if (dir.empty()) return std::optional<BasicCredentials>();
  std::filesystem::path config = dir / "config.json";
  std::error_code ec;
  if (!std::filesystem::exists(config, ec)) return std::optional<BasicCredentials>();
  auto text = read_file(config, limits::kMaxDockerConfigBytes);
  if (!text) return std::unexpected(text.error());
  auto j = parse_json(*text, config.string());
  if (!j) return std::unexpected(j.error());
  if (!j->is_object()) return fail(ErrorCategory::input, config.string() + ": not a JSON object");

  std::vector<std::string> keys = credential_keys(registry);
  const Json& root = *j;
  if (root.contains("credHelpers") && root["credHelpers"].is_object()) {
    const Json& helpers = root["credHelpers"];
    for (const auto& key : keys) {
      if (helpers.contains(key) && helpers[key].is_string()) {
        return run_credential_helper(helpers[key].get<std::string>(), helper_server_url(registry));
      }
    }
  }
  if (root.contains("auths") && root["auths"].is_object()) {
    const Json& auths = root["auths"];
    // Exact spellings first, then any key naming the same host with another scheme or path.
    for (const auto& key : keys) {
      if (!auths.contains(key)) continue;
      auto creds = credentials_from_auth_entry(auths[key], key, config);
      if (!creds || *creds) return creds;
    }
    std::string host = is_docker_hub(registry) ? std::string("index.docker.io") : registry;
    for (const auto& [key, entry] : auths.items()) {
      if (key_host(key) != host) continue;
      auto creds = credentials_from_auth_entry(entry, key, config);
      if (!creds || *creds) return creds;
    }
  }
  auto store = json_string_member(*j, "credsStore", config.string());
  if (!store) return std::unexpected(store.error());
  if (!store->empty()) return run_credential_helper(*store, helper_server_url(registry));
  return std::optional<BasicCredentials>();
}

}  // namespace sigil::oci::detail
