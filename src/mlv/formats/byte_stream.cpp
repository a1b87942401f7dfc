#include <mlv/formats/byte_stream.hpp>

#include <algorithm>
#include <array>
#include <cstring>

namespace mlv::formats {

namespace {

// How much a SourceStream asks its source for at a time.
constexpr std::size_t k_source_read_size = 64 << 10;
constexpr std::size_t k_discard_buffer_size = 16 << 10;

// One past the last byte of `length` bytes from `offset`, cut at the source's `size`.
std::uint64_t region_end(std::uint64_t size, std::uint64_t offset, std::uint64_t length) {
  return offset >= size ? offset : offset + std::min(length, size - offset);
}

} // namespace

std::uint64_t ByteStream::skip(std::uint64_t n) {
  std::array<char, k_discard_buffer_size> discard;
  std::uint64_t skipped = 0;
  while (skipped < n) {
    const auto want =
        static_cast<std::size_t>(std::min<std::uint64_t>(n - skipped, discard.size()));
    const std::size_t got = read(discard.data(), want);
    if (got == 0) {
      break;
    }
    skipped += got;
  }
  return skipped;
}

SourceStream::SourceStream(const ByteSource& source, std::uint64_t offset, std::uint64_t length)
    : source_(source), offset_(offset), end_(region_end(source.size(), offset, length)) {}

std::size_t SourceStream::read(char* out, std::size_t n) {
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, remaining()));
  if (n == 0) {
    return 0;
  }
  const bool buffered = offset_ >= buffer_offset_ && offset_ < buffer_offset_ + buffer_.size();
  if (!buffered) {
    const auto want =
        static_cast<std::size_t>(std::min<std::uint64_t>(k_source_read_size, remaining()));
    buffer_ = source_.read_at(offset_, want);
    buffer_offset_ = offset_;
    if (buffer_.empty()) {
      end_ = offset_; // the file shrank while we read it
      return 0;
    }
  }
  const auto start = static_cast<std::size_t>(offset_ - buffer_offset_);
  const std::size_t step = std::min(n, buffer_.size() - start);
  std::memcpy(out, buffer_.data() + start, step);
  offset_ += step;
  return step;
}

std::uint64_t SourceStream::skip(std::uint64_t n) {
  const std::uint64_t step = std::min(n, remaining());
  offset_ += step;
  return step;
}

void read_up_to(ByteStream& stream, std::string& out, std::size_t n) {
  const std::size_t start = out.size();
  std::size_t filled = 0;
  out.resize(start + n);
  try {
    while (filled < n) {
      const std::size_t got = stream.read(out.data() + start + filled, n - filled);
      if (got == 0) {
        break;
      }
      filled += got;
    }
  } catch (...) {
    out.resize(start + filled);
    throw;
  }
  out.resize(start + filled);
}

std::string read_up_to(ByteStream& stream, std::size_t n) {
  std::string out;
  read_up_to(stream, out, n);
  return out;
}

} // namespace mlv::formats
