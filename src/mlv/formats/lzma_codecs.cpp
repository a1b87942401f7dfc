#include "codecs.hpp"

#include <mlv/util/error.hpp>

#include <lzma.h>

#include <array>
#include <cstdlib>

namespace mlv::formats::decode {

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

// One lzma_code call over `in` and `out`, as a CodecStep (both codecs below).
CodecStep lzma_step(lzma_stream& stream,
                    std::span<const unsigned char> in,
                    std::span<unsigned char> out,
                    lzma_action action) {
  stream.next_in = in.data();
  stream.avail_in = in.size();
  stream.next_out = out.data();
  stream.avail_out = out.size();
  const lzma_ret status = lzma_code(&stream, action);
  CodecStep step;
  step.consumed = in.size() - stream.avail_in;
  step.produced = out.size() - stream.avail_out;
  switch (status) {
  case LZMA_OK:
  case LZMA_BUF_ERROR: // no progress possible: the caller sees the input ended
    break;
  case LZMA_STREAM_END:
    step.stream_end = true;
    break;
  case LZMA_MEM_ERROR:
    throw Error(Failure::failed, "liblzma ran out of memory while decompressing",
                "free some memory and run the command again");
  default:
    step.fault = lzma_fault(status, &step.unsupported);
    break;
  }
  return step;
}

class LzmaCodec : public Codec {
public:
  explicit LzmaCodec(bool xz) : xz_(xz) { start(); }
  ~LzmaCodec() override { lzma_end(&stream_); }
  LzmaCodec(const LzmaCodec&) = delete;
  LzmaCodec& operator=(const LzmaCodec&) = delete;

  CodecStep
  run(std::span<const unsigned char> in, std::span<unsigned char> out, bool input_ended) override {
    // With concatenated xz streams, only LZMA_FINISH tells liblzma that no further one follows.
    return lzma_step(stream_, in, out, input_ended ? LZMA_FINISH : LZMA_RUN);
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
      throw Error(Failure::failed, "liblzma could not start a decoder (out of memory)",
                  "free some memory and run the command again");
    }
  }

  bool xz_;
  lzma_stream stream_ = LZMA_STREAM_INIT;
};

// A zip member of method 14 (APPNOTE 5.8.8), as Python's zipfile reads it: a 2-byte version, a
// 2-byte size of the properties, the LZMA1 properties, then raw LZMA1 data that ends with an end
// marker (or with the member's compressed bytes).
class ZipLzmaCodec : public Codec {
public:
  ZipLzmaCodec() = default;
  ~ZipLzmaCodec() override { lzma_end(&stream_); }
  ZipLzmaCodec(const ZipLzmaCodec&) = delete;
  ZipLzmaCodec& operator=(const ZipLzmaCodec&) = delete;

  CodecStep run(std::span<const unsigned char> in, std::span<unsigned char> out, bool) override {
    if (!started_) {
      return read_header(in);
    }
    return lzma_step(stream_, in, out, LZMA_RUN);
  }

  // A zip member holds one stream: nothing follows its end.
  void restart() override {}

private:
  // The header is taken a byte at a time as it arrives, then the raw decoder is started.
  CodecStep read_header(std::span<const unsigned char> in) {
    CodecStep step;
    while (!started_ && step.consumed < in.size()) {
      if (header_size_ < k_fixed_header) {
        fixed_[header_size_++] = in[step.consumed++];
        if (header_size_ == k_fixed_header &&
            (fixed_[2] | static_cast<std::size_t>(fixed_[3]) << 8) != k_lzma1_properties) {
          step.fault = "LZMA properties of " +
                       std::to_string(fixed_[2] | static_cast<std::size_t>(fixed_[3]) << 8) +
                       " bytes (LZMA1 has " + std::to_string(k_lzma1_properties) + ")";
          return step;
        }
        continue;
      }
      properties_[header_size_++ - k_fixed_header] = in[step.consumed++];
      if (header_size_ == k_fixed_header + k_lzma1_properties) {
        start(step);
        return step; // started, or refused with a fault: the header is read either way
      }
    }
    return step;
  }

  void start(CodecStep& step) {
    lzma_filter filters[2] = {{LZMA_FILTER_LZMA1, nullptr}, {LZMA_VLI_UNKNOWN, nullptr}};
    lzma_ret status =
        lzma_properties_decode(&filters[0], nullptr, properties_.data(), properties_.size());
    if (status == LZMA_OK) {
      const auto* options = static_cast<const lzma_options_lzma*>(filters[0].options);
      if (options->dict_size > k_memory_limit) {
        status = LZMA_MEMLIMIT_ERROR;
      } else {
        status = lzma_raw_decoder(&stream_, filters);
      }
    }
    std::free(filters[0].options); // liblzma allocates it with malloc when no allocator is given
    if (status == LZMA_MEM_ERROR) {
      throw Error(Failure::failed, "liblzma could not start a decoder (out of memory)",
                  "free some memory and run the command again");
    }
    if (status != LZMA_OK) {
      step.fault = lzma_fault(status, &step.unsupported);
      return;
    }
    started_ = true;
  }

  static constexpr std::size_t k_fixed_header = 4; // version, properties size
  static constexpr std::size_t k_lzma1_properties = 5;
  std::array<unsigned char, k_fixed_header> fixed_{};
  std::array<unsigned char, k_lzma1_properties> properties_{};
  std::size_t header_size_ = 0;
  bool started_ = false;
  lzma_stream stream_ = LZMA_STREAM_INIT;
};

} // namespace

std::unique_ptr<Codec> make_zip_lzma_codec() {
  return std::make_unique<ZipLzmaCodec>();
}

std::unique_ptr<Codec> make_xz_codec() {
  return std::make_unique<LzmaCodec>(true);
}

std::unique_ptr<Codec> make_lzma_alone_codec() {
  return std::make_unique<LzmaCodec>(false);
}

} // namespace mlv::formats::decode
