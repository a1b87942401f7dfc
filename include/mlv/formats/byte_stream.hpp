#pragma once

#include <mlv/formats/byte_source.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace mlv::formats {

// Bytes read once, front to back: a file region, or what a decompressor makes of another stream.
// Unlike a ByteSource it has no size and no random access, so a compressed pickle can be scanned
// without holding it whole.
class ByteStream {
public:
  virtual ~ByteStream() = default;
  // Up to `n` bytes into `out`; 0 only at the end of the stream. Throws mlv::Error on corrupt
  // input, after having delivered every byte decoded before the fault.
  virtual std::size_t read(char* out, std::size_t n) = 0;
  // Passes over up to `n` bytes; returns how many, fewer only at the end. Reads and discards
  // unless the stream can move ahead without decoding.
  virtual std::uint64_t skip(std::uint64_t n);
  // What the bytes are called in messages: a path, or a description.
  virtual const std::string& name() const = 0;
};

// A ByteSource read sequentially through a buffer, from `offset` for at most `length` bytes (a
// zip member's data, say), never past the source's end. The source must outlive the stream.
// Skipping only moves the offset.
class SourceStream : public ByteStream {
public:
  explicit SourceStream(const ByteSource& source,
                        std::uint64_t offset = 0,
                        std::uint64_t length = UINT64_MAX);

  std::size_t read(char* out, std::size_t n) override;
  std::uint64_t skip(std::uint64_t n) override;
  const std::string& name() const override { return source_.name(); }

private:
  // How many bytes are left before the region's end, counting those buffered.
  std::uint64_t remaining() const { return end_ - offset_; }

  const ByteSource& source_;
  std::uint64_t offset_; // of the next byte to hand out
  std::uint64_t end_;    // one past the region's last byte, within the source
  std::string buffer_;   // bytes from buffer_offset_ on, as last read from the source
  std::uint64_t buffer_offset_ = 0;
};

// Appends up to `n` bytes of `stream` to `out`, fewer only where the stream ends. When the stream
// throws, the bytes read before the fault stay in `out`.
void read_up_to(ByteStream& stream, std::string& out, std::size_t n);
// The next `n` bytes of `stream`, or fewer where it ends.
std::string read_up_to(ByteStream& stream, std::size_t n);

} // namespace mlv::formats
