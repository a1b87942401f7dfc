#pragma once

// Private to the formats module's decompressors: the compressed bytes a decoder reads.

#include <mlv/formats/byte_stream.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::formats::decode {

// Buffers the compressed stream beneath a decoder and knows the offset of every byte, so that an
// error can say where the damage is.
class InputBuffer {
public:
  // `format` names the data in messages ("gzip", "xz"); see set_format.
  InputBuffer(std::unique_ptr<ByteStream> source, std::string format);

  const std::string& name() const { return source_->name(); }
  // For a container whose payload is in another format (joblib's ZF header, then zlib).
  void set_format(std::string format) { format_ = std::move(format); }

  // Offset in the compressed stream of the next byte.
  std::uint64_t offset() const { return buffer_offset_ + pos_; }

  // Direct access for decoders: the buffered bytes not yet consumed.
  std::size_t available() const { return end_ - pos_; }
  const unsigned char* data() const { return buffer_.data() + pos_; }
  void advance(std::size_t n) { pos_ += n; }
  // Buffers more bytes when none are left; false at the end of the stream.
  bool fill() { return available() > 0 || refill(); }
  bool at_end() { return !fill(); }

  // The next byte; a truncation error at the end of the stream.
  unsigned char byte() {
    if (!fill()) {
      fail_truncated();
    }
    return buffer_[pos_++];
  }
  // Exactly `n` bytes, or a truncation error.
  void read_exact(unsigned char* out, std::size_t n);
  // Up to `n` bytes; 0 only at the end of the stream.
  std::size_t read_some(unsigned char* out, std::size_t n);
  // Skips exactly `n` bytes, or a truncation error.
  void skip_exact(std::uint64_t n);

  // Error(bad_input): "<name>: corrupt <format> data at compressed byte <offset>: <what>".
  [[noreturn]] void fail(std::string_view what) const { fail_at(offset(), what); }
  [[noreturn]] void fail_at(std::uint64_t offset, std::string_view what) const;
  [[noreturn]] void fail_truncated() const;
  // Error(bad_input) for a valid stream that uses a feature mlv does not decode.
  [[noreturn]] void fail_unsupported(std::string_view what) const;

private:
  bool refill();

  std::unique_ptr<ByteStream> source_;
  std::string format_;
  std::vector<unsigned char> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::uint64_t buffer_offset_ = 0; // stream offset of buffer_[0]
  bool source_ended_ = false;
};

} // namespace mlv::formats::decode
