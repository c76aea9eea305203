#include "sbom/filetree/detail/layer_stream.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace sigil::sbom::detail {
namespace {

constexpr std::string_view kStopped = "layer reader stopped";

// Bounded hand-over between the fetching thread (a BlobSink) and libarchive's pull callback.
class BlobPipe final : public oci::BlobSink {
 public:
  Result<void> write(std::string_view chunk) override {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return queued_ < kCapacity || cancelled_; });
    if (cancelled_) return fail(ErrorCategory::internal, std::string(kStopped));
    chunks_.emplace_back(chunk);
    queued_ += chunk.size();
    data_.notify_one();
    return {};
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    data_.notify_all();
  }
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    space_.notify_all();
  }
  // Next chunk into `out`; false at the end.
  bool next(std::string& out) {
    std::unique_lock lock(mutex_);
    data_.wait(lock, [&] { return !chunks_.empty() || closed_; });
    if (chunks_.empty()) return false;
    out = std::move(chunks_.front());
    chunks_.pop_front();
    queued_ -= out.size();
    space_.notify_one();
    return true;
  }

 private:
  static constexpr std::size_t kCapacity = 8 * 1024 * 1024;
  std::mutex mutex_;
  std::condition_variable space_;
  std::condition_variable data_;
  std::deque<std::string> chunks_;
  std::size_t queued_ = 0;
  bool closed_ = false;
  bool cancelled_ = false;
};

struct ReadContext {
  BlobPipe* pipe;
  std::string current;
};

la_ssize_t read_callback(archive*, void* client, const void** buffer) {
  auto* ctx = static_cast<ReadContext*>(client);
  while (ctx->pipe->next(ctx->current)) {
    if (ctx->current.empty()) continue;
    *buffer = ctx->current.data();
    return static_cast<la_ssize_t>(ctx->current.size());
  }
  return 0;
}

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

EntryKind kind_of(archive_entry* e) {
  switch (archive_entry_filetype(e)) {
    case AE_IFREG: return EntryKind::file;
    case AE_IFDIR: return EntryKind::directory;
    case AE_IFLNK: return EntryKind::symlink;
    default: return EntryKind::other;
  }
}

Result<void> read_entries(archive* a, const oci::Descriptor& layer, const OnEntry& on_entry) {
  std::string what = "layer " + layer.digest.str();
  std::uint64_t ordinal = 0;
  while (true) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF) return {};
    if (rc < ARCHIVE_WARN) {
      return fail(ErrorCategory::input, what + ": " + std::string(archive_error_string(a) ? archive_error_string(a) : "corrupt archive"));
    }
    TarEntry entry;
    const char* name = archive_entry_pathname(e);
    entry.name = name ? name : "";
    entry.ordinal = ordinal++;
    const char* hard = archive_entry_hardlink(e);
    if (hard != nullptr) {
      entry.hardlink = true;
      entry.kind = EntryKind::file;
      entry.link_target = hard;
    } else {
      entry.kind = kind_of(e);
      if (const char* sym = archive_entry_symlink(e)) entry.link_target = sym;
    }
    entry.size = archive_entry_size_is_set(e) ? static_cast<std::uint64_t>(archive_entry_size(e)) : 0;
    entry.mode = static_cast<std::uint32_t>(archive_entry_perm(e)) & 07777;
    // The first block of a regular file is read ahead so the entry can say what the file is
    // (its magic) before anyone decides to keep it; libarchive decompresses it either way.
    char buffer[65536];
    std::string ahead;
    bool ahead_failed = false;
    if (entry.kind == EntryKind::file && !entry.hardlink && entry.size > 0) {
      la_ssize_t n = archive_read_data(a, buffer, sizeof buffer);
      if (n < 0) {
        ahead_failed = true;
      } else {
        ahead.assign(buffer, static_cast<std::size_t>(n));
        entry.magic = ahead.substr(0, 4);
      }
    }
    ReadData read = [&](std::size_t max_bytes) -> Result<std::string> {
      if (ahead_failed) return fail(ErrorCategory::input, what + ": " + entry.name + ": " + archive_error_string(a));
      if (ahead.size() > max_bytes) {
        return fail(ErrorCategory::input, what + ": " + entry.name + ": larger than " + std::to_string(max_bytes) + " bytes");
      }
      // Sized once from the header: growing by doubling would briefly hold 1.5× a large file.
      std::string out;
      out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(entry.size, max_bytes)));
      out.append(ahead);
      ahead.clear();
      while (true) {
        la_ssize_t n = archive_read_data(a, buffer, sizeof buffer);
        if (n < 0) return fail(ErrorCategory::input, what + ": " + entry.name + ": " + archive_error_string(a));
        if (n == 0) return out;
        if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
          return fail(ErrorCategory::input, what + ": " + entry.name + ": larger than " + std::to_string(max_bytes) + " bytes");
        }
        out.append(buffer, static_cast<std::size_t>(n));
      }
    };
    auto keep_going = on_entry(entry, read);
    if (!keep_going) return std::unexpected(keep_going.error());
    if (!*keep_going) return {};
  }
}

}  // namespace

Result<void> stream_layer(oci::Store& store, const oci::Descriptor& layer, const OnEntry& on_entry) {
  BlobPipe pipe;
  Result<void> fetched;
  std::thread fetcher([&] {
    fetched = store.fetch_blob(layer, pipe);
    pipe.close();
  });
  ReadContext ctx{&pipe, {}};
  std::unique_ptr<archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  Result<void> result;
  if (archive_read_open(a.get(), &ctx, nullptr, read_callback, nullptr) != ARCHIVE_OK) {
    result = fail(ErrorCategory::input, "layer " + layer.digest.str() + ": " +
                                            (archive_error_string(a.get()) ? archive_error_string(a.get()) : "not a tar archive"));
  } else {
    result = read_entries(a.get(), layer, on_entry);
  }
  if (result) {
    // Drain what libarchive did not need (tar padding, an early stop) so the digest gets checked.
    std::string rest;
    while (pipe.next(rest)) {
    }
  } else {
    pipe.cancel();
    std::string rest;
    while (pipe.next(rest)) {
    }
  }
  fetcher.join();
  // A failed fetch (network, digest mismatch) is the root cause of a truncated archive; our own
  // cancellation after an archive error is not.
  bool our_cancel = !result && !fetched && fetched.error().message == kStopped;
  if (!fetched && !our_cancel) return std::unexpected(fetched.error().with_context("layer " + layer.digest.str()));
  return result;
}

}  // namespace sigil::sbom::detail
