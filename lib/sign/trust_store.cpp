#include "sign/trust_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <tuple>
#include <system_error>

#include "common/file.hpp"
#include "common/limits.hpp"

namespace sigil::sign {
namespace fs = std::filesystem;
namespace {

// Sigstore documents are small; the trusted root is well under the bundle limit, which keeps one
// limit for all of Sigstore's JSON.
constexpr std::size_t kMaxTrustFileBytes = limits::kMaxBundleBytes;

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

bool is_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

std::optional<fs::path> executable_dir() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  return exe.parent_path();
}

// The directories searched, in order, for a file to read.
std::vector<fs::path> read_dirs(const DataDirs& dirs) {
  if (dirs.override_dir) return {*dirs.override_dir};
  std::vector<fs::path> out;
  if (dirs.user_dir) out.push_back(*dirs.user_dir);
  if (dirs.installed_dir) out.push_back(*dirs.installed_dir);
  return out;
}

Result<std::string> read_named(std::string_view name, std::string_view what) {
  auto path = find_data_file(name);
  if (!path) return std::unexpected(path.error().with_context(what));
  auto bytes = read_file(*path, kMaxTrustFileBytes);
  if (!bytes) return std::unexpected(bytes.error().with_context(what));
  return bytes;
}

// An optional file: empty when missing, an error only when it exists and cannot be read.
Result<std::string> read_if_present(const fs::path& path, std::size_t max) {
  if (!is_file(path)) return std::string();
  return read_file(path, max);
}

// flock on the data directory itself, so concurrent updates do not interleave their rollback
// checks and writes, without creating a lock file (an update that fails changes nothing).
class DirLock {
 public:
  explicit DirLock(const fs::path& dir) : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_;
};

Result<void> write_if_changed(const fs::path& path, const std::string& bytes, const std::string& old) {
  if (bytes == old && is_file(path)) return {};
  return write_file_atomic(path, bytes);
}

}  // namespace

DataDirs data_dirs() {
  DataDirs dirs;
  if (auto d = env("SIGIL_DATA_DIR")) dirs.override_dir = fs::path(*d);
  if (auto xdg = env("XDG_DATA_HOME")) {
    dirs.user_dir = fs::path(*xdg) / "sigil";
  } else if (auto home = env("HOME")) {
    dirs.user_dir = fs::path(*home) / ".local" / "share" / "sigil";
  }
  if (auto exe = executable_dir()) {
    for (const auto& candidate : {*exe / ".." / "share" / "sigil", *exe / "share" / "sigil"}) {
      std::error_code ec;
      if (fs::is_directory(candidate, ec)) {
        dirs.installed_dir = candidate.lexically_normal();
        break;
      }
    }
  }
  return dirs;
}

Result<fs::path> writable_data_dir() {
  auto dirs = data_dirs();
  if (dirs.override_dir) return *dirs.override_dir;
  if (dirs.user_dir) return *dirs.user_dir;
  return fail(ErrorCategory::input, "no data directory: set SIGIL_DATA_DIR, XDG_DATA_HOME or HOME");
}

Result<fs::path> find_data_file(std::string_view name) {
  std::string tried;
  for (const auto& dir : read_dirs(data_dirs())) {
    auto path = dir / name;
    if (is_file(path)) return path;
    tried += (tried.empty() ? "" : ", ") + path.string();
  }
  if (tried.empty()) return fail(ErrorCategory::input, std::string(name) + ": no data directory (set SIGIL_DATA_DIR)");
  return fail(ErrorCategory::input, std::string(name) + " not found (tried " + tried + ")");
}

Result<std::string> read_default_trusted_root() { return read_named(kTrustedRootFile, "default trusted root"); }

Result<std::string> read_default_signing_config() {
  return read_named(kSigningConfigFile, "default signing config");
}

tuf::Fetch http_fetch(http::Client& client) {
  return [&client](const std::string& url, std::size_t max_bytes) -> Result<std::optional<std::string>> {
    http::Request request;
    request.url = url;
    request.max_body = max_bytes;
    auto response = client.send(request);
    if (!response) return std::unexpected(response.error());
    if (response->status == 404 || response->status == 403) return std::optional<std::string>();
    if (response->status != 200) {
      return fail(ErrorCategory::network, "GET " + url + ": HTTP " + std::to_string(response->status));
    }
    return std::optional<std::string>(std::move(response->body));
  };
}

Result<TrustUpdateReport> update_trust(std::string_view mirror, const tuf::Fetch& fetch, tuf::Time now) {
  auto dirs = data_dirs();
  auto dir = writable_data_dir();
  if (!dir) return std::unexpected(dir.error());
  std::error_code ec;
  std::unique_ptr<DirLock> lock;
  if (fs::is_directory(*dir, ec)) lock = std::make_unique<DirLock>(*dir);
  const fs::path tuf_dir = *dir / kTufDir;

  // The trust anchor: this directory's TUF root, else (for the user's directory) the installed one.
  tuf::TrustedMetadata trusted;
  fs::path root_path = tuf_dir / "root.json";
  if (!is_file(root_path) && !dirs.override_dir && dirs.installed_dir) {
    root_path = *dirs.installed_dir / kTufDir / "root.json";
  }
  if (!is_file(root_path)) {
    return fail(ErrorCategory::input, "trust update: no TUF root.json (tried " + root_path.string() + ")");
  }
  tuf::FetchLimits limits;
  auto root = read_file(root_path, limits.root);
  if (!root) return std::unexpected(root.error().with_context("trust update"));
  trusted.root = std::move(*root);
  struct Local {
    const char* name;
    std::size_t max;
    std::string* into;
  };
  for (const Local& local : {Local{"timestamp.json", limits.timestamp, &trusted.timestamp},
                             Local{"snapshot.json", limits.snapshot, &trusted.snapshot},
                             Local{"targets.json", limits.targets, &trusted.targets}}) {
    auto bytes = read_if_present(tuf_dir / local.name, local.max);
    if (!bytes) return std::unexpected(bytes.error().with_context("trust update"));
    *local.into = std::move(*bytes);
  }
  std::string old_root_in_dir;
  if (auto bytes = read_if_present(tuf_dir / "root.json", limits.root); bytes) old_root_in_dir = std::move(*bytes);

  // The targets as sigil reads them now (so "changed" means what a verification will see).
  std::vector<tuf::WantedTarget> wanted;
  for (auto [name, required] : {std::pair{kTrustedRootFile, true}, std::pair{kSigningConfigFile, false}}) {
    tuf::WantedTarget want{std::string(name), std::nullopt, required};
    if (auto path = find_data_file(name); path) {
      if (auto bytes = read_file(*path, kMaxTrustFileBytes); bytes) want.current = std::move(*bytes);
    }
    wanted.push_back(std::move(want));
  }

  tuf::UpdateOptions options;
  options.mirror = std::string(mirror);
  options.now = now;
  auto result = tuf::update(trusted, wanted, options, fetch);
  if (!result) return std::unexpected(result.error().with_context("trust update from " + std::string(mirror)));

  // Everything verified: now the files. Targets first and the root last, so an interruption
  // leaves verified targets under older metadata, which the next update simply repeats.
  fs::create_directories(tuf_dir, ec);
  if (ec) return fail(ErrorCategory::internal, "trust update: create " + tuf_dir.string() + ": " + ec.message());
  if (!lock) lock = std::make_unique<DirLock>(*dir);
  TrustUpdateReport report;
  report.data_dir = *dir;
  for (const auto& target : result->targets) {
    auto path = *dir / target.name;
    std::string in_dir;
    if (auto bytes = read_if_present(path, kMaxTrustFileBytes); bytes) in_dir = std::move(*bytes);
    if (auto ok = write_if_changed(path, target.bytes, in_dir); !ok) return std::unexpected(ok.error().with_context("trust update"));
    (target.changed ? report.updated_targets : report.unchanged_targets).push_back(target.name);
  }
  const auto& meta = result->metadata;
  for (const auto& [name, bytes, old] :
       {std::tuple{"targets.json", &meta.targets, &trusted.targets},
        std::tuple{"snapshot.json", &meta.snapshot, &trusted.snapshot},
        std::tuple{"timestamp.json", &meta.timestamp, &trusted.timestamp},
        std::tuple{"root.json", &meta.root, &old_root_in_dir}}) {
    if (auto ok = write_if_changed(tuf_dir / name, *bytes, *old); !ok) return std::unexpected(ok.error().with_context("trust update"));
  }
  report.old_root_version = result->old_root_version;
  report.new_root_version = result->new_root_version;
  report.timestamp_version = result->timestamp_version;
  report.snapshot_version = result->snapshot_version;
  report.targets_version = result->targets_version;
  return report;
}

}  // namespace sigil::sign
