#include "decoded_stream.hpp"
#include "decoders.hpp"

#include <mlv/formats/decompress.hpp>
#include <mlv/util/error.hpp>

#include <vector>

namespace mlv::formats::decode {

namespace {

// Decoded bytes are handed out of a buffer this large: big enough that a library call decodes a
// good batch, small enough that memory stays bounded whatever the stream holds.
constexpr std::size_t k_output_buffer_size = 256 << 10;

class CodecStream : public DecodedStream {
public:
  CodecStream(std::unique_ptr<InputBuffer> input,
              std::unique_ptr<Codec> codec,
              Members members,
              std::function<void(InputBuffer&)> header)
      : DecodedStream(std::move(input)), codec_(std::move(codec)), members_(members),
        header_(std::move(header)), output_(k_output_buffer_size) {}

  bool stopped_at_output_limit() const { return stopped_at_limit_; }

protected:
  std::span<const unsigned char> pending() const override {
    return {output_.data() + read_pos_, write_pos_ - read_pos_};
  }
  void consume(std::size_t n) override { read_pos_ += n; }

  bool decode_more() override {
    if (header_) {
      header_(input());
      header_ = {};
    }
    read_pos_ = write_pos_ = 0;
    while (!ended_) {
      if (between_streams_ && !start_next_stream()) {
        ended_ = true;
        break;
      }
      const bool input_ended = !input().fill();
      const CodecStep step =
          codec_->run({input().data(), input().available()}, output_, input_ended);
      input().advance(step.consumed);
      write_pos_ = step.produced;
      total_out_ += step.produced;
      member_output_ += step.produced;
      if (!step.fault.empty()) {
        // Python's bz2 and lz4 readers ignore data after a stream that does not start another.
        if (members_ == Members::concatenated && later_member_ && member_output_ == 0) {
          ended_ = true;
          break;
        }
        if (step.unsupported) {
          input().fail_unsupported(step.fault);
        }
        input().fail(step.fault);
      }
      check_output_limit();
      if (step.stream_end) {
        between_streams_ = true;
        if (members_ == Members::one) {
          ended_ = true;
        }
      } else if (input_ended && step.produced == 0 && step.consumed == 0) {
        input().fail_truncated();
      }
      if (step.produced > 0 || step.consumed > 0) {
        return true;
      }
    }
    return write_pos_ > read_pos_;
  }

private:
  // After a stream's end: true when another one follows (the codec is then ready for it).
  bool start_next_stream() {
    if (members_ == Members::zero_padded_members) {
      while (input().fill() && *input().data() == 0) {
        input().advance(1);
      }
    }
    if (!input().fill()) {
      return false;
    }
    codec_->restart();
    between_streams_ = false;
    later_member_ = true;
    member_output_ = 0;
    return true;
  }

  void check_output_limit() {
    const std::uint64_t consumed = input().offset() > 0 ? input().offset() : 1;
    const bool too_large = total_out_ > k_max_decompressed_bytes;
    const bool too_dense =
        total_out_ > k_ratio_checked_from && total_out_ / consumed > k_max_compression_ratio;
    if (!too_large && !too_dense) {
      return;
    }
    stopped_at_limit_ = true;
    throw Error(Failure::invalid_input,
                name() + ": refused as a decompression bomb: " + std::to_string(consumed) +
                    " compressed bytes decompress to more than " + std::to_string(total_out_) +
                    " bytes" +
                    (too_large ? " (the limit is 64 GiB per stream)"
                               : " (past 1 GiB, more than 20000 times the compressed size)"),
                "mlv decompresses at most 64 GiB per stream, and past 1 GiB at most 20000 bytes "
                "for each compressed byte (docs/formats-detection.md); decompress the file "
                "yourself if it is genuine");
  }

  std::unique_ptr<Codec> codec_;
  Members members_;
  std::function<void(InputBuffer&)> header_;
  std::vector<unsigned char> output_;
  std::size_t read_pos_ = 0;
  std::size_t write_pos_ = 0;
  std::uint64_t total_out_ = 0;
  std::uint64_t member_output_ = 0; // decoded from the current stream
  bool later_member_ = false;       // the current stream is not the first
  bool between_streams_ = false;
  bool ended_ = false;
  bool stopped_at_limit_ = false;
};

} // namespace

std::unique_ptr<ByteStream> make_codec_stream(std::unique_ptr<InputBuffer> input,
                                              std::unique_ptr<Codec> codec,
                                              Members members,
                                              std::function<void(InputBuffer&)> header) {
  return std::make_unique<CodecStream>(std::move(input), std::move(codec), members,
                                       std::move(header));
}

} // namespace mlv::formats::decode

namespace mlv::formats {

bool stopped_at_output_limit(const ByteStream& stream) {
  const auto* codec_stream = dynamic_cast<const decode::CodecStream*>(&stream);
  return codec_stream != nullptr && codec_stream->stopped_at_output_limit();
}

} // namespace mlv::formats
