#pragma once

// Private to the inspect module's decompressors: reading a compressed stream bit by bit. DEFLATE
// packs bits from the least significant end of each byte, bzip2 from the most significant.
//
// Both readers keep up to 64 bits in a register. Past the end of the stream they supply zero
// bits, counted as padding, so that a decoder can look ahead freely; consuming a padding bit is a
// truncation error (check_not_past_end).

#include "input_buffer.hpp"

#include <cstdint>
#include <string_view>

namespace mlv::inspect::decode {

// Bits from the least significant end (RFC 1951, 3.1.1).
class LsbBitReader {
public:
  // After refill() at least this many bits are available.
  static constexpr unsigned k_refill_bits = 56;

  explicit LsbBitReader(InputBuffer& input) : input_(input) {}

  void refill() {
    if (count_ >= k_refill_bits) {
      return;
    }
    if (input_.available() >= 8) {
      // Load eight bytes, keep the whole ones that fit; the bits above count_ then hold the next
      // bytes' bits, which the next load ORs in again unchanged.
      bits_ |= load_le64(input_.data()) << count_;
      input_.advance((63 - count_) >> 3);
      count_ |= k_refill_bits;
      return;
    }
    refill_byte_by_byte();
  }

  // The next bits, the first in the least significant position; callers mask what they use.
  std::uint64_t peek() const { return bits_; }
  void drop(unsigned n) {
    bits_ >>= n;
    count_ -= n;
  }
  // The next `n` bits (n ≤ 32) as a number, first bit least significant.
  std::uint32_t bits(unsigned n) {
    refill();
    const auto value = static_cast<std::uint32_t>(bits_ & ((std::uint64_t{1} << n) - 1));
    drop(n);
    check_not_past_end();
    return value;
  }
  void check_not_past_end() const {
    if (count_ < padding_) {
      input_.fail_truncated();
    }
  }
  // Offset of the byte holding the next bit, for messages.
  std::uint64_t offset() const { return input_.offset() - (count_ - padding_) / 8; }
  [[noreturn]] void fail(std::string_view what) const { input_.fail_at(offset(), what); }

  // Skips to the next byte boundary and gives the whole bytes still held back to the input, which
  // then continues exactly after the last bit consumed.
  void return_unused_bytes() {
    drop(count_ % 8);
    check_not_past_end();
    input_.unread((count_ - padding_) / 8);
    bits_ = 0;
    count_ = 0;
    padding_ = 0;
  }

private:
  static std::uint64_t load_le64(const unsigned char* data) {
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i) {
      value = (value << 8) | data[i];
    }
    return value;
  }

  void refill_byte_by_byte() {
    while (count_ <= k_refill_bits) {
      if (input_.fill()) {
        bits_ |= std::uint64_t{input_.data()[0]} << count_;
        input_.advance(1);
      } else {
        padding_ += 8;
      }
      count_ += 8;
    }
  }

  InputBuffer& input_;
  std::uint64_t bits_ = 0;
  unsigned count_ = 0;   // bits held, padding included
  unsigned padding_ = 0; // zero bits held beyond the end of the stream
};

// Bits from the most significant end (bzip2).
class MsbBitReader {
public:
  explicit MsbBitReader(InputBuffer& input) : input_(input) {}

  // The next `n` bits (n ≤ 32) as a number, first bit most significant.
  std::uint32_t bits(unsigned n) {
    const std::uint32_t value = peek(n);
    drop(n);
    return value;
  }
  bool bit() { return bits(1) != 0; }
  // The next `n` bits (n ≤ 32) without consuming them; zeros past the end of the stream.
  std::uint32_t peek(unsigned n) {
    while (count_ < n) {
      if (input_.fill()) {
        bits_ = (bits_ << 8) | input_.data()[0];
        input_.advance(1);
      } else {
        bits_ <<= 8;
        padding_ += 8;
      }
      count_ += 8;
    }
    return static_cast<std::uint32_t>((bits_ >> (count_ - n)) & ((std::uint64_t{1} << n) - 1));
  }
  void drop(unsigned n) {
    count_ -= n;
    if (count_ < padding_) {
      input_.fail_truncated();
    }
  }
  // As LsbBitReader::return_unused_bytes.
  void return_unused_bytes() {
    drop(count_ % 8);
    input_.unread((count_ - padding_) / 8);
    bits_ = 0;
    count_ = 0;
    padding_ = 0;
  }
  // Offset of the byte holding the next bit, for messages.
  std::uint64_t offset() const { return input_.offset() - (count_ - padding_) / 8; }
  [[noreturn]] void fail(std::string_view what) const { input_.fail_at(offset(), what); }

private:
  InputBuffer& input_;
  std::uint64_t bits_ = 0;
  unsigned count_ = 0;
  unsigned padding_ = 0;
};

} // namespace mlv::inspect::decode
