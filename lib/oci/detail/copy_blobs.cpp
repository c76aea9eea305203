#include "oci/detail/copy_blobs.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "oci/detail/copy_pipe.hpp"
#include "oci/registry_store.hpp"

namespace sigil::oci::detail {
namespace {

// 4 x 1 MiB in flight per blob: enough to keep both ends busy, small enough that parallel
// transfers of huge layers stay far below the memory budget.
constexpr std::size_t kPipeChunks = 4;
constexpr std::size_t kPipeChunkSize = 1024 * 1024;
constexpr std::int64_t kProgressStep = 1024 * 1024;

// Between two repositories of the same registry a mount avoids moving the bytes at all.
Result<bool> try_mount(Store& src, Store& dst, const Descriptor& desc) {
  auto* from = dynamic_cast<RegistryStore*>(&src);
  auto* to = dynamic_cast<RegistryStore*>(&dst);
  if (from == nullptr || to == nullptr) return false;
  const Reference& a = from->reference();
  const Reference& b = to->reference();
  if (a.registry != b.registry || a.repository == b.repository) return false;
  return to->mount_blob(desc, a.repository);
}

// Returns whether the blob was written to dst (as opposed to found or mounted there).
Result<bool> copy_one(Store& src, Store& dst, const Descriptor& desc, const EmitEvent& emit) {
  auto present = dst.has_blob(desc);
  if (!present) return std::unexpected(present.error());
  if (*present) {
    emit(CopyEvent{CopyEvent::Kind::blob_skipped, desc, desc.size});
    return false;
  }
  auto mounted = try_mount(src, dst, desc);
  if (!mounted) return std::unexpected(mounted.error());
  if (*mounted) {
    emit(CopyEvent{CopyEvent::Kind::blob_mounted, desc, desc.size});
    return false;
  }
  if (auto r = transfer_blob(src, dst, desc, emit); !r) return std::unexpected(r.error());
  return true;
}

}  // namespace

Result<void> transfer_blob(Store& src, Store& dst, const Descriptor& desc, const EmitEvent& emit) {
  emit(CopyEvent{CopyEvent::Kind::blob_started, desc, 0});
  BlobPipe pipe(kPipeChunks, kPipeChunkSize);
  std::int64_t next_report = kProgressStep;
  pipe.set_on_read([&](std::int64_t total) {
    // Runs on this (the pushing) thread only, so next_report needs no lock.
    if (total >= next_report && total < desc.size) {
      emit(CopyEvent{CopyEvent::Kind::blob_progress, desc, total});
      next_report = total + kProgressStep;
    }
  });

  std::optional<Error> fetch_error;
  std::thread fetcher;
  try {
    fetcher = std::thread([&] {
      auto fetched = src.fetch_blob(desc, pipe);
      if (!fetched) fetch_error = fetched.error();
      pipe.finish(fetch_error);
    });
  } catch (const std::system_error& e) {
    return fail(ErrorCategory::internal, "copy blob " + desc.digest.str() + ": cannot start a thread: " + e.what());
  }
  auto pushed = dst.push_blob(desc, pipe);
  // Whether the push failed or stopped reading early, release a writer blocked on a full pipe.
  pipe.abandon();
  fetcher.join();

  std::string what = "copy blob " + desc.digest.str();
  if (!pushed) {
    // A fetch that failed on its own (tampered bytes, network) explains the failed push better than
    // the push's report of it, unless the fetch only failed because the push gave up first.
    if (fetch_error && !pipe.refused_write()) {
      return std::unexpected(fetch_error->with_context(what + " from " + src.name()));
    }
    return std::unexpected(pushed.error().with_context(what + " to " + dst.name()));
  }
  if (fetch_error) return std::unexpected(fetch_error->with_context(what + " from " + src.name()));
  emit(CopyEvent{CopyEvent::Kind::blob_done, desc, desc.size});
  return {};
}

Result<void> copy_blobs(Store& src, Store& dst, const std::vector<Descriptor>& blobs, int parallelism,
                        const EmitEvent& emit, std::vector<Descriptor>& written) {
  std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(std::max(parallelism, 1)), blobs.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;  // guards first_error and written
  std::optional<Error> first_error;

  auto work = [&] {
    while (!failed.load()) {
      std::size_t i = next.fetch_add(1);
      if (i >= blobs.size()) return;
      auto r = copy_one(src, dst, blobs[i], emit);
      std::lock_guard lock(mutex);
      if (!r) {
        if (!first_error) first_error = r.error();
        failed.store(true);
      } else if (*r) {
        written.push_back(blobs[i]);
      }
    }
  };
  if (workers <= 1) {
    work();
  } else {
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (std::size_t t = 0; t < workers; ++t) {
      try {
        threads.emplace_back(work);
      } catch (const std::system_error& e) {
        if (threads.empty()) return fail(ErrorCategory::internal, std::string("copy blobs: cannot start a thread: ") + e.what());
        break;  // fewer workers still finish the job
      }
    }
    for (auto& t : threads) t.join();
  }
  if (first_error) return std::unexpected(*first_error);
  return {};
}

}  // namespace sigil::oci::detail
