#pragma once

// Bounds-checked reads of a model file's headers.

#include <mlv/formats/byte_source.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace mlv::formats {

// Stops an inspection: Error(bad_input) "<file>: <format>: <what>", with a hint to re-download
// or re-export the file. Every reader reports damaged or hostile bytes through this.
[[noreturn]] void
fail_bad_input(const ByteSource& source, std::string_view format, const std::string& what);

// Sequential little-endian reads of a byte range of a source, through a small window so that a
// header of many small fields costs few reads. A read past the range is Error(bad_input) naming
// the file, the format and the offset: a length taken from the file can never make it read, or
// allocate, more than the file holds.
class SourceCursor {
public:
  SourceCursor(const ByteSource& source,
               std::string format,
               std::uint64_t begin,
               std::uint64_t end);
  SourceCursor(const ByteSource& source, std::string format)
      : SourceCursor(source, std::move(format), 0, source.size()) {}

  std::uint64_t position() const { return position_; }
  std::uint64_t end() const { return end_; }
  std::uint64_t remaining() const { return end_ - position_; }
  bool at_end() const { return position_ >= end_; }

  // Moves to an absolute offset inside the range.
  void seek(std::uint64_t position);
  void skip(std::uint64_t count);

  std::uint8_t u8();
  std::uint16_t u16() { return static_cast<std::uint16_t>(uint_le(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(uint_le(4)); }
  std::uint64_t u64() { return uint_le(8); }
  // An unsigned little-endian integer of 1 to 8 bytes (HDF5 offsets and lengths vary).
  std::uint64_t uint_le(unsigned width);
  // `count` bytes; at most k_max_field_bytes, which no header field mlv reads comes near.
  std::string bytes(std::uint64_t count);

  // Error(bad_input) about the bytes at the current position.
  [[noreturn]] void fail(const std::string& what) const;
  const ByteSource& source() const { return source_; }
  const std::string& format() const { return format_; }

  static constexpr std::uint64_t k_max_field_bytes = 128ull << 20;

private:
  void require(std::uint64_t count) const;
  // Makes [position_, position_ + count) available in window_.
  std::string_view view(std::size_t count);

  const ByteSource& source_;
  std::string format_;
  std::uint64_t end_;
  std::uint64_t position_;
  std::string window_;
  std::uint64_t window_start_ = 0;
};

} // namespace mlv::formats
