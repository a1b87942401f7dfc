#include "decoded_stream.hpp"

#include <mlv/util/error.hpp>

#include <algorithm>
#include <cstring>

namespace mlv::inspect::decode {

std::size_t DecodedStream::read(char* out, std::size_t n) {
  std::size_t filled = 0;
  while (filled < n) {
    if (const auto bytes = pending(); !bytes.empty()) {
      const std::size_t step = std::min(n - filled, bytes.size());
      std::memcpy(out + filled, bytes.data(), step);
      consume(step);
      filled += step;
      continue;
    }
    if (failure_) {
      if (filled > 0) {
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
  return filled;
}

} // namespace mlv::inspect::decode
