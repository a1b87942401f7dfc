#include "decoded_stream.hpp"

#include <mlv/util/error.hpp>

#include <algorithm>
#include <cstring>

namespace mlv::formats::decode {

std::size_t DecodedStream::read(char* out, std::size_t n) {
  return static_cast<std::size_t>(take(n, out));
}

std::uint64_t DecodedStream::skip(std::uint64_t n) {
  return take(n, nullptr);
}

std::uint64_t DecodedStream::take(std::uint64_t n, char* out) {
  std::uint64_t taken = 0;
  while (taken < n) {
    if (const auto bytes = pending(); !bytes.empty()) {
      const auto step = static_cast<std::size_t>(std::min<std::uint64_t>(n - taken, bytes.size()));
      if (out != nullptr) {
        std::memcpy(out + taken, bytes.data(), step);
      }
      consume(step);
      taken += step;
      continue;
    }
    if (failure_) {
      if (taken > 0) {
        break;
      }
      std::rethrow_exception(failure_);
    }
    if (ended_) {
      break;
    }
    try {
      ended_ = !decode_more();
    } catch (const Error&) {
      failure_ = std::current_exception();
    }
  }
  return taken;
}

} // namespace mlv::formats::decode
