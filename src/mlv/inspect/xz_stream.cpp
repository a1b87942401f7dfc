#include "checksums.hpp"
#include "decoded_stream.hpp"
#include "decoders.hpp"
#include "lzma2_decoder.hpp"
#include "lzma_limits.hpp"
#include "xz_check.hpp"

#include <array>
#include <string_view>
#include <vector>

namespace mlv::inspect::decode {

namespace {

// The .xz file format, version 1.2.x (tukaani.org/xz/xz-file-format.txt).
constexpr std::string_view k_header_magic("\xFD"
                                          "7zXZ\0",
                                          6);
constexpr std::string_view k_footer_magic = "YZ";
constexpr std::size_t k_stream_header_size = 12;
constexpr std::size_t k_stream_footer_size = 12;
constexpr unsigned k_index_indicator = 0x00;
constexpr unsigned k_block_filter_count_mask = 0x03;
constexpr unsigned k_block_reserved_flags = 0x3C;
constexpr unsigned k_block_has_compressed_size = 0x40;
constexpr unsigned k_block_has_uncompressed_size = 0x80;
constexpr std::uint64_t k_lzma2_filter = 0x21;
constexpr unsigned k_max_lzma2_dictionary_code = 40;
constexpr unsigned k_max_varint_bytes = 9;
// Streams, blocks and the index are aligned to four bytes.
constexpr std::uint64_t k_alignment = 4;

// Filters xz can put before LZMA2 (to make executables or tables compress better).
std::string filter_name(std::uint64_t id) {
  constexpr std::uint64_t k_delta = 0x03;
  constexpr std::uint64_t k_first_bcj = 0x04;
  constexpr std::uint64_t k_last_bcj = 0x0B;
  const std::string number = "(id " + std::to_string(id) + ")";
  if (id == k_delta) {
    return "delta " + number;
  }
  if (id >= k_first_bcj && id <= k_last_bcj) {
    return "BCJ " + number;
  }
  return number;
}

std::uint32_t le32(const unsigned char* bytes) {
  return std::uint32_t{bytes[0]} | std::uint32_t{bytes[1]} << 8 | std::uint32_t{bytes[2]} << 16 |
         std::uint32_t{bytes[3]} << 24;
}

// What the index must repeat about the blocks: their number and sizes, folded into a CRC so that
// any number of blocks costs constant memory.
struct BlockRecords {
  std::uint64_t count = 0;
  std::uint32_t digest = 0;

  void add(std::uint64_t unpadded_size, std::uint64_t uncompressed_size) {
    std::array<unsigned char, 16> record{};
    for (int i = 0; i < 8; ++i) {
      record[i] = static_cast<unsigned char>(unpadded_size >> (8 * i));
      record[8 + i] = static_cast<unsigned char>(uncompressed_size >> (8 * i));
    }
    digest = checksum::crc32(digest, record.data(), record.size());
    ++count;
  }
  bool operator==(const BlockRecords&) const = default;
};

class XzStream : public DecodedStream {
public:
  explicit XzStream(std::unique_ptr<InputBuffer> input)
      : DecodedStream(std::move(input)), lzma2_(this->input()) {}

protected:
  std::span<const unsigned char> pending() const override {
    return state_ == State::block_data ? lzma2_.pending() : std::span<const unsigned char>();
  }
  void consume(std::size_t n) override {
    check_.update(lzma2_.pending().data(), n);
    block_uncompressed_ += n;
    lzma2_.consume(n);
  }
  bool decode_more() override {
    switch (state_) {
    case State::stream_header:
      if (!read_stream_header()) {
        state_ = State::ended;
        return false;
      }
      state_ = State::block_or_index;
      return true;
    case State::block_or_index:
      read_block_or_index();
      return true;
    case State::block_data:
      if (!lzma2_.decode_more()) {
        finish_block();
        state_ = State::block_or_index;
      }
      return true;
    case State::ended:
      break;
    }
    return false;
  }

private:
  enum class State { stream_header, block_or_index, block_data, ended };

  // False at the end of the data. Like Python's lzma module, data after a stream and its padding
  // that does not begin like another stream is ignored.
  bool read_stream_header() {
    std::uint64_t padding = 0;
    if (streams_ > 0) {
      while (input().fill() && input().data()[0] == 0) {
        input().advance(1);
        ++padding;
      }
    }
    const std::uint64_t offset = input().offset();
    std::array<unsigned char, k_stream_header_size> header{};
    const std::size_t got = input().read_some(header.data(), header.size());
    const bool magic_matches = got >= k_header_magic.size() &&
                               std::string_view(reinterpret_cast<const char*>(header.data()),
                                                k_header_magic.size()) == k_header_magic;
    if (!magic_matches) {
      if (streams_ > 0) {
        return false;
      }
      input().fail_at(offset, "not an xz header");
    }
    if (padding % k_alignment != 0) {
      input().fail_at(offset, "stream padding is not a multiple of four bytes");
    }
    if (got < header.size()) {
      input().fail_truncated();
    }
    if (checksum::crc32(0, header.data() + 6, 2) != le32(header.data() + 8)) {
      input().fail_at(offset + 8, "stream header CRC mismatch");
    }
    if (header[6] != 0 || (header[7] & 0xF0) != 0) {
      input().fail_unsupported("stream flags of a later xz version");
    }
    check_id_ = header[7];
    if (!XzCheck::is_supported(check_id_)) {
      input().fail_unsupported("integrity check type " + std::to_string(check_id_));
    }
    stream_flags_ = {header[6], header[7]};
    records_ = {};
    ++streams_;
    return true;
  }

  void read_block_or_index() {
    const std::uint64_t offset = input().offset();
    const unsigned first = input().byte();
    if (first == k_index_indicator) {
      read_index_and_footer(offset);
      state_ = State::stream_header;
      return;
    }
    read_block_header(first, offset);
    state_ = State::block_data;
  }

  // A variable-length integer of the block header, within its bounds.
  std::uint64_t header_varint(const std::vector<unsigned char>& header,
                              std::size_t& pos,
                              std::size_t end,
                              std::uint64_t header_offset) {
    std::uint64_t value = 0;
    for (unsigned i = 0; i < k_max_varint_bytes && pos < end; ++i) {
      const unsigned byte = header[pos++];
      value |= std::uint64_t{byte & 0x7Fu} << (7 * i);
      if ((byte & 0x80) == 0) {
        if (byte == 0 && i > 0) {
          break; // a needless zero byte: not the shortest encoding
        }
        return value;
      }
    }
    input().fail_at(header_offset + pos, "invalid number in a block header");
  }

  void read_block_header(unsigned first, std::uint64_t offset) {
    const std::size_t size = (first + 1) * k_alignment;
    std::vector<unsigned char> header(size);
    header[0] = static_cast<unsigned char>(first);
    input().read_exact(header.data() + 1, size - 1);
    const std::size_t crc_at = size - 4;
    if (checksum::crc32(0, header.data(), crc_at) != le32(header.data() + crc_at)) {
      input().fail_at(offset + crc_at, "block header CRC mismatch");
    }
    const unsigned flags = header[1];
    if ((flags & k_block_reserved_flags) != 0) {
      input().fail_at(offset + 1, "reserved block flags are set");
    }
    std::size_t pos = 2;
    stated_compressed_.reset();
    stated_uncompressed_.reset();
    if ((flags & k_block_has_compressed_size) != 0) {
      stated_compressed_ = header_varint(header, pos, crc_at, offset);
    }
    if ((flags & k_block_has_uncompressed_size) != 0) {
      stated_uncompressed_ = header_varint(header, pos, crc_at, offset);
    }
    const unsigned filters = (flags & k_block_filter_count_mask) + 1;
    const std::uint64_t filter = header_varint(header, pos, crc_at, offset);
    const std::uint64_t properties_size = header_varint(header, pos, crc_at, offset);
    if (filters != 1 || filter != k_lzma2_filter) {
      input().fail_unsupported("the xz filter " + filter_name(filter));
    }
    if (properties_size != 1 || pos >= crc_at) {
      input().fail_at(offset + pos, "invalid LZMA2 filter properties");
    }
    const unsigned dictionary_code = header[pos++];
    if (dictionary_code > k_max_lzma2_dictionary_code) {
      input().fail_at(offset + pos - 1, "invalid LZMA2 dictionary size");
    }
    for (; pos < crc_at; ++pos) {
      if (header[pos] != 0) {
        input().fail_at(offset + pos, "non-zero block header padding");
      }
    }
    const std::uint64_t dictionary_size = dictionary_code == k_max_lzma2_dictionary_code
                                              ? 0xFFFFFFFFull
                                              : std::uint64_t{2u | (dictionary_code & 1u)}
                                                    << (dictionary_code / 2 + 11);
    check_lzma_dictionary_size(input(), dictionary_size);
    lzma2_.start(static_cast<std::uint32_t>(dictionary_size));
    check_.start(check_id_);
    block_header_size_ = size;
    block_data_offset_ = input().offset();
    block_uncompressed_ = 0;
  }

  void finish_block() {
    const std::uint64_t compressed = input().offset() - block_data_offset_;
    if (stated_compressed_ && *stated_compressed_ != compressed) {
      input().fail("the block's compressed size differs from its header's");
    }
    if (stated_uncompressed_ && *stated_uncompressed_ != block_uncompressed_) {
      input().fail("the block's uncompressed size differs from its header's");
    }
    for (std::uint64_t padded = compressed; padded % k_alignment != 0; ++padded) {
      if (input().byte() != 0) {
        input().fail_at(input().offset() - 1, "non-zero block padding");
      }
    }
    const std::uint64_t check_offset = input().offset();
    std::vector<unsigned char> stored(XzCheck::size_of(check_id_));
    input().read_exact(stored.data(), stored.size());
    if (stored != check_.finish()) {
      input().fail_at(check_offset,
                      "integrity check mismatch: the decompressed data is not what was stored");
    }
    records_.add(block_header_size_ + compressed + stored.size(), block_uncompressed_);
  }

  void read_index_and_footer(std::uint64_t offset) {
    std::uint32_t crc = 0;
    std::uint64_t size = 0;
    const auto next = [&] {
      const unsigned char byte = input().byte();
      crc = checksum::crc32(crc, &byte, 1);
      ++size;
      return byte;
    };
    const auto varint = [&] {
      std::uint64_t value = 0;
      for (unsigned i = 0; i < k_max_varint_bytes; ++i) {
        const unsigned byte = next();
        value |= std::uint64_t{byte & 0x7Fu} << (7 * i);
        if ((byte & 0x80) == 0) {
          if (byte == 0 && i > 0) {
            break;
          }
          return value;
        }
      }
      input().fail_at(input().offset() - 1, "invalid number in the index");
    };
    // The indicator byte, already read, counts for the index's size and CRC.
    const unsigned char indicator = k_index_indicator;
    crc = checksum::crc32(crc, &indicator, 1);
    size = 1;
    const std::uint64_t count = varint();
    if (count != records_.count) {
      input().fail_at(offset, "the index lists " + std::to_string(count) +
                                  " blocks, the stream has " + std::to_string(records_.count));
    }
    BlockRecords listed;
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::uint64_t unpadded = varint();
      const std::uint64_t uncompressed = varint();
      listed.add(unpadded, uncompressed);
    }
    if (!(listed == records_)) {
      input().fail_at(offset, "the index's block sizes differ from the blocks'");
    }
    while (size % k_alignment != 0) {
      if (next() != 0) {
        input().fail_at(input().offset() - 1, "non-zero index padding");
      }
    }
    std::array<unsigned char, 4> stored{};
    input().read_exact(stored.data(), stored.size());
    if (le32(stored.data()) != crc) {
      input().fail_at(input().offset() - 4, "index CRC mismatch");
    }
    read_footer(size + stored.size());
  }

  void read_footer(std::uint64_t index_size) {
    const std::uint64_t offset = input().offset();
    std::array<unsigned char, k_stream_footer_size> footer{};
    input().read_exact(footer.data(), footer.size());
    if (std::string_view(reinterpret_cast<const char*>(footer.data() + 10), 2) != k_footer_magic) {
      input().fail_at(offset + 10, "no stream footer after the index");
    }
    if (checksum::crc32(0, footer.data() + 4, 6) != le32(footer.data())) {
      input().fail_at(offset, "stream footer CRC mismatch");
    }
    if ((std::uint64_t{le32(footer.data() + 4)} + 1) * k_alignment != index_size) {
      input().fail_at(offset + 4, "the footer's index size differs from the index's");
    }
    if (footer[8] != stream_flags_[0] || footer[9] != stream_flags_[1]) {
      input().fail_at(offset + 8, "the footer's stream flags differ from the header's");
    }
  }

  Lzma2Decoder lzma2_;
  XzCheck check_;
  State state_ = State::stream_header;
  std::uint64_t streams_ = 0;
  unsigned check_id_ = 0;
  std::array<unsigned char, 2> stream_flags_{};
  BlockRecords records_;

  std::uint64_t block_header_size_ = 0;
  std::uint64_t block_data_offset_ = 0;
  std::uint64_t block_uncompressed_ = 0;
  std::optional<std::uint64_t> stated_compressed_;
  std::optional<std::uint64_t> stated_uncompressed_;
};

} // namespace

std::unique_ptr<ByteStream> make_xz_stream(std::unique_ptr<InputBuffer> input) {
  return std::make_unique<XzStream>(std::move(input));
}

} // namespace mlv::inspect::decode
