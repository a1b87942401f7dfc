#pragma once

#include <mlv/formats/byte_stream.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace mlv::formats {

// The bytes a pickle machine reads: a ByteStream read through a buffer, with the offset of every
// byte, a limit a nested reader may not cross, and a "detour" (bytes read ahead that must be
// read again next), as joblib needs around the array data it places after a pickle frame.
// A stream that turns out corrupt (a damaged compressed stream) reads as ending there; the
// message is kept in stream_error().
class PickleInput {
public:
  explicit PickleInput(ByteStream& stream, std::uint64_t first_offset = 0);
  PickleInput(const PickleInput&) = delete;
  PickleInput& operator=(const PickleInput&) = delete;

  // The offset of the next byte, counted from the stream's start (plus `first_offset`).
  std::uint64_t offset() const;
  const std::string& name() const { return stream_.name(); }

  // The next byte, or nothing at the end (or at the limit).
  std::optional<unsigned char> next_byte();
  // Up to `n` bytes (fewer only at the end) appended to `out`, keeping at most `keep` of them
  // in `out`: the rest are skipped, cheaply where the stream can. Returns how many were passed.
  std::uint64_t read(std::string& out, std::uint64_t n, std::uint64_t keep);
  // Appends the bytes up to the next '\n' (which is consumed, not stored) to `out`, keeping at
  // most `keep` of them. False when the data ends before a newline.
  bool read_line(std::string& out, std::size_t keep);
  std::uint64_t skip(std::uint64_t n);
  // Up to `n` bytes ahead without consuming them (fewer at the end or the limit).
  std::string_view peek(std::size_t n);

  // Makes `bytes`, which were read from `offset`, the next ones read; then reading continues
  // where it is now. Only one detour at a time.
  void detour(std::string bytes, std::uint64_t offset);

  // Reading ends after `n` more bytes, until the Limit is destroyed (limits nest).
  class Limit {
  public:
    Limit(PickleInput& input, std::uint64_t n);
    ~Limit();
    Limit(const Limit&) = delete;
    Limit& operator=(const Limit&) = delete;
    // How many of the `n` bytes were not read.
    std::uint64_t left() const { return input_.limit_; }

  private:
    PickleInput& input_;
    std::uint64_t outer_;
    std::uint64_t granted_;
  };

  // Why the stream ended early, when it did (empty otherwise).
  const std::string& stream_error() const { return stream_error_; }

private:
  // Contiguous bytes available now (from the detour, else the buffer, refilled as needed),
  // cut at the limit; empty only at the end.
  std::string_view window();
  void consume(std::size_t n);
  bool refill();

  static constexpr std::uint64_t k_no_limit = std::numeric_limits<std::uint64_t>::max();

  ByteStream& stream_;
  std::string buffer_;
  std::size_t position_ = 0;        // next byte in buffer_
  std::uint64_t buffer_offset_ = 0; // offset of buffer_[0]
  std::string detour_;
  std::size_t detour_position_ = 0;
  std::uint64_t detour_offset_ = 0;
  std::uint64_t limit_ = k_no_limit; // bytes that may still be read
  bool at_end_ = false;
  std::string stream_error_;
};

} // namespace mlv::formats
