// Parallel, reproducible gzip. Each 1 MiB block of input is raw-deflated on its own with the
// previous block's last 32 KiB as dictionary and ends with a sync flush (the last with
// Z_FINISH), so blocks can be compressed concurrently and concatenated; the CRC-32 is combined
// in order. Block boundaries depend only on the input, so the bytes never depend on threads.
#include <zlib.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "build/layer/detail/compressor.hpp"

namespace sigil::build::detail {

namespace {

constexpr std::size_t kBlockBytes = 1024 * 1024;
constexpr std::size_t kDictBytes = 32 * 1024;

struct Job {
  std::string input;
  std::string dict;
  bool last = false;
  std::string output;
  uLong crc = 0;
  bool done = false;
  std::string error;
};

// Compresses one block; runs on a worker (or the caller when there are no workers).
void compress_block(Job& job, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    job.error = "deflateInit2 failed";
    return;
  }
  if (!job.dict.empty() &&
      deflateSetDictionary(&zs, reinterpret_cast<const Bytef*>(job.dict.data()), static_cast<uInt>(job.dict.size())) != Z_OK) {
    deflateEnd(&zs);
    job.error = "deflateSetDictionary failed";
    return;
  }
  job.output.resize(deflateBound(&zs, job.input.size()) + 16);
  zs.next_in = reinterpret_cast<Bytef*>(job.input.data());
  zs.avail_in = static_cast<uInt>(job.input.size());
  zs.next_out = reinterpret_cast<Bytef*>(job.output.data());
  zs.avail_out = static_cast<uInt>(job.output.size());
  const int rc = deflate(&zs, job.last ? Z_FINISH : Z_SYNC_FLUSH);
  const bool ok = job.last ? rc == Z_STREAM_END : (rc == Z_OK && zs.avail_in == 0);
  job.output.resize(job.output.size() - zs.avail_out);
  deflateEnd(&zs);
  if (!ok) {
    job.error = "deflate failed";
    return;
  }
  job.crc = crc32(0L, reinterpret_cast<const Bytef*>(job.input.data()), static_cast<uInt>(job.input.size()));
}

class GzipCompressor final : public Compressor {
 public:
  GzipCompressor(int level, unsigned workers, CompressedSink sink) : level_(level), sink_(std::move(sink)) {
    for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
    max_in_flight_ = workers == 0 ? 1 : 2 * workers;
    pending_.reserve(kBlockBytes);
  }
  ~GzipCompressor() override { stop(); }
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;

  Result<void> write(std::string_view data) override {
    if (!header_written_) {
      if (auto r = write_header(); !r) return r;
    }
    while (!data.empty()) {
      // A full block is held back until more input shows it is not the last one (the last
      // block ends the deflate stream).
      if (pending_.size() == kBlockBytes) {
        if (auto r = submit(false); !r) return r;
      }
      const std::size_t take = std::min(data.size(), kBlockBytes - pending_.size());
      pending_.append(data.substr(0, take));
      data.remove_prefix(take);
    }
    return {};
  }

  Result<void> finish() override {
    if (!header_written_) {
      if (auto r = write_header(); !r) return r;
    }
    if (auto r = submit(true); !r) return r;
    if (auto r = drain(true); !r) return r;
    stop();
    unsigned char trailer[8];
    for (int i = 0; i < 4; ++i) trailer[i] = static_cast<unsigned char>((crc_ >> (8 * i)) & 0xff);
    for (int i = 0; i < 4; ++i) trailer[4 + i] = static_cast<unsigned char>((total_ >> (8 * i)) & 0xff);
    return sink_(std::string_view(reinterpret_cast<const char*>(trailer), sizeof trailer));
  }

 private:
  Result<void> write_header() {
    header_written_ = true;
    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL OS=255 (unknown, as Go's compress/gzip writes)
    const unsigned char xfl = level_ == 9 ? 2 : (level_ == 1 ? 4 : 0);
    const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 255};
    return sink_(std::string_view(reinterpret_cast<const char*>(header), sizeof header));
  }

  // Queues the pending bytes as a block (a full block when not last) and writes finished ones.
  Result<void> submit(bool last) {
    auto job = std::make_shared<Job>();
    job->input = std::move(pending_);
    job->dict = std::move(dict_);
    job->last = last;
    total_ += job->input.size();
    const std::size_t keep = std::min(job->input.size(), kDictBytes);
    dict_.assign(job->input, job->input.size() - keep, keep);
    pending_.clear();
    pending_.reserve(kBlockBytes);
    if (threads_.empty()) {
      compress_block(*job, level_);
      job->done = true;
      std::lock_guard lock(mutex_);
      order_.push_back(job);
    } else {
      std::lock_guard lock(mutex_);
      order_.push_back(job);
      queue_.push_back(job);
      work_ready_.notify_one();
    }
    return drain(false);
  }

  // Emits finished blocks in order; waits for the oldest when too many are in flight (or all).
  Result<void> drain(bool all) {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock lock(mutex_);
        if (order_.empty()) return {};
        if (!order_.front()->done) {
          if (!all && order_.size() < max_in_flight_) return {};
          job_done_.wait(lock, [&] { return order_.front()->done; });
        }
        job = order_.front();
        order_.pop_front();
      }
      if (!job->error.empty()) return fail(ErrorCategory::internal, "gzip: " + job->error);
      crc_ = first_ ? job->crc : crc32_combine(crc_, job->crc, static_cast<z_off_t>(job->input.size()));
      first_ = false;
      if (auto r = sink_(job->output); !r) return r;
    }
  }

  void work() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock lock(mutex_);
        work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = queue_.front();
        queue_.pop_front();
      }
      compress_block(*job, level_);
      {
        std::lock_guard lock(mutex_);
        job->done = true;
      }
      job_done_.notify_all();
    }
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_all();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

  int level_;
  CompressedSink sink_;
  std::vector<std::thread> threads_;
  std::size_t max_in_flight_ = 1;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable job_done_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::deque<std::shared_ptr<Job>> order_;
  bool stopping_ = false;
  std::string pending_;
  std::string dict_;
  bool header_written_ = false;
  bool first_ = true;
  uLong crc_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace

Result<std::unique_ptr<Compressor>> make_gzip(int level, std::uint64_t expected_bytes, CompressedSink sink) {
  if (level == -1) level = 6;
  if (level < 1 || level > 9) {
    return fail(ErrorCategory::usage, "gzip compression level " + std::to_string(level) + " is not between 1 and 9");
  }
  // Workers only change speed, never bytes; the count still comes from the size alone.
  // Two workers beside the producing thread: more threads measured slower on busy CI-sized
  // machines (as pigz -p4 is slower than -p2 there).
  const unsigned workers = expected_bytes < 4 * kBlockBytes ? 0 : 2;
  return std::unique_ptr<Compressor>(std::make_unique<GzipCompressor>(level, workers, std::move(sink)));
}

}  // namespace sigil::build::detail
