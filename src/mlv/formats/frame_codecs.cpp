#include "codecs.hpp"

#include <mlv/util/error.hpp>

#include <zstd.h>
#include <zstd_errors.h>

#include <lz4frame.h>

namespace mlv::formats::decode {

namespace {

// zstd's default largest window (128 MiB, what `zstd -19` and below use); a frame asking for
// more is refused rather than allocated.
constexpr int k_zstd_window_log_max = 27;

[[noreturn]] void fail_to_start(const char* library) {
  throw Error(Failure::failed, std::string(library) + " could not start a decoder (out of memory)",
              "free some memory and run the command again");
}

// The LZ4 frame format (joblib's compress="lz4", lz4.frame): a frame ends with an end mark.
class Lz4FrameCodec : public Codec {
public:
  Lz4FrameCodec() {
    if (LZ4F_isError(LZ4F_createDecompressionContext(&context_, LZ4F_VERSION))) {
      fail_to_start("liblz4");
    }
  }
  ~Lz4FrameCodec() override { LZ4F_freeDecompressionContext(context_); }
  Lz4FrameCodec(const Lz4FrameCodec&) = delete;
  Lz4FrameCodec& operator=(const Lz4FrameCodec&) = delete;

  CodecStep run(std::span<const unsigned char> in, std::span<unsigned char> out, bool) override {
    std::size_t in_size = in.size();
    std::size_t out_size = out.size();
    const std::size_t hint =
        LZ4F_decompress(context_, out.data(), &out_size, in.data(), &in_size, nullptr);
    CodecStep step;
    step.consumed = in_size;
    step.produced = out_size;
    if (LZ4F_isError(hint)) {
      step.fault = LZ4F_getErrorName(hint);
    } else if (hint == 0) {
      step.stream_end = true;
    }
    return step;
  }

  void restart() override { LZ4F_resetDecompressionContext(context_); }

private:
  LZ4F_dctx* context_ = nullptr;
};

class ZstdCodec : public Codec {
public:
  ZstdCodec() : context_(ZSTD_createDCtx()) {
    if (context_ == nullptr || ZSTD_isError(ZSTD_DCtx_setParameter(context_, ZSTD_d_windowLogMax,
                                                                   k_zstd_window_log_max))) {
      ZSTD_freeDCtx(context_);
      fail_to_start("libzstd");
    }
  }
  ~ZstdCodec() override { ZSTD_freeDCtx(context_); }
  ZstdCodec(const ZstdCodec&) = delete;
  ZstdCodec& operator=(const ZstdCodec&) = delete;

  CodecStep run(std::span<const unsigned char> in, std::span<unsigned char> out, bool) override {
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    ZSTD_outBuffer output{out.data(), out.size(), 0};
    const std::size_t status = ZSTD_decompressStream(context_, &output, &input);
    CodecStep step;
    step.consumed = input.pos;
    step.produced = output.pos;
    if (ZSTD_isError(status)) {
      step.fault = ZSTD_getErrorName(status);
      step.unsupported = ZSTD_getErrorCode(status) == ZSTD_error_frameParameter_windowTooLarge;
    } else if (status == 0) {
      step.stream_end = true;
    }
    return step;
  }

  void restart() override { ZSTD_DCtx_reset(context_, ZSTD_reset_session_only); }

private:
  ZSTD_DCtx* context_;
};

} // namespace

std::unique_ptr<Codec> make_lz4_frame_codec() {
  return std::make_unique<Lz4FrameCodec>();
}

std::unique_ptr<Codec> make_zstd_codec() {
  return std::make_unique<ZstdCodec>();
}

} // namespace mlv::formats::decode
