#include "codecs.hpp"

#include <mlv/util/error.hpp>

#include <lzma.h>

namespace mlv::inspect::decode {

namespace {

// The most memory a stream's dictionary may ask for: xz -9 needs 65 MiB, LZMA Utils' largest
// preset 1.5 GiB; beyond that a header is more likely hostile than real.
constexpr std::uint64_t k_memory_limit = std::uint64_t{3} << 29;

std::string lzma_fault(lzma_ret status, bool* unsupported) {
  switch (status) {
  case LZMA_FORMAT_ERROR:
    return "the header is not one of this format";
  case LZMA_OPTIONS_ERROR:
    *unsupported = true;
    return "options (filters, properties) that liblzma does not decode";
  case LZMA_DATA_ERROR:
    return "invalid data";
  case LZMA_MEMLIMIT_ERROR:
    *unsupported = true;
    return "a dictionary larger than 1.5 GiB";
  default:
    return "invalid data (liblzma error " + std::to_string(static_cast<int>(status)) + ")";
  }
}

class LzmaCodec : public Codec {
public:
  explicit LzmaCodec(bool xz) : xz_(xz) { start(); }
  ~LzmaCodec() override { lzma_end(&stream_); }
  LzmaCodec(const LzmaCodec&) = delete;
  LzmaCodec& operator=(const LzmaCodec&) = delete;

  CodecStep
  run(std::span<const unsigned char> in, std::span<unsigned char> out, bool input_ended) override {
    stream_.next_in = in.data();
    stream_.avail_in = in.size();
    stream_.next_out = out.data();
    stream_.avail_out = out.size();
    // With concatenated xz streams, only LZMA_FINISH tells liblzma that no further one follows.
    const lzma_ret status = lzma_code(&stream_, input_ended ? LZMA_FINISH : LZMA_RUN);
    CodecStep step;
    step.consumed = in.size() - stream_.avail_in;
    step.produced = out.size() - stream_.avail_out;
    switch (status) {
    case LZMA_OK:
    case LZMA_BUF_ERROR: // no progress possible: the caller sees the input ended
      break;
    case LZMA_STREAM_END:
      step.stream_end = true;
      break;
    case LZMA_MEM_ERROR:
      throw Error(ExitCode::failure, "liblzma ran out of memory while decompressing",
                  "free some memory and run the command again");
    default:
      step.fault = lzma_fault(status, &step.unsupported);
      break;
    }
    return step;
  }

  void restart() override {
    lzma_end(&stream_);
    start();
  }

private:
  void start() {
    stream_ = LZMA_STREAM_INIT;
    const lzma_ret status = xz_ ? lzma_stream_decoder(&stream_, k_memory_limit, LZMA_CONCATENATED)
                                : lzma_alone_decoder(&stream_, k_memory_limit);
    if (status != LZMA_OK) {
      throw Error(ExitCode::failure, "liblzma could not start a decoder (out of memory)",
                  "free some memory and run the command again");
    }
  }

  bool xz_;
  lzma_stream stream_ = LZMA_STREAM_INIT;
};

} // namespace

std::unique_ptr<Codec> make_xz_codec() {
  return std::make_unique<LzmaCodec>(true);
}

std::unique_ptr<Codec> make_lzma_alone_codec() {
  return std::make_unique<LzmaCodec>(false);
}

} // namespace mlv::inspect::decode
