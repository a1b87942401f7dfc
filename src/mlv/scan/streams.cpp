#include "streams.hpp"

#include <algorithm>
#include <cstring>

namespace mlv::scan::detail {

SliceSource::SliceSource(const formats::ByteSource& source,
                         std::uint64_t offset,
                         std::uint64_t length,
                         std::string name)
    : source_(source), offset_(std::min(offset, source.size())),
      length_(std::min(length, source.size() - offset_)), name_(std::move(name)) {}

std::string SliceSource::read_at(std::uint64_t offset, std::size_t length) const {
  if (offset >= length_) {
    return {};
  }
  return source_.read_at(offset_ + offset, static_cast<std::size_t>(
                                               std::min<std::uint64_t>(length, length_ - offset)));
}

std::size_t LimitedStream::read(char* out, std::size_t n) {
  const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(n, left_));
  if (want == 0) {
    return 0;
  }
  const std::size_t got = stream_.read(out, want);
  left_ = got == 0 ? 0 : left_ - got;
  return got;
}

std::uint64_t LimitedStream::skip(std::uint64_t n) {
  const std::uint64_t moved = stream_.skip(std::min(n, left_));
  left_ -= moved;
  return moved;
}

std::size_t PrefixedStream::read(char* out, std::size_t n) {
  if (position_ < head_.size()) {
    const std::size_t step = std::min(n, head_.size() - position_);
    std::memcpy(out, head_.data() + position_, step);
    position_ += step;
    return step;
  }
  return rest_.read(out, n);
}

std::uint64_t PrefixedStream::skip(std::uint64_t n) {
  const std::uint64_t from_head = std::min<std::uint64_t>(n, head_.size() - position_);
  position_ += static_cast<std::size_t>(from_head);
  return from_head + (n > from_head ? rest_.skip(n - from_head) : 0);
}

} // namespace mlv::scan::detail
