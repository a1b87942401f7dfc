#pragma once

// Private to the scan module: views the container walkers hand to the content scanner.

#include <mlv/formats/byte_source.hpp>
#include <mlv/formats/byte_stream.hpp>

#include <cstdint>
#include <string>

namespace mlv::scan::detail {

// `length` bytes of another source from `offset` (a stored zip member), with random access.
class SliceSource : public formats::ByteSource {
public:
  SliceSource(const formats::ByteSource& source,
              std::uint64_t offset,
              std::uint64_t length,
              std::string name);
  std::uint64_t size() const override { return length_; }
  std::string read_at(std::uint64_t offset, std::size_t length) const override;
  const std::string& name() const override { return name_; }

private:
  const formats::ByteSource& source_;
  std::uint64_t offset_;
  std::uint64_t length_;
  std::string name_;
};

// The next `length` bytes of another stream (a tar member), then the end.
class LimitedStream : public formats::ByteStream {
public:
  LimitedStream(formats::ByteStream& stream, std::uint64_t length)
      : stream_(stream), left_(length) {}
  std::size_t read(char* out, std::size_t n) override;
  std::uint64_t skip(std::uint64_t n) override;
  const std::string& name() const override { return stream_.name(); }
  // Bytes of the region not read yet.
  std::uint64_t left() const { return left_; }

private:
  formats::ByteStream& stream_;
  std::uint64_t left_;
};

// Bytes already read from a stream to look at them (`head`), then the rest of that stream.
class PrefixedStream : public formats::ByteStream {
public:
  PrefixedStream(std::string head, formats::ByteStream& rest)
      : head_(std::move(head)), rest_(rest) {}
  std::size_t read(char* out, std::size_t n) override;
  std::uint64_t skip(std::uint64_t n) override;
  const std::string& name() const override { return rest_.name(); }

private:
  std::string head_;
  std::size_t position_ = 0;
  formats::ByteStream& rest_;
};

// Another stream, not owned: for an API that takes ownership of what it reads from.
class BorrowedStream : public formats::ByteStream {
public:
  explicit BorrowedStream(formats::ByteStream& stream) : stream_(stream) {}
  std::size_t read(char* out, std::size_t n) override { return stream_.read(out, n); }
  std::uint64_t skip(std::uint64_t n) override { return stream_.skip(n); }
  const std::string& name() const override { return stream_.name(); }

private:
  formats::ByteStream& stream_;
};

} // namespace mlv::scan::detail
