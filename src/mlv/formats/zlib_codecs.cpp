#include "codecs.hpp"

#include <mlv/util/error.hpp>

#include <climits>

#include <bzlib.h>
#include <zlib.h>

namespace mlv::formats::decode {

namespace {

// zlib's window bits: the largest window, plus 16 for a gzip wrapper or negated for none.
constexpr int k_max_window_bits = 15;
constexpr int k_gzip_window_bits = 16 + k_max_window_bits;

// zlib and libbz2 count in unsigned int; our buffers are far smaller, but stay safe.
unsigned int clamp_size(std::size_t n) {
  return n > UINT_MAX ? UINT_MAX : static_cast<unsigned int>(n);
}

[[noreturn]] void fail_to_start(const char* library) {
  throw Error(ExitCode::failure,
              std::string(library) + " could not start a decoder (out of memory)",
              "free some memory and run the command again");
}

class DeflateCodec : public Codec {
public:
  explicit DeflateCodec(DeflateContainer container) : container_(container) {
    if (inflateInit2(&stream_, window_bits()) != Z_OK) {
      fail_to_start("zlib");
    }
  }
  ~DeflateCodec() override { inflateEnd(&stream_); }
  DeflateCodec(const DeflateCodec&) = delete;
  DeflateCodec& operator=(const DeflateCodec&) = delete;

  CodecStep run(std::span<const unsigned char> in, std::span<unsigned char> out, bool) override {
    stream_.next_in = const_cast<unsigned char*>(in.data());
    stream_.avail_in = clamp_size(in.size());
    stream_.next_out = out.data();
    stream_.avail_out = clamp_size(out.size());
    const int status = inflate(&stream_, Z_NO_FLUSH);
    CodecStep step;
    step.consumed = in.size() - stream_.avail_in;
    step.produced = out.size() - stream_.avail_out;
    switch (status) {
    case Z_OK:
    case Z_BUF_ERROR: // no progress possible: the caller sees the input ended
      break;
    case Z_STREAM_END:
      step.stream_end = true;
      break;
    case Z_NEED_DICT:
      step.fault = "a zlib stream with a preset dictionary";
      step.unsupported = true;
      break;
    case Z_MEM_ERROR:
      throw Error(ExitCode::failure, "zlib ran out of memory while decompressing",
                  "free some memory and run the command again");
    default:
      step.fault = stream_.msg != nullptr ? stream_.msg : "invalid data";
      break;
    }
    return step;
  }

  void restart() override { inflateReset(&stream_); }

private:
  int window_bits() const {
    switch (container_) {
    case DeflateContainer::raw:
      return -k_max_window_bits;
    case DeflateContainer::zlib:
      return k_max_window_bits;
    case DeflateContainer::gzip:
      return k_gzip_window_bits;
    }
    return k_max_window_bits;
  }

  DeflateContainer container_;
  z_stream stream_{};
};

const char* bzip2_fault(int status) {
  switch (status) {
  case BZ_DATA_ERROR:
    return "invalid data (a block or stream CRC does not match, or the block is malformed)";
  case BZ_DATA_ERROR_MAGIC:
    return "no bzip2 stream header (\"BZh1\" to \"BZh9\")";
  default:
    return "invalid data";
  }
}

class Bzip2Codec : public Codec {
public:
  Bzip2Codec() { start(); }
  ~Bzip2Codec() override { BZ2_bzDecompressEnd(&stream_); }
  Bzip2Codec(const Bzip2Codec&) = delete;
  Bzip2Codec& operator=(const Bzip2Codec&) = delete;

  CodecStep run(std::span<const unsigned char> in, std::span<unsigned char> out, bool) override {
    stream_.next_in = const_cast<char*>(reinterpret_cast<const char*>(in.data()));
    stream_.avail_in = clamp_size(in.size());
    stream_.next_out = reinterpret_cast<char*>(out.data());
    stream_.avail_out = clamp_size(out.size());
    const int status = BZ2_bzDecompress(&stream_);
    CodecStep step;
    step.consumed = in.size() - stream_.avail_in;
    step.produced = out.size() - stream_.avail_out;
    if (status == BZ_STREAM_END) {
      step.stream_end = true;
    } else if (status == BZ_MEM_ERROR) {
      throw Error(ExitCode::failure, "libbz2 ran out of memory while decompressing",
                  "free some memory and run the command again");
    } else if (status != BZ_OK) {
      step.fault = bzip2_fault(status);
    }
    return step;
  }

  void restart() override {
    BZ2_bzDecompressEnd(&stream_);
    start();
  }

private:
  void start() {
    stream_ = bz_stream{};
    if (BZ2_bzDecompressInit(&stream_, 0, 0) != BZ_OK) {
      fail_to_start("libbz2");
    }
  }

  bz_stream stream_{};
};

} // namespace

std::unique_ptr<Codec> make_deflate_codec(DeflateContainer container) {
  return std::make_unique<DeflateCodec>(container);
}

std::unique_ptr<Codec> make_bzip2_codec() {
  return std::make_unique<Bzip2Codec>();
}

} // namespace mlv::formats::decode
