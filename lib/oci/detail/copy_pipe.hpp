// A bounded in-memory pipe between a blob fetch (writer thread) and a blob push (reader thread):
// a few fixed-size chunks, so copying a blob of any size uses constant memory.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "oci/store.hpp"

namespace sigil::oci::detail {

class BlobPipe final : public BlobSink, public BlobSource {
 public:
  /// At most `chunks` * `chunk_size` bytes are buffered at once, in chunks of up to `chunk_size`.
  BlobPipe(std::size_t chunks, std::size_t chunk_size);

  /// Writer side: blocks while the pipe is full; fails once the reader gave up.
  Result<void> write(std::string_view chunk) override;
  /// Writer side: no more data. With an error, the reader's next read returns it instead of
  /// the end of the stream, so a push never completes with bytes the fetch rejected.
  void finish(std::optional<Error> error);

  /// Reader side: blocks until data, the end (0) or the writer's error.
  Result<std::size_t> read(char* buffer, std::size_t capacity) override;
  /// Reader side: stop; pending and later writes fail so the writer thread ends promptly.
  void abandon();
  /// True when a write was refused because the reader had abandoned the pipe.
  [[nodiscard]] bool refused_write();

  /// Called (outside the lock) with the total bytes read so far, after each read.
  void set_on_read(std::function<void(std::int64_t)> on_read) { on_read_ = std::move(on_read); }

 private:
  std::size_t chunk_size_;
  std::size_t capacity_;
  std::size_t buffered_ = 0;  // unread bytes in chunks_
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> chunks_;
  std::size_t front_offset_ = 0;  // bytes of chunks_.front() already read
  bool finished_ = false;
  bool abandoned_ = false;
  bool refused_ = false;
  std::optional<Error> writer_error_;
  std::int64_t total_read_ = 0;
  std::function<void(std::int64_t)> on_read_;
};

}  // namespace sigil::oci::detail
