#include "oci/detail/copy_pipe.hpp"

#include <algorithm>
#include <cstring>

namespace sigil::oci::detail {

BlobPipe::BlobPipe(std::size_t chunks, std::size_t chunk_size)
    : chunk_size_(std::max<std::size_t>(chunk_size, 1)), capacity_(std::max<std::size_t>(chunks, 1) * chunk_size_) {}

Result<void> BlobPipe::write(std::string_view data) {
  while (!data.empty()) {
    std::size_t n = 0;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return abandoned_ || buffered_ < capacity_; });
      if (abandoned_) {
        refused_ = true;
        return fail(ErrorCategory::internal, "blob transfer abandoned by the destination");
      }
      // Coalesce small writes (HTTP bodies arrive in ~16 KiB pieces) into chunks of chunk_size_,
      // so the reader gets large reads and the bound counts bytes, not pieces.
      if (chunks_.empty() || chunks_.back().size() >= chunk_size_) {
        chunks_.emplace_back();
        chunks_.back().reserve(chunk_size_);
      }
      std::string& back = chunks_.back();
      n = std::min({data.size(), chunk_size_ - back.size(), capacity_ - buffered_});
      back.append(data.substr(0, n));
      buffered_ += n;
    }
    data.remove_prefix(n);
    changed_.notify_all();
  }
  return {};
}

void BlobPipe::finish(std::optional<Error> error) {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
    writer_error_ = std::move(error);
  }
  changed_.notify_all();
}

Result<std::size_t> BlobPipe::read(char* buffer, std::size_t capacity) {
  if (capacity == 0) return std::size_t{0};
  std::size_t n = 0;
  std::int64_t total = 0;
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return buffered_ > 0 || finished_; });
    if (buffered_ == 0) {
      // Everything was read: the end of the stream, or the fetch's error.
      if (writer_error_) return std::unexpected(*writer_error_);
      return std::size_t{0};
    }
    std::string& front = chunks_.front();
    n = std::min(capacity, front.size() - front_offset_);
    std::memcpy(buffer, front.data() + front_offset_, n);
    front_offset_ += n;
    buffered_ -= n;
    if (front_offset_ == front.size()) {
      chunks_.pop_front();
      front_offset_ = 0;
    }
    total_read_ += static_cast<std::int64_t>(n);
    total = total_read_;
  }
  changed_.notify_all();
  if (on_read_) on_read_(total);
  return n;
}

void BlobPipe::abandon() {
  {
    std::lock_guard lock(mutex_);
    abandoned_ = true;
  }
  changed_.notify_all();
}

bool BlobPipe::refused_write() {
  std::lock_guard lock(mutex_);
  return refused_;
}

}  // namespace sigil::oci::detail
