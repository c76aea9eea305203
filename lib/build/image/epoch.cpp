#include "build/image/epoch.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <vector>

extern char** environ;

namespace sigil::build {
namespace {

// Runs git with stdin/stderr on /dev/null and returns its stdout, or nullopt on any failure:
// git facts are optional, so a missing git or a non-checkout is not an error.
std::optional<std::string> run_git(const std::vector<std::string>& git_args) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return std::nullopt;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::string program = "git";
  std::vector<std::string> args = git_args;
  std::vector<char*> argv{program.data()};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, "git", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    return std::nullopt;
  }
  std::string out;
  char buffer[4096];
  while (true) {
    ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      if (out.size() < 65536) out.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// "https://user:token@host/x" → "https://host/x": credentials never reach an annotation.
std::string strip_credentials(std::string url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto host_start = scheme + 3;
  auto slash = url.find('/', host_start);
  auto at = url.rfind('@', slash == std::string::npos ? url.size() : slash);
  if (at != std::string::npos && at >= host_start) url.erase(host_start, at + 1 - host_start);
  return url;
}

}  // namespace

std::optional<GitInfo> git_info(const std::filesystem::path& context) {
  auto head = run_git({"-C", context.string(), "log", "-1", "--format=%H %ct"});
  if (!head || head->empty()) return std::nullopt;
  auto space = head->find(' ');
  if (space == std::string::npos) return std::nullopt;
  GitInfo info;
  info.revision = head->substr(0, space);
  auto t = parse_epoch(std::string_view(*head).substr(space + 1), "git commit time");
  if (!t) return std::nullopt;
  info.commit_time = *t;
  if (auto url = run_git({"-C", context.string(), "config", "--get", "remote.origin.url"})) {
    info.source = strip_credentials(*url);
  }
  if (auto branch = run_git({"-C", context.string(), "symbolic-ref", "-q", "HEAD"}); branch && !branch->empty()) {
    info.ref = *branch;
  } else if (auto tag = run_git({"-C", context.string(), "describe", "--tags", "--exact-match", "HEAD"});
             tag && !tag->empty()) {
    info.ref = "refs/tags/" + *tag;
  }
  return info;
}

Result<std::int64_t> parse_epoch(std::string_view text, std::string_view what) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0 || value >= 253402300800) {
    return fail(ErrorCategory::input, std::string(what) + ": invalid epoch \"" + std::string(text) +
                                          "\": expected seconds since 1970 (a non-negative integer)");
  }
  return value;
}

Result<std::int64_t> resolve_epoch(const std::optional<std::string>& flag, const std::optional<GitInfo>& git) {
  if (flag) return parse_epoch(*flag, "--source-date-epoch");
  if (const char* env = std::getenv("SOURCE_DATE_EPOCH"); env != nullptr && *env != '\0') {
    return parse_epoch(env, "SOURCE_DATE_EPOCH");
  }
  if (git) return git->commit_time;
  return std::int64_t{0};
}

std::string rfc3339(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace sigil::build
