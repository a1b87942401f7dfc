#include "checksums.hpp"
#include "decoded_stream.hpp"
#include "decoders.hpp"
#include "inflate.hpp"

#include <array>

namespace mlv::inspect::decode {

namespace {

// RFC 1952, 2.3.
constexpr unsigned char k_magic_1 = 0x1f;
constexpr unsigned char k_magic_2 = 0x8b;
constexpr unsigned char k_deflate_method = 8;
constexpr unsigned k_header_crc_flag = 0x02;
constexpr unsigned k_extra_field_flag = 0x04;
constexpr unsigned k_file_name_flag = 0x08;
constexpr unsigned k_comment_flag = 0x10;
constexpr unsigned k_reserved_flags = 0xE0;
// MTIME (4), XFL (1), OS (1): read only for the header CRC.
constexpr std::size_t k_fixed_fields_after_flags = 6;

// One or more gzip members, each a header, DEFLATE data, and the CRC-32 and length (mod 2^32) of
// its data. Like gzip(1) and Python, zero bytes after a member are padding, not an error.
class GzipStream : public DecodedStream {
public:
  explicit GzipStream(std::unique_ptr<InputBuffer> input)
      : DecodedStream(std::move(input)), inflater_(this->input()) {}

protected:
  std::span<const unsigned char> pending() const override { return inflater_.pending(); }
  void consume(std::size_t n) override {
    crc_ = checksum::crc32(crc_, inflater_.pending().data(), n);
    size_ += static_cast<std::uint32_t>(n); // ISIZE is the size modulo 2^32
    inflater_.consume(n);
  }
  bool decode_more() override {
    switch (state_) {
    case State::between_members:
      if (!start_member()) {
        state_ = State::ended;
        return false;
      }
      state_ = State::in_member;
      return true;
    case State::in_member:
      if (!inflater_.decode_more()) {
        check_trailer();
        state_ = State::between_members;
      }
      return true;
    case State::ended:
      break;
    }
    return false;
  }

private:
  enum class State { between_members, in_member, ended };

  // False at the end of the input after the last member.
  bool start_member() {
    if (members_ > 0) {
      while (input().fill() && input().data()[0] == 0) {
        input().advance(1);
      }
      if (input().at_end()) {
        return false;
      }
    }
    read_header();
    ++members_;
    inflater_.reset();
    crc_ = 0;
    size_ = 0;
    return true;
  }

  void read_header() {
    const std::uint64_t start = input().offset();
    std::uint32_t header_crc = 0;
    const auto next = [&] {
      const unsigned char byte = input().byte();
      header_crc = checksum::crc32(header_crc, &byte, 1);
      return byte;
    };
    if (next() != k_magic_1 || next() != k_magic_2) {
      input().fail_at(start, members_ == 0 ? "not a gzip header"
                                           : "data after the last gzip member is no gzip member");
    }
    if (const unsigned method = next(); method != k_deflate_method) {
      input().fail_at(start + 2,
                      "compression method " + std::to_string(method) + " is not deflate (8)");
    }
    const unsigned flags = next();
    if ((flags & k_reserved_flags) != 0) {
      input().fail_at(start + 3, "reserved header flags are set");
    }
    for (std::size_t i = 0; i < k_fixed_fields_after_flags; ++i) {
      next();
    }
    if ((flags & k_extra_field_flag) != 0) {
      const unsigned low = next();
      const unsigned extra_length = low | next() << 8;
      for (unsigned i = 0; i < extra_length; ++i) {
        next();
      }
    }
    // The file name and the comment are zero-terminated, and may be of any length.
    if ((flags & k_file_name_flag) != 0) {
      while (next() != 0) {
      }
    }
    if ((flags & k_comment_flag) != 0) {
      while (next() != 0) {
      }
    }
    if ((flags & k_header_crc_flag) != 0) {
      const std::uint32_t expected = header_crc & 0xFFFF;
      const std::uint64_t offset = input().offset();
      const unsigned low = input().byte();
      const unsigned stored = low | input().byte() << 8;
      if (stored != expected) {
        input().fail_at(offset, "header CRC mismatch");
      }
    }
  }

  void check_trailer() {
    std::array<unsigned char, 8> trailer{};
    const std::uint64_t offset = input().offset();
    input().read_exact(trailer.data(), trailer.size());
    const auto le32 = [&](std::size_t at) {
      return std::uint32_t{trailer[at]} | std::uint32_t{trailer[at + 1]} << 8 |
             std::uint32_t{trailer[at + 2]} << 16 | std::uint32_t{trailer[at + 3]} << 24;
    };
    if (le32(0) != crc_) {
      input().fail_at(offset, "CRC-32 mismatch: the decompressed data is not what was stored");
    }
    if (le32(4) != size_) {
      input().fail_at(offset + 4, "the member's stored length differs from its data's");
    }
  }

  Inflater inflater_;
  State state_ = State::between_members;
  std::uint64_t members_ = 0;
  std::uint32_t crc_ = 0;
  std::uint32_t size_ = 0;
};

} // namespace

std::unique_ptr<ByteStream> make_gzip_stream(std::unique_ptr<InputBuffer> input) {
  return std::make_unique<GzipStream>(std::move(input));
}

} // namespace mlv::inspect::decode
