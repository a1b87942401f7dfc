#include "lzma_dictionary.hpp"

#include <algorithm>
#include <cstring>

namespace mlv::inspect::decode {

namespace {

constexpr std::size_t k_initial_buffer = 256 << 10;

} // namespace

LzmaDictionary::LzmaDictionary(std::uint32_t size)
    : buffer_(std::min<std::size_t>(size, k_initial_buffer)), size_(size) {}

std::size_t LzmaDictionary::start_batch() {
  read_pos_ = pos_;
  if (pos_ == buffer_.size()) {
    if (buffer_.size() < size_) {
      // Still growing: the history so far stays where it is.
      buffer_.resize(std::min<std::size_t>(size_, buffer_.size() * 2));
    } else {
      pos_ = read_pos_ = 0;
    }
  }
  return buffer_.size() - pos_;
}

void LzmaDictionary::copy_back(std::uint32_t distance, std::size_t count) {
  if (pos_ >= distance && distance >= count) {
    // The common case: source and destination apart and neither wrapping.
    std::memcpy(buffer_.data() + pos_, buffer_.data() + pos_ - distance, count);
    commit(count);
    return;
  }
  for (std::size_t i = 0; i < count; ++i) {
    put(back(distance));
  }
}

void LzmaDictionary::commit(std::size_t n) {
  pos_ += n;
  filled_ = static_cast<std::uint32_t>(std::min<std::uint64_t>(size_, std::uint64_t{filled_} + n));
  total_ += n;
}

} // namespace mlv::inspect::decode
