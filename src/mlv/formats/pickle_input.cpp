#include <mlv/formats/pickle_input.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>

namespace mlv::formats {

namespace {

// How much is asked of the stream at a time: large enough that a buffered read is rare next to
// the opcodes it feeds.
constexpr std::size_t k_read_size = 256 << 10;

} // namespace

PickleInput::PickleInput(ByteStream& stream, std::uint64_t first_offset)
    : stream_(stream), buffer_offset_(first_offset) {}

std::uint64_t PickleInput::offset() const {
  if (detour_position_ < detour_.size()) {
    return detour_offset_ + detour_position_;
  }
  return buffer_offset_ + position_;
}

bool PickleInput::refill() {
  if (at_end_) {
    return false;
  }
  // Keep the unread tail, so that peek() can see across the old buffer's end.
  buffer_.erase(0, position_);
  buffer_offset_ += position_;
  position_ = 0;
  const std::size_t kept = buffer_.size();
  buffer_.resize(kept + k_read_size);
  std::size_t got = 0;
  try {
    got = stream_.read(buffer_.data() + kept, k_read_size);
  } catch (const Error& error) {
    if (error.kind() != Failure::invalid_input) {
      throw;
    }
    stream_error_ = error.what();
  }
  buffer_.resize(kept + got);
  if (got == 0) {
    at_end_ = true;
    return false;
  }
  return true;
}

std::string_view PickleInput::window() {
  if (limit_ == 0) {
    return {};
  }
  std::string_view bytes;
  if (detour_position_ < detour_.size()) {
    bytes = std::string_view(detour_).substr(detour_position_);
  } else {
    if (position_ == buffer_.size() && !refill()) {
      return {};
    }
    bytes = std::string_view(buffer_).substr(position_);
  }
  return bytes.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), limit_)));
}

void PickleInput::consume(std::size_t n) {
  if (detour_position_ < detour_.size()) {
    detour_position_ += n;
    if (detour_position_ == detour_.size()) {
      detour_.clear();
      detour_position_ = 0;
    }
  } else {
    position_ += n;
  }
  if (limit_ != k_no_limit) {
    limit_ -= n;
  }
}

std::optional<unsigned char> PickleInput::next_byte() {
  const auto bytes = window();
  if (bytes.empty()) {
    return std::nullopt;
  }
  const auto byte = static_cast<unsigned char>(bytes.front());
  consume(1);
  return byte;
}

std::uint64_t PickleInput::read(std::string& out, std::uint64_t n, std::uint64_t keep) {
  std::uint64_t passed = 0;
  while (passed < n && passed < keep) {
    const auto bytes = window();
    if (bytes.empty()) {
      return passed;
    }
    const auto step = static_cast<std::size_t>(
        std::min<std::uint64_t>({bytes.size(), n - passed, keep - passed}));
    out.append(bytes.data(), step);
    consume(step);
    passed += step;
  }
  return passed + skip(n - passed);
}

bool PickleInput::read_line(std::string& out, std::size_t keep) {
  std::size_t kept = 0;
  for (;;) {
    const auto bytes = window();
    if (bytes.empty()) {
      return false;
    }
    const auto newline = bytes.find('\n');
    const std::size_t length = newline == std::string_view::npos ? bytes.size() : newline;
    const std::size_t take = std::min(length, keep - kept);
    out.append(bytes.data(), take);
    kept += take;
    if (newline != std::string_view::npos) {
      consume(length + 1);
      return true;
    }
    consume(length);
  }
}

std::uint64_t PickleInput::skip(std::uint64_t n) {
  std::uint64_t skipped = 0;
  // What is already in memory first.
  while (skipped < n) {
    std::string_view bytes;
    if (limit_ == 0) {
      return skipped;
    }
    if (detour_position_ < detour_.size() || position_ < buffer_.size()) {
      bytes = window();
    }
    if (bytes.empty()) {
      break;
    }
    const auto step = static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), n - skipped));
    consume(step);
    skipped += step;
  }
  if (skipped == n || at_end_) {
    return skipped;
  }
  // Then the stream's own skip, which a file region does without reading.
  const std::uint64_t want = std::min(n - skipped, limit_);
  buffer_offset_ += buffer_.size();
  buffer_.clear();
  position_ = 0;
  std::uint64_t moved = 0;
  try {
    moved = stream_.skip(want);
  } catch (const Error& error) {
    if (error.kind() != Failure::invalid_input) {
      throw;
    }
    stream_error_ = error.what();
    at_end_ = true;
  }
  buffer_offset_ += moved;
  if (limit_ != k_no_limit) {
    limit_ -= moved;
  }
  if (moved < want) {
    at_end_ = true;
  }
  return skipped + moved;
}

std::string_view PickleInput::peek(std::size_t n) {
  if (detour_position_ < detour_.size()) {
    return window().substr(0, n);
  }
  while (buffer_.size() - position_ < n && refill()) {
  }
  const auto bytes = std::string_view(buffer_).substr(position_, n);
  return bytes.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), limit_)));
}

void PickleInput::detour(std::string bytes, std::uint64_t offset) {
  detour_ = std::move(bytes);
  detour_position_ = 0;
  detour_offset_ = offset;
}

PickleInput::Limit::Limit(PickleInput& input, std::uint64_t n)
    : input_(input), outer_(input.limit_), granted_(std::min(n, input.limit_)) {
  input_.limit_ = granted_;
}

PickleInput::Limit::~Limit() {
  const std::uint64_t used = granted_ - input_.limit_;
  input_.limit_ = outer_ == k_no_limit ? k_no_limit : outer_ - used;
}

} // namespace mlv::formats
