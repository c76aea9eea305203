// zstd through the streaming API. Multi-threaded mode (nbWorkers >= 1) produces the same bytes
// for any worker count but different bytes from single-threaded mode, so the mode is chosen
// from the layer's size only: every machine then writes the same layer.
#include <zstd.h>

#include <string>

#include "build/layer/detail/compressor.hpp"

namespace sigil::build::detail {

namespace {

constexpr std::uint64_t kThreadedFrom = 16ULL * 1024 * 1024;

class ZstdCompressor final : public Compressor {
 public:
  ZstdCompressor(ZSTD_CCtx* cctx, CompressedSink sink)
      : cctx_(cctx), sink_(std::move(sink)), out_(ZSTD_CStreamOutSize(), '\0') {}
  ~ZstdCompressor() override { ZSTD_freeCCtx(cctx_); }
  ZstdCompressor(const ZstdCompressor&) = delete;
  ZstdCompressor& operator=(const ZstdCompressor&) = delete;

  Result<void> write(std::string_view data) override {
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    while (in.pos < in.size) {
      if (auto r = step(in, ZSTD_e_continue); !r) return std::unexpected(r.error());
    }
    return {};
  }

  Result<void> finish() override {
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (;;) {
      auto remaining = step(in, ZSTD_e_end);
      if (!remaining) return std::unexpected(remaining.error());
      if (*remaining == 0) return {};
    }
  }

 private:
  Result<std::size_t> step(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    const std::size_t rc = ZSTD_compressStream2(cctx_, &out, &in, mode);
    if (ZSTD_isError(rc)) return fail(ErrorCategory::internal, std::string("zstd: ") + ZSTD_getErrorName(rc));
    if (out.pos > 0) {
      if (auto r = sink_(std::string_view(out_.data(), out.pos)); !r) return std::unexpected(r.error());
    }
    return rc;
  }

  ZSTD_CCtx* cctx_;
  CompressedSink sink_;
  std::string out_;
};

}  // namespace

Result<std::unique_ptr<Compressor>> make_zstd(int level, std::uint64_t expected_bytes, CompressedSink sink) {
  if (level == -1) level = 3;
  if (level < 1 || level > 19) {
    return fail(ErrorCategory::usage, "zstd compression level " + std::to_string(level) + " is not between 1 and 19");
  }
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (cctx == nullptr) return fail(ErrorCategory::internal, "zstd: cannot allocate a compression context");
  auto compressor = std::make_unique<ZstdCompressor>(cctx, std::move(sink));
  if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1))) {
    return fail(ErrorCategory::internal, "zstd: cannot set the compression level");
  }
  if (expected_bytes >= kThreadedFrom) {
    // Any count >= 1 gives the same bytes; 2 bounds memory and suits CI runners.
    if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, 2))) {
      return fail(ErrorCategory::internal,
                  "zstd: this libzstd has no multi-threading, so large layers would not match other machines'");
    }
  }
  return std::unique_ptr<Compressor>(std::move(compressor));
}

}  // namespace sigil::build::detail
