// ADD <git ref>: BuildKit's source/git (ls-remote, shallow fetch, checkout) redone with the git
// CLI, spawned with an argv (never a shell) in a private directory and a clean environment.
#include "build/exec/detail/git_source.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <vector>

#include "build/context/build_context.hpp"
#include "common/file.hpp"

extern char** environ;

namespace sigil::build::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxGitOutput = 16 * 1024 * 1024;

bool is_scheme_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Lower-cased "scheme" of "scheme://…" (BuildKit's protoRegexp `^[a-zA-Z0-9]+://`), or "".
std::string scheme_of(std::string_view s) {
  auto sep = s.find("://");
  if (sep == std::string_view::npos || sep == 0) return {};
  std::string scheme;
  for (char c : s.substr(0, sep)) {
    if (!is_scheme_char(c)) return {};
    scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return scheme;
}

// "user@host:path" as BuildKit's sshutil recognises scp-style URLs.
bool is_scp_style(std::string_view s) {
  auto at = s.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  for (char c : s.substr(0, at)) {
    if (!is_scheme_char(c) && c != '-' && c != '_') return false;
  }
  auto colon = s.find(':', at + 1);
  if (colon == std::string_view::npos || colon == at + 1) return false;
  for (char c : s.substr(at + 1, colon - at - 1)) {
    if (!is_scheme_char(c) && c != '-' && c != '.') return false;
  }
  return true;
}

// "https://user:token@host/x" → "https://host/x": credentials never reach errors or provenance.
std::string redact(std::string url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto host_start = scheme + 3;
  auto end = url.find_first_of("/?#", host_start);
  auto at = url.rfind('@', end == std::string::npos ? url.size() : end);
  if (at != std::string::npos && at >= host_start) url.erase(host_start, at + 1 - host_start);
  return url;
}

// What one git run did.
struct GitRun {
  int status = -1;  // exit status, or -1 when killed
  std::string out;
  std::string err;  // the last "fatal:"/"error:" line, or the last line, of stderr
};

// The environment git runs in: no system or user configuration, no prompts, the caller's PATH
// and proxies (and ssh agent), nothing else.
std::vector<std::string> clean_environment(const fs::path& home) {
  std::vector<std::string> env{
      "HOME=" + home.string(),
      "XDG_CONFIG_HOME=" + (home / ".config").string(),
      "GIT_CONFIG_NOSYSTEM=1",
      "GIT_CONFIG_GLOBAL=/dev/null",
      "GIT_TERMINAL_PROMPT=0",
      "GIT_ASKPASS=/bin/false",
      "SSH_ASKPASS=/bin/false",
      "GIT_SSH_COMMAND=ssh -o BatchMode=yes",
      "LC_ALL=C",
  };
  const char* path = std::getenv("PATH");
  env.push_back(std::string("PATH=") + (path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin"));
  for (const char* name : {"http_proxy", "https_proxy", "no_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                           "NO_PROXY", "ALL_PROXY", "SSH_AUTH_SOCK"}) {
    if (const char* v = std::getenv(name); v != nullptr) env.push_back(std::string(name) + "=" + v);
  }
  return env;
}

// The line of git's stderr that says what went wrong.
std::string last_error_line(const std::string& text) {
  std::string fallback;
  std::string fatal;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    // "fatal: unable to connect to host:" puts the reason on the next line.
    if (!fatal.empty() && fatal.back() == ':' && fallback.back() == ':') {
      fatal += " " + line;
      fallback = line;
      continue;
    }
    fallback = line;
    if (line.starts_with("fatal: ") || line.starts_with("error: ")) fatal = line.substr(7);
  }
  return fatal.empty() ? fallback : fatal;
}

// Runs git with `args`; stdout captured (up to a limit), stderr kept in a file of `dir`.
Result<GitRun> run_git(const std::vector<std::string>& args, const std::vector<std::string>& env,
                       const fs::path& dir) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return fail(ErrorCategory::internal, "git: pipe failed");
  fs::path err_path = dir / "git-stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::string program = "git";
  std::vector<std::string> arg_copy = args;
  std::vector<char*> argv{program.data()};
  for (auto& a : arg_copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_copy = env;
  std::vector<char*> envp;
  for (auto& e : env_copy) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, "git", &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    return fail(ErrorCategory::internal, "cannot run git (install the git package): " + std::error_code(rc, std::generic_category()).message());
  }
  GitRun run;
  char buffer[8192];
  while (true) {
    ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      if (run.out.size() < kMaxGitOutput) run.out.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = last_error_line(read_file(err_path, 1 << 20).value_or(""));
  return run;
}

// A failed transfer: unreachable remotes (and anything not clearly a missing repository) are
// network errors; a repository the server says does not exist is an input error.
Error transfer_error(const std::string& what, const GitRun& run) {
  static constexpr std::string_view kMissing[] = {"not found", "does not exist", "not exported",
                                                  "does not appear to be a git repository", "error: 404"};
  for (auto m : kMissing) {
    if (run.err.find(m) != std::string::npos) return Error{ErrorCategory::input, what + ": " + run.err};
  }
  return Error{ErrorCategory::network, what + ": " + (run.err.empty() ? "git failed" : run.err)};
}

// git's umask-022 modes from whatever the process umask gave: group and others get the
// owner's read and execute bits, only the owner writes (0644, 0755, 0444 for objects).
std::uint32_t umask_022(std::uint32_t mode) {
  std::uint32_t owner = (mode >> 6) & 7;
  return (owner << 6) | ((owner & 5) << 3) | (owner & 5);
}

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return !s.empty();
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One "sha\trefname" line of ls-remote.
struct RemoteRef {
  std::string sha;
  std::string name;
};

std::vector<RemoteRef> parse_ls_remote(const std::string& out) {
  std::vector<RemoteRef> refs;
  std::size_t start = 0;
  while (start < out.size()) {
    auto end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    start = end + 1;
    auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    refs.push_back(RemoteRef{line.substr(0, tab), line.substr(tab + 1)});
  }
  return refs;
}

// The ref a name selects, as BuildKit's ls-remote pattern does (first match, refs/heads/
// before refs/tags/), preferring an exact full name.
std::optional<RemoteRef> select_ref(const std::vector<RemoteRef>& refs, const std::string& name) {
  for (const auto& candidate : {name, "refs/heads/" + name, "refs/tags/" + name}) {
    for (const auto& r : refs) {
      if (r.name == candidate) return r;
    }
  }
  for (const auto& r : refs) {
    if (!r.name.ends_with("^{}") && r.name.ends_with("/" + name)) return r;
  }
  return std::nullopt;
}

}  // namespace

bool is_commit_sha(std::string_view text) {
  if (text.size() != 40) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::optional<GitSourceRef> parse_git_source(std::string_view source) {
  if (source.starts_with("./") || source.starts_with("../")) return std::nullopt;
  std::string_view fragment;
  std::string_view remote = source;
  if (auto hash = source.find('#'); hash != std::string_view::npos) {
    remote = source.substr(0, hash);
    fragment = source.substr(hash + 1);
  }
  std::string scheme = scheme_of(remote);
  if (!scheme.empty()) {
    if (scheme != "http" && scheme != "https" && scheme != "ssh" && scheme != "git") return std::nullopt;
    // The query is not part of the remote (BuildKit strips it).
    remote = remote.substr(0, remote.find('?'));
    if (scheme == "http" || scheme == "https") {
      auto rest = remote.substr(scheme.size() + 3);
      auto slash = rest.find('/');
      std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
      if (!path.ends_with(".git")) return std::nullopt;
    }
  } else if (!is_scp_style(remote)) {
    return std::nullopt;
  }
  GitSourceRef out;
  out.remote = std::string(remote);
  auto colon = fragment.find(':');
  out.ref = std::string(fragment.substr(0, colon));
  if (colon != std::string_view::npos) out.subdir = clean_relative_path(fragment.substr(colon + 1));
  return out;
}

Result<GitCheckout> fetch_git_source(const std::string& source, const GitSourceRef& ref,
                                     const GitFetchOptions& options, const fs::path& scratch) {
  const std::string what = "ADD " + redact(source);
  auto input_error = [&](const std::string& message) { return fail(ErrorCategory::input, what + ": " + message); };
  if (ref.ref.starts_with("-") || ref.ref.find("..") != std::string::npos || ref.ref.find_first_of(" \t~^:?*[\\") != std::string::npos) {
    return input_error("invalid ref \"" + ref.ref + "\"");
  }
  std::string checksum = lower(options.checksum);
  if (!checksum.empty() && (!is_hex(checksum) || checksum.size() > 40)) {
    return input_error("invalid --checksum \"" + options.checksum + "\": expected a commit sha (hex)");
  }

  fs::path home = scratch / "home";
  fs::path repo = scratch / "repo.git";
  fs::path work = scratch / "checkout";
  std::error_code ec;
  fs::create_directories(home, ec);
  if (ec) return fail(ErrorCategory::internal, what + ": create " + home.string() + ": " + ec.message());
  const auto env = clean_environment(home);
  auto git = [&](std::vector<std::string> args) { return run_git(args, env, scratch); };
  auto must = [&](std::vector<std::string> args, const std::string& step) -> Result<GitRun> {
    auto run = git(std::move(args));
    if (!run) return std::unexpected(run.error());
    if (run->status != 0) return fail(ErrorCategory::internal, what + ": git " + step + ": " + run->err);
    return run;
  };
  const std::string git_dir = "--git-dir=" + repo.string();
  if (auto r = must({"-c", "init.defaultBranch=master", "init", "-q", "--bare", repo.string()}, "init"); !r) {
    return std::unexpected(r.error());
  }
  // One thread: the pack the keep-git-dir fetch below receives is then the same every time.
  if (auto r = must({git_dir, "config", "pack.threads", "1"}, "config"); !r) return std::unexpected(r.error());

  // Resolve the name to a full ref (and the sha it names) with ls-remote, as BuildKit does.
  std::string full_ref;   // "refs/heads/main", "refs/tags/v1"; "" for a commit
  std::string ref_sha;    // what the ref names: a commit, or an annotated tag object
  std::string short_ref = ref.ref;
  if (is_commit_sha(ref.ref)) {
    ref_sha = ref.ref;
  } else {
    std::vector<std::string> args{"ls-remote"};
    if (ref.ref.empty()) args.push_back("--symref");
    args.insert(args.end(), {"--", ref.remote, ref.ref.empty() ? "HEAD" : ref.ref});
    auto listed = git(args);
    if (!listed) return std::unexpected(listed.error());
    if (listed->status != 0) return std::unexpected(transfer_error(what, *listed));
    auto refs = parse_ls_remote(listed->out);
    if (ref.ref.empty()) {
      for (const auto& r : refs) {
        if (r.sha.starts_with("ref: refs/heads/") && r.name == "HEAD") full_ref = r.sha.substr(5);
      }
      if (full_ref.empty()) return input_error("could not find the default branch of the repository");
      short_ref = full_ref.substr(11);
      for (const auto& r : refs) {
        if (r.name == "HEAD" && is_commit_sha(r.sha)) ref_sha = r.sha;
      }
    } else {
      auto selected = select_ref(refs, ref.ref);
      if (!selected) return input_error("repository does not contain ref " + ref.ref);
      full_ref = selected->name;
      ref_sha = selected->sha;
    }
  }

  // Fetch: a shallow fetch of the ref; for a commit, try it alone, then every branch and tag.
  std::string local_ref = full_ref.empty() ? ref_sha : "refs/tags/" + short_ref;
  std::vector<std::string> fetch{git_dir, "fetch", "-q", "--no-tags", "--depth=1", "--", ref.remote};
  fetch.push_back(full_ref.empty() ? ref_sha : "+" + full_ref + ":" + local_ref);
  auto fetched = git(fetch);
  if (!fetched) return std::unexpected(fetched.error());
  if (fetched->status != 0 && full_ref.empty()) {
    fetched = git({git_dir, "fetch", "-q", "--no-tags", "--", ref.remote, "+refs/heads/*:refs/remotes/origin/*",
                   "+refs/tags/*:refs/tags/*"});
    if (!fetched) return std::unexpected(fetched.error());
  }
  if (fetched->status != 0) return std::unexpected(transfer_error(what, *fetched));
  auto peeled = git({git_dir, "rev-parse", "-q", "--verify", local_ref + "^{commit}"});
  if (!peeled) return std::unexpected(peeled.error());
  std::string commit = peeled->out.substr(0, peeled->out.find('\n'));
  if (peeled->status != 0 || !is_commit_sha(commit)) {
    return input_error("repository does not contain commit " + ref.ref);
  }

  // --checksum: a prefix of the commit, or of the annotated tag's own sha (BuildKit).
  if (!checksum.empty() && !commit.starts_with(checksum) && !(ref_sha != commit && ref_sha.starts_with(checksum))) {
    return input_error("expected checksum to match " + options.checksum + ", got " + commit);
  }

  // Check out. With --keep-git-dir (and no SUBDIR, as BuildKit), a repository of its own
  // fetched from ours, HEAD detached at the commit; else the bare tree.
  fs::create_directories(work, ec);
  if (ec) return fail(ErrorCategory::internal, what + ": create " + work.string() + ": " + ec.message());
  bool keep = options.keep_git_dir && ref.subdir.empty();
  if (keep) {
    const std::string in_work = "-C";
    if (auto r = must({"-c", "init.defaultBranch=master", "init", "-q", work.string()}, "init"); !r) {
      return std::unexpected(r.error());
    }
    std::string pull = full_ref.empty() ? local_ref : local_ref + ":" + local_ref;
    if (full_ref.empty()) {
      local_ref = "refs/sigil/commit";
      pull = local_ref;
      if (auto r = must({git_dir, "update-ref", local_ref, commit}, "update-ref"); !r) return std::unexpected(r.error());
    }
    for (const auto& step : std::vector<std::vector<std::string>>{
             {in_work, work.string(), "-c", "protocol.file.allow=always", "fetch", "-q", "-u", "--no-tags", "--depth=1",
              "file://" + repo.string(), pull},
             {in_work, work.string(), "-c", "advice.detachedHead=false", "checkout", "-q", commit},
             {in_work, work.string(), "remote", "add", "origin", redact(ref.remote)},
             {in_work, work.string(), "reflog", "expire", "--all", "--expire=now"},
             // The index of a checkout holds file times and inode numbers: read-tree writes
             // it again without them, so the layer does not depend on when it was cloned.
             {in_work, work.string(), "read-tree", commit}}) {
      if (auto r = must(step, step[2] == "-c" ? step[4] : step[2]); !r) return std::unexpected(r.error());
    }
    fs::remove(work / ".git" / "FETCH_HEAD", ec);
  } else {
    const std::string work_tree = "--work-tree=" + work.string();
    if (auto r = must({git_dir, work_tree, "-c", "core.bare=false", "read-tree", commit}, "read-tree"); !r) {
      return std::unexpected(r.error());
    }
    if (auto r = must({git_dir, work_tree, "-c", "core.bare=false", "checkout-index", "-a", "-f"}, "checkout-index");
        !r) {
      return std::unexpected(r.error());
    }
  }

  // Collect the tree (or SUBDIR) as a directory source.
  auto context = BuildContext::open(work, {});
  if (!context) return std::unexpected(context.error());
  ResolvedSource root{"", "", true};
  if (!ref.subdir.empty()) {
    auto resolved = context->resolve_source(ref.subdir);
    if (!resolved || resolved->size() != 1 || !(*resolved)[0].is_dir) {
      return input_error("subdirectory \"" + ref.subdir + "\" not found in " + (ref.ref.empty() ? short_ref : ref.ref));
    }
    root = (*resolved)[0];
  }
  auto collected = context->collect(root, options.excludes);
  if (!collected) return std::unexpected(collected.error());
  for (auto& e : collected->entries) {
    e.uid = e.gid = 0;
    if (e.type == EntryType::directory) {
      e.mode = 0755;
    } else if (e.type == EntryType::symlink) {
      e.mode = 0777;
    } else {
      e.mode = umask_022(e.mode);
    }
  }
  collected->is_dir = true;
  if (!collected->self) collected->self = LayerEntry{};
  collected->self->type = EntryType::directory;
  collected->self->mode = 0755;
  collected->self->uid = collected->self->gid = 0;

  GitCheckout out;
  out.source = std::move(*collected);
  out.commit = commit;
  out.uri = redact(source);
  return out;
}

}  // namespace sigil::build::detail
