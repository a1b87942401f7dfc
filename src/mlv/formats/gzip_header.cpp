#include "gzip_header.hpp"

#include <algorithm>

namespace mlv::formats::decode {

namespace {

// RFC 1952 2.3.1 header flags Python acts on.
constexpr unsigned char k_flag_header_crc = 0x02;
constexpr unsigned char k_flag_extra = 0x04;
constexpr unsigned char k_flag_name = 0x08;
constexpr unsigned char k_flag_comment = 0x10;
constexpr unsigned char k_method_deflate = 8;
constexpr std::size_t k_fixed_size = 10; // magic, method, flags, mtime, xfl, os

} // namespace

void GzipHeaderReader::after(Phase phase) {
  // The optional fields come in this order; each is present when its flag is set.
  have_ = 0;
  switch (phase) {
  case Phase::fixed:
    if ((flags_ & k_flag_extra) != 0) {
      phase_ = Phase::extra_length;
      return;
    }
    [[fallthrough]];
  case Phase::extra_length:
  case Phase::extra:
    if ((flags_ & k_flag_name) != 0) {
      phase_ = Phase::name;
      return;
    }
    [[fallthrough]];
  case Phase::name:
    if ((flags_ & k_flag_comment) != 0) {
      phase_ = Phase::comment;
      return;
    }
    [[fallthrough]];
  case Phase::comment:
    if ((flags_ & k_flag_header_crc) != 0) {
      phase_ = Phase::header_crc;
      return;
    }
    [[fallthrough]];
  case Phase::header_crc:
  case Phase::done:
    phase_ = Phase::done;
    return;
  }
}

GzipHeaderReader::Step GzipHeaderReader::read(std::span<const unsigned char> in) {
  Step step;
  while (phase_ != Phase::done && step.consumed < in.size()) {
    const auto rest = in.subspan(step.consumed);
    switch (phase_) {
    case Phase::fixed: {
      const std::size_t take = std::min(k_fixed_size - have_, rest.size());
      std::copy_n(rest.begin(), take, fixed_ + have_);
      have_ += take;
      step.consumed += take;
      if (have_ >= 2 && (fixed_[0] != 0x1f || fixed_[1] != 0x8b)) {
        step.fault = "not a gzip member (no 1f 8b magic)";
        return step;
      }
      if (have_ == k_fixed_size) {
        if (fixed_[2] != k_method_deflate) {
          step.fault = "unknown compression method in the gzip header";
          return step;
        }
        flags_ = fixed_[3];
        after(Phase::fixed);
      }
      break;
    }
    case Phase::extra_length:
      // Little-endian length of FEXTRA, read a byte at a time.
      remaining_ |= static_cast<std::uint32_t>(rest[0]) << (8 * have_);
      ++have_;
      ++step.consumed;
      if (have_ == 2) {
        if (remaining_ == 0) {
          after(Phase::extra);
        } else {
          have_ = 0;
          phase_ = Phase::extra;
        }
      }
      break;
    case Phase::extra: {
      const std::size_t take = std::min<std::size_t>(remaining_, rest.size());
      remaining_ -= static_cast<std::uint32_t>(take);
      step.consumed += take;
      if (remaining_ == 0) {
        after(Phase::extra);
      }
      break;
    }
    case Phase::name:
    case Phase::comment: {
      // Zero-terminated; Python reads to the zero byte or the end of the file.
      const auto zero = std::find(rest.begin(), rest.end(), 0);
      step.consumed += static_cast<std::size_t>(zero - rest.begin());
      if (zero != rest.end()) {
        ++step.consumed;
        after(phase_);
      }
      break;
    }
    case Phase::header_crc: {
      // Python discards it unchecked.
      const std::size_t take = std::min<std::size_t>(2 - have_, rest.size());
      have_ += take;
      step.consumed += take;
      if (have_ == 2) {
        after(Phase::header_crc);
      }
      break;
    }
    case Phase::done:
      break;
    }
  }
  step.done = phase_ == Phase::done;
  return step;
}

} // namespace mlv::formats::decode
