// The checksum memo. Lookups cost one lstat; misses are read on up to two threads (hashing a
// cold context is the one pass over its bytes a build cannot avoid before it knows its keys).
#include "build/cache/checksum_memo.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>

#include "common/file.hpp"

namespace sigil::build {
namespace {

constexpr std::string_view kHeader = "sigil checksum memo v1\n";
constexpr std::size_t kReadChunk = 1 << 20;
constexpr std::size_t kMaxMemoBytes = std::size_t{512} << 20;
// Below this many bytes to read, a second thread costs more than it saves.
constexpr std::uint64_t kParallelBytes = 8 << 20;

std::int64_t to_ns(const struct timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + static_cast<std::int64_t>(t.tv_nsec);
}

// The clock the kernel stamps file times with (the coarse real-time clock), so a write after
// this moment never gets an mtime or ctime earlier than it (minus the file system's tick).
std::int64_t file_clock_now() {
  struct timespec t {};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &t);
  return to_ns(t);
}

template <class Stat>
Stat stat_of(const struct stat& st) {
  Stat s;
  s.size = static_cast<std::uint64_t>(st.st_size);
  s.mtime_ns = to_ns(st.st_mtim);
  s.ctime_ns = to_ns(st.st_ctim);
  s.inode = static_cast<std::uint64_t>(st.st_ino);
  s.device = static_cast<std::uint64_t>(st.st_dev);
  s.mode = static_cast<std::uint32_t>(st.st_mode);
  return s;
}

// Parses one unsigned/signed decimal field ending at a space; advances `text`.
template <class T>
std::optional<T> next_number(std::string_view& text) {
  const std::size_t space = text.find(' ');
  if (space == std::string_view::npos || space == 0 || space > 20) return std::nullopt;
  std::string field(text.substr(0, space));
  text.remove_prefix(space + 1);
  char* end = nullptr;
  errno = 0;
  T value{};
  if constexpr (std::is_signed_v<T>) {
    value = static_cast<T>(std::strtoll(field.c_str(), &end, 10));
  } else {
    if (field[0] == '-') return std::nullopt;
    value = static_cast<T>(std::strtoull(field.c_str(), &end, 10));
  }
  if (errno != 0 || end != field.c_str() + field.size()) return std::nullopt;
  return value;
}

}  // namespace

void ChecksumMemo::load(const std::filesystem::path& file) {
  auto text = read_file(file, kMaxMemoBytes);
  if (!text || !std::string_view(*text).starts_with(kHeader)) return;
  std::unordered_map<std::string, Record> loaded;
  std::string_view rest = std::string_view(*text).substr(kHeader.size());
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return;  // truncated: ignore the whole file
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    if (line.size() < 65 || line[64] != ' ') return;
    auto digest = oci::Digest::parse("sha256:" + std::string(line.substr(0, 64)));
    if (!digest) return;
    line.remove_prefix(65);
    Record r;
    auto size = next_number<std::uint64_t>(line);
    auto mtime = next_number<std::int64_t>(line);
    auto ctime = next_number<std::int64_t>(line);
    auto inode = next_number<std::uint64_t>(line);
    auto device = next_number<std::uint64_t>(line);
    auto mode = next_number<std::uint32_t>(line);
    if (!size || !mtime || !ctime || !inode || !device || !mode || line.empty() || line[0] != '/') return;
    r.stat = Stat{*size, *mtime, *ctime, *inode, *device, *mode};
    r.digest = std::move(*digest);
    loaded[std::string(line)] = std::move(r);
  }
  std::lock_guard lock(mutex_);
  for (auto& [path, record] : loaded) records_.try_emplace(path, std::move(record));
}

Result<oci::Digest> ChecksumMemo::hash_file(const FileToHash& file, std::int64_t started_ns) {
  const std::string& path = file.path.native();
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::unexpected(errno_error(ErrorCategory::input, "read " + path, errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat before {};
  if (::fstat(fd, &before) != 0) return std::unexpected(errno_error(ErrorCategory::input, "stat " + path, errno));
  if (!S_ISREG(before.st_mode)) return fail(ErrorCategory::input, path + ": not a regular file");
  files_read_.fetch_add(1);
  oci::Hasher hasher;
  auto buffer = std::make_unique_for_overwrite<char[]>(kReadChunk);
  std::uint64_t total = 0;
  while (true) {
    const ssize_t n = ::read(fd, buffer.get(), kReadChunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(errno_error(ErrorCategory::input, "read " + path, errno));
    if (n == 0) break;
    total += static_cast<std::uint64_t>(n);
    hasher.update(std::string_view(buffer.get(), static_cast<std::size_t>(n)));
  }
  if (total != file.size) return fail(ErrorCategory::input, path + ": file changed while the build read it");
  oci::Digest digest = hasher.finish();
  struct stat after {};
  if (::fstat(fd, &after) != 0) return std::unexpected(errno_error(ErrorCategory::input, "stat " + path, errno));
  const Stat s = stat_of<Stat>(before);
  // Recorded only when nothing moved during the read and the file is old enough that a later
  // rewrite must show in its times (not racy); a path with a newline cannot be a line on disk.
  const bool stable = s == stat_of<Stat>(after) && std::max(s.mtime_ns, s.ctime_ns) < started_ns - racy_margin_.count();
  if (stable && path.find('\n') == std::string::npos) {
    std::lock_guard lock(mutex_);
    records_[path] = Record{s, digest, true};
    dirty_ = true;
  }
  return digest;
}

Result<std::vector<oci::Digest>> ChecksumMemo::digest_files(const std::vector<FileToHash>& files) {
  const std::int64_t started = file_clock_now();
  std::vector<oci::Digest> out(files.size());
  std::vector<std::size_t> misses;
  std::uint64_t miss_bytes = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    struct stat st {};
    if (::lstat(files[i].path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      const Stat s = stat_of<Stat>(st);
      std::lock_guard lock(mutex_);
      auto it = records_.find(files[i].path.native());
      if (it != records_.end() && it->second.stat == s && s.size == files[i].size) {
        it->second.used = true;
        out[i] = it->second.digest;
        continue;
      }
    }
    misses.push_back(i);
    miss_bytes += files[i].size;
  }
  if (misses.empty()) return out;
  std::vector<std::optional<Error>> errors(files.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t k = next.fetch_add(1); k < misses.size(); k = next.fetch_add(1)) {
      const std::size_t i = misses[k];
      auto d = hash_file(files[i], started);
      if (d) {
        out[i] = std::move(*d);
      } else {
        errors[i] = d.error();
      }
    }
  };
  const unsigned cores = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  std::vector<std::thread> helpers;
  if (miss_bytes >= kParallelBytes && misses.size() > 1) {
    for (unsigned t = 1; t < cores; ++t) helpers.emplace_back(work);
  }
  work();
  for (auto& t : helpers) t.join();
  // The first failing file in order, whatever thread met it, so errors are deterministic.
  for (auto& e : errors) {
    if (e) return std::unexpected(std::move(*e));
  }
  return out;
}

Result<void> ChecksumMemo::save(const std::filesystem::path& file, const std::filesystem::path& volatile_dir) {
  std::string text(kHeader);
  {
    std::lock_guard lock(mutex_);
    if (!dirty_) return {};
    std::string skip = volatile_dir.empty() ? std::string() : volatile_dir.native() + "/";
    std::size_t kept = 0;
    // Records this build used first, then older ones while there is room.
    for (bool used : {true, false}) {
      for (const auto& [path, r] : records_) {
        if (r.used != used || kept >= kMaxRecords) continue;
        if (!skip.empty() && path.starts_with(skip)) continue;
        text += r.digest.hex();
        text += ' ' + std::to_string(r.stat.size) + ' ' + std::to_string(r.stat.mtime_ns) + ' ' +
                std::to_string(r.stat.ctime_ns) + ' ' + std::to_string(r.stat.inode) + ' ' +
                std::to_string(r.stat.device) + ' ' + std::to_string(r.stat.mode) + ' ' + path + '\n';
        ++kept;
      }
    }
    dirty_ = false;
  }
  return write_file_atomic(file, text);
}

}  // namespace sigil::build
