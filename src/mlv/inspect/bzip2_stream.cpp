#include "bit_readers.hpp"
#include "bzip2_block.hpp"
#include "checksums.hpp"
#include "decoded_stream.hpp"
#include "decoders.hpp"

#include <array>
#include <cstring>
#include <string_view>

namespace mlv::inspect::decode {

namespace {

// Stream header "BZh" and the block size digit '1'..'9' (hundreds of kB).
constexpr std::string_view k_stream_magic = "BZh";
constexpr std::uint32_t k_block_size_unit = 100000;
// 48-bit markers: the digits of pi before a block, of sqrt(pi) before the stream's CRC.
constexpr std::uint64_t k_block_magic = 0x314159265359;
constexpr std::uint64_t k_end_magic = 0x177245385090;
// The first stage writes a run of 4 to 255 equal bytes as four of them and a count of the rest.
constexpr unsigned k_run_threshold = 4;
constexpr std::size_t k_output_batch = 64 << 10;

// One or more bzip2 streams, one after the other: blocks of Huffman-coded, move-to-front and
// run-length coded Burrows-Wheeler transforms, each with a CRC, and a combined CRC at the stream's
// end.
class Bzip2Stream : public DecodedStream {
public:
  explicit Bzip2Stream(std::unique_ptr<InputBuffer> input)
      : DecodedStream(std::move(input)), bits_(this->input()), output_(k_output_batch) {}

protected:
  std::span<const unsigned char> pending() const override {
    return {output_.data() + read_pos_, write_pos_ - read_pos_};
  }
  void consume(std::size_t n) override { read_pos_ += n; }
  bool decode_more() override {
    switch (state_) {
    case State::stream_header:
      if (!read_stream_header()) {
        state_ = State::ended;
        return false;
      }
      state_ = State::block_header;
      return true;
    case State::block_header:
      read_block_header();
      return true;
    case State::block_data:
      write_block_bytes();
      return true;
    case State::ended:
      break;
    }
    return false;
  }

private:
  enum class State { stream_header, block_header, block_data, ended };

  // False at the end of the data. Like Python's bz2 module, data after a stream that does not
  // begin like another stream is ignored.
  bool read_stream_header() {
    const std::uint64_t offset = input().offset();
    std::array<unsigned char, k_stream_magic.size() + 1> header{};
    const std::size_t got = input().read_some(header.data(), header.size());
    const std::string_view magic(reinterpret_cast<const char*>(header.data()),
                                 k_stream_magic.size());
    const unsigned char level = header.back();
    if (got < header.size() || magic != k_stream_magic || level < '1' || level > '9') {
      if (streams_ > 0) {
        return false;
      }
      if (got < header.size()) {
        input().fail_truncated();
      }
      input().fail_at(offset, "not a bzip2 header");
    }
    max_block_size_ = static_cast<std::uint32_t>(level - '0') * k_block_size_unit;
    combined_crc_ = 0;
    ++streams_;
    return true;
  }

  void read_block_header() {
    const std::uint64_t offset = bits_.offset();
    const std::uint64_t high = bits_.bits(24);
    const std::uint64_t magic = high << 24 | bits_.bits(24);
    if (magic == k_block_magic) {
      read_bzip2_block(bits_, max_block_size_, block_);
      position_ = block_.links[block_.start] >> 8;
      left_ = block_.size;
      run_byte_ = -1;
      run_length_ = 0;
      repeats_left_ = 0;
      block_crc_ = 0;
      block_offset_ = offset;
      state_ = State::block_data;
      return;
    }
    if (magic != k_end_magic) {
      input().fail_at(offset, "no block or end-of-stream marker where one belongs");
    }
    const std::uint64_t crc_offset = bits_.offset();
    const std::uint32_t crc_high = bits_.bits(16);
    const std::uint32_t stored = crc_high << 16 | bits_.bits(16);
    if (stored != combined_crc_) {
      input().fail_at(crc_offset, "the stream's combined CRC does not match its blocks");
    }
    // A stream ends at a byte boundary; another may follow.
    bits_.return_unused_bytes();
    state_ = State::stream_header;
  }

  // Follows the block's links and undoes the first stage's run-length coding, a batch at a time.
  void write_block_bytes() {
    read_pos_ = write_pos_ = 0;
    unsigned char* const out = output_.data();
    std::size_t pos = 0;
    while (pos < output_.size()) {
      if (repeats_left_ > 0) {
        const std::size_t step = std::min<std::size_t>(repeats_left_, output_.size() - pos);
        std::memset(out + pos, run_byte_, step);
        pos += step;
        repeats_left_ -= static_cast<unsigned>(step);
        continue;
      }
      if (left_ == 0) {
        break;
      }
      const std::uint32_t entry = block_.links[position_];
      position_ = entry >> 8;
      --left_;
      const auto byte = static_cast<int>(entry & 0xFF);
      if (run_length_ == k_run_threshold) {
        repeats_left_ = static_cast<unsigned>(byte);
        run_length_ = 0;
        continue;
      }
      run_length_ = byte == run_byte_ ? run_length_ + 1 : 1;
      run_byte_ = byte;
      out[pos++] = static_cast<unsigned char>(byte);
    }
    write_pos_ = pos;
    block_crc_ = checksum::bzip2_crc(block_crc_, out, pos);
    if (left_ == 0 && repeats_left_ == 0) {
      finish_block();
    }
  }

  void finish_block() {
    if (block_crc_ != block_.stored_crc) {
      input().fail_at(block_offset_, "block CRC mismatch: the block starting here decompresses "
                                     "to other data than was stored");
    }
    combined_crc_ = (combined_crc_ << 1 | combined_crc_ >> 31) ^ block_crc_;
    state_ = State::block_header;
  }

  MsbBitReader bits_;
  State state_ = State::stream_header;
  std::uint64_t streams_ = 0;
  std::uint32_t max_block_size_ = 0;
  std::uint32_t combined_crc_ = 0;

  Bzip2Block block_;
  std::uint64_t block_offset_ = 0;
  std::uint32_t block_crc_ = 0;
  std::uint32_t position_ = 0;
  std::uint32_t left_ = 0; // entries of the block not yet followed
  int run_byte_ = -1;      // the last byte written, -1 at a block's start
  unsigned run_length_ = 0;
  unsigned repeats_left_ = 0;

  std::vector<unsigned char> output_;
  std::size_t read_pos_ = 0;
  std::size_t write_pos_ = 0;
};

} // namespace

std::unique_ptr<ByteStream> make_bzip2_stream(std::unique_ptr<InputBuffer> input) {
  return std::make_unique<Bzip2Stream>(std::move(input));
}

} // namespace mlv::inspect::decode
