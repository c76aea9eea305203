// Running programs from e2e and interop tests: the built sigil binary (SIGIL_BINARY) or a peer
// tool (skopeo, umoci), capturing exit code, stdout and stderr, with a timeout.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

extern char** environ;

namespace sigil::test {

/// What a program did.
struct RunResult {
  int exit_code = -1;  ///< -1 when it could not start, 128+N when killed by signal N
  std::string out;
  std::string err;
  long max_rss_kib = 0;  ///< peak resident set size of the program

  /// "exit N, stderr: ..." for assertion messages.
  [[nodiscard]] std::string describe() const { return "exit " + std::to_string(exit_code) + ", stdout: " + out + ", stderr: " + err; }
  /// Lines of stderr (without the final newline).
  [[nodiscard]] std::size_t stderr_lines() const {
    std::size_t n = 0;
    for (char c : err) n += c == '\n';
    if (!err.empty() && err.back() != '\n') ++n;
    return n;
  }
};

/// Runs `argv` (argv[0] looked up on PATH when it has no '/'), stdin from /dev/null, killing it
/// after `timeout`. `env_extra` entries ("NAME=value") are added to the environment.
inline RunResult run_program(const std::vector<std::string>& argv,
                             std::chrono::seconds timeout = std::chrono::seconds(120),
                             const std::vector<std::string>& env_extra = {}) {
  RunResult result;
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe(out_pipe) != 0) return result;
  if (::pipe(err_pipe) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    bool overridden = false;
    for (const auto& x : env_extra) overridden = overridden || entry.substr(0, entry.find('=') + 1) == x.substr(0, x.find('=') + 1);
    if (!overridden) env_strings.push_back(std::move(entry));
  }
  for (const auto& e : env_extra) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> c_args;
  for (auto& a : args) c_args.push_back(a.data());
  c_args.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, c_args[0], &actions, nullptr, c_args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    result.err = "cannot start " + argv[0] + ": " + std::error_code(rc, std::generic_category()).message();
    return result;
  }

  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  bool killed = false;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 && !killed) {
      ::kill(pid, SIGKILL);
      killed = true;
      result.err += "\n[run_program: killed after timeout]";
    }
    int ready = ::poll(fds, 2, killed ? 1000 : static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buffer[65536];
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  struct rusage usage {};
  while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  result.max_rss_kib = usage.ru_maxrss;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  return result;
}

/// Runs the sigil binary under test with `args`.
inline RunResult run_sigil(const std::vector<std::string>& args,
                           std::chrono::seconds timeout = std::chrono::seconds(120),
                           const std::vector<std::string>& env_extra = {}) {
  std::vector<std::string> argv{SIGIL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, timeout, env_extra);
}

/// "oci:DIR:TAG" for a layout path.
inline std::string layout_ref(const std::filesystem::path& dir, const std::string& tag = "latest") {
  return "oci:" + dir.string() + ":" + tag;
}

/// True when `name` is an executable on PATH.
inline bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string p = path;
  std::size_t start = 0;
  while (start <= p.size()) {
    std::size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::filesystem::path candidate = std::filesystem::path(p.substr(start, end - start)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace sigil::test
