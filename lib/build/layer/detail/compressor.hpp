// Streaming compressors for layers whose output depends only on the input bytes and the level:
// never on the time, the file name, or the number of threads doing the work.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "build/layer/layer_writer.hpp"
#include "common/error.hpp"

namespace sigil::build::detail {

/// Receives compressed bytes in order.
using CompressedSink = std::function<Result<void>(std::string_view)>;

/// A compressor: write() uncompressed bytes in order, then finish() once.
class Compressor {
 public:
  virtual ~Compressor() = default;
  [[nodiscard]] virtual Result<void> write(std::string_view data) = 0;
  [[nodiscard]] virtual Result<void> finish() = 0;
};

/// gzip as independent 1 MiB deflate blocks, each primed with the previous 32 KiB (pigz's
/// scheme), compressed by worker threads and emitted in order: the bytes are those of a single
/// gzip member with MTIME 0, no name, XFL as zlib sets it and OS 255, whatever the worker
/// count. A layer of one block is byte-identical to plain zlib deflate output.
/// `expected_bytes` (the uncompressed size estimate) only chooses the worker count.
[[nodiscard]] Result<std::unique_ptr<Compressor>> make_gzip(int level, std::uint64_t expected_bytes,
                                                            CompressedSink sink);

/// zstd (one frame, no content size, checksum on); multi-threaded mode is chosen from
/// `expected_bytes` only, and zstd's multi-threaded output does not depend on the worker count.
[[nodiscard]] Result<std::unique_ptr<Compressor>> make_zstd(int level, std::uint64_t expected_bytes,
                                                            CompressedSink sink);

}  // namespace sigil::build::detail
