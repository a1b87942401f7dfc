#include <mlv/formats/source_cursor.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>

namespace mlv::formats {

namespace {

// Bytes fetched per read: a few small fields never cost one read each.
constexpr std::size_t k_window_bytes = 64 << 10;

} // namespace

void fail_bad_input(const ByteSource& source, std::string_view format, const std::string& what) {
  throw Error(Failure::invalid_input, source.name() + ": " + std::string(format) + ": " + what,
              "the file is damaged, truncated or not really " + std::string(format) +
                  "; re-download or re-export it");
}

SourceCursor::SourceCursor(const ByteSource& source,
                           std::string format,
                           std::uint64_t begin,
                           std::uint64_t end)
    : source_(source), format_(std::move(format)), end_(std::min(end, source.size())),
      position_(std::min(begin, end_)) {
  if (begin > end || end > source.size()) {
    fail("a range of bytes " + std::to_string(begin) + " to " + std::to_string(end) +
         " lies past the end of the file (" + std::to_string(source.size()) + " bytes)");
  }
}

void SourceCursor::fail(const std::string& what) const {
  fail_bad_input(source_, format_, what + " (at byte " + std::to_string(position_) + ")");
}

void SourceCursor::require(std::uint64_t count) const {
  if (count > remaining()) {
    fail("needs " + std::to_string(count) + " bytes but only " + std::to_string(remaining()) +
         " remain");
  }
}

void SourceCursor::seek(std::uint64_t position) {
  if (position > end_) {
    fail("an offset " + std::to_string(position) + " points past the end (" + std::to_string(end_) +
         ")");
  }
  position_ = position;
}

void SourceCursor::skip(std::uint64_t count) {
  require(count);
  position_ += count;
}

std::string_view SourceCursor::view(std::size_t count) {
  require(count);
  const bool inside =
      position_ >= window_start_ && position_ - window_start_ + count <= window_.size();
  if (!inside) {
    window_start_ = position_;
    const auto wanted = std::min<std::uint64_t>(std::max(count, k_window_bytes), remaining());
    window_ = source_.read_at(position_, static_cast<std::size_t>(wanted));
    if (window_.size() < count) {
      fail("the file ended early (it may have shrunk while being read)");
    }
  }
  const auto at = static_cast<std::size_t>(position_ - window_start_);
  position_ += count;
  return std::string_view(window_).substr(at, count);
}

std::uint8_t SourceCursor::u8() {
  return static_cast<std::uint8_t>(view(1)[0]);
}

std::uint64_t SourceCursor::uint_le(unsigned width) {
  const auto bytes = view(width);
  std::uint64_t value = 0;
  for (unsigned i = 0; i < width; ++i) {
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  }
  return value;
}

std::string SourceCursor::bytes(std::uint64_t count) {
  if (count > k_max_field_bytes) {
    fail("a field of " + std::to_string(count) + " bytes is larger than any header mlv reads");
  }
  require(count);
  if (count > k_window_bytes) {
    // Large fields bypass the window rather than grow it.
    auto out = source_.read_at(position_, static_cast<std::size_t>(count));
    if (out.size() < count) {
      fail("the file ended early (it may have shrunk while being read)");
    }
    position_ += count;
    return out;
  }
  return std::string(view(static_cast<std::size_t>(count)));
}

} // namespace mlv::formats
