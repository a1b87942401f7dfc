#pragma once

// Private to the formats module's decompressors: the ByteStream side every decoder shares.

#include "input_buffer.hpp"

#include <mlv/formats/byte_stream.hpp>

#include <exception>
#include <memory>
#include <span>

namespace mlv::formats::decode {

// A decoder that produces its output in batches into a buffer of its own. read() hands out those
// bytes; a corrupt-data error is held back until every byte decoded before it has been read.
class DecodedStream : public ByteStream {
public:
  std::size_t read(char* out, std::size_t n) final;
  // Passes over decoded bytes where they are, without copying them out.
  std::uint64_t skip(std::uint64_t n) final;
  const std::string& name() const final { return input_->name(); }

protected:
  explicit DecodedStream(std::unique_ptr<InputBuffer> input) : input_(std::move(input)) {}

  InputBuffer& input() { return *input_; }

  // Decoded bytes not yet read, and how the reader takes them.
  virtual std::span<const unsigned char> pending() const = 0;
  virtual void consume(std::size_t n) = 0;
  // Called when nothing is pending: decodes further, making bytes pending or at least consuming
  // input, or returns false at the end of the stream. Throws Error on corrupt data; bytes it made
  // pending before it threw are still delivered.
  virtual bool decode_more() = 0;

private:
  // read() into `out`, or skip() when `out` is null.
  std::uint64_t take(std::uint64_t n, char* out);

  std::unique_ptr<InputBuffer> input_;
  std::exception_ptr failure_;
  bool ended_ = false;
};

} // namespace mlv::formats::decode
