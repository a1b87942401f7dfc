#include "codecs.hpp"
#include "gzip_header.hpp"

#include <mlv/util/error.hpp>

#include <climits>

#include <bzlib.h>

#include <isa-l/igzip_lib.h>
#include <memory>

namespace mlv::formats::decode {

namespace {

// libbz2 counts in unsigned int, ISA-L in uint32_t; our buffers are far smaller, but stay safe.
unsigned int clamp_size(std::size_t n) {
  return n > UINT_MAX ? UINT_MAX : static_cast<unsigned int>(n);
}

[[noreturn]] void fail_to_start(const char* library) {
  throw Error(Failure::failed, std::string(library) + " could not start a decoder (out of memory)",
              "free some memory and run the command again");
}

// Deflate in its three wrappers through ISA-L's inflate (docs/parsers.md says why not zlib's: it
// decodes the same streams at twice the speed here, and a 1 GiB joblib is all inflate). The
// messages are zlib's words for the same faults, which Python's zlib would print too.
const char* inflate_fault(int status) {
  switch (status) {
  case ISAL_INVALID_BLOCK:
    return "invalid block type or lengths";
  case ISAL_INVALID_SYMBOL:
    return "invalid code";
  case ISAL_INVALID_LOOKBACK:
    return "invalid distance too far back";
  case ISAL_INVALID_WRAPPER:
    return "incorrect header check";
  case ISAL_UNSUPPORTED_METHOD:
    return "unknown compression method";
  case ISAL_INCORRECT_CHECKSUM:
    return "incorrect data check";
  default:
    return "invalid data";
  }
}

class DeflateCodec : public Codec {
public:
  explicit DeflateCodec(DeflateContainer container)
      : container_(container), state_(std::make_unique<inflate_state>()) {
    start();
  }

  CodecStep run(std::span<const unsigned char> in, std::span<unsigned char> out, bool) override {
    if (container_ == DeflateContainer::gzip && !header_done_) {
      const auto header = gzip_header_.read(in);
      CodecStep step;
      step.consumed = header.consumed;
      step.fault = header.fault;
      header_done_ = header.done;
      if (!header_done_ || !step.fault.empty()) {
        return step;
      }
      in = in.subspan(header.consumed);
      auto body = run(in, out, false);
      body.consumed += header.consumed;
      return body;
    }
    state_->next_in = const_cast<unsigned char*>(in.data());
    state_->avail_in = clamp_size(in.size());
    state_->next_out = out.data();
    state_->avail_out = clamp_size(out.size());
    const int status = isal_inflate(state_.get());
    CodecStep step;
    step.consumed = in.size() - state_->avail_in;
    step.produced = out.size() - state_->avail_out;
    if (status == ISAL_NEED_DICT) {
      step.fault = "a zlib stream with a preset dictionary";
      step.unsupported = true;
    } else if (status == ISAL_INCORRECT_CHECKSUM && container_ == DeflateContainer::gzip) {
      // ISA-L checks the trailer's CRC-32 and length together.
      step.fault = "incorrect data check (the CRC-32 or length in the gzip trailer)";
    } else if (status < 0) {
      step.fault = inflate_fault(status);
    } else if (state_->block_state == ISAL_BLOCK_FINISH) {
      step.stream_end = true;
    }
    return step;
  }

  void restart() override { start(); }

private:
  void start() {
    isal_inflate_init(state_.get());
    switch (container_) {
    case DeflateContainer::raw:
      state_->crc_flag = ISAL_DEFLATE;
      break;
    case DeflateContainer::zlib:
      state_->crc_flag = ISAL_ZLIB;
      break;
    case DeflateContainer::gzip:
      // The header is Python's reading (gzip_header.hpp); ISA-L checks the trailer.
      state_->crc_flag = ISAL_GZIP_NO_HDR_VER;
      gzip_header_.reset();
      header_done_ = false;
      break;
    }
  }

  DeflateContainer container_;
  std::unique_ptr<inflate_state> state_; // about 100 KiB: history, tables
  GzipHeaderReader gzip_header_;
  bool header_done_ = false;
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
      throw Error(Failure::failed, "libbz2 ran out of memory while decompressing",
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
