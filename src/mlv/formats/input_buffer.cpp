#include "input_buffer.hpp"

#include <mlv/util/error.hpp>

#include <algorithm>
#include <cstring>

namespace mlv::formats::decode {

namespace {

constexpr std::size_t k_read_size = 64 << 10;
constexpr std::string_view k_corrupt_hint =
    "the compressed data is damaged or cut short; replace the file with an intact copy";

} // namespace

InputBuffer::InputBuffer(std::unique_ptr<ByteStream> source, std::string format)
    : source_(std::move(source)), format_(std::move(format)), buffer_(k_read_size) {}

bool InputBuffer::refill() {
  if (source_ended_) {
    return false;
  }
  buffer_offset_ += end_;
  pos_ = end_ = 0;
  const std::size_t got = source_->read(reinterpret_cast<char*>(buffer_.data()), buffer_.size());
  if (got == 0) {
    source_ended_ = true;
    return false;
  }
  end_ += got;
  return true;
}

void InputBuffer::read_exact(unsigned char* out, std::size_t n) {
  if (read_some(out, n) != n) {
    fail_truncated();
  }
}

std::size_t InputBuffer::read_some(unsigned char* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n && fill()) {
    const std::size_t step = std::min(n - done, available());
    std::memcpy(out + done, data(), step);
    pos_ += step;
    done += step;
  }
  return done;
}

void InputBuffer::skip_exact(std::uint64_t n) {
  while (n > 0) {
    if (!fill()) {
      fail_truncated();
    }
    const auto step = static_cast<std::size_t>(std::min<std::uint64_t>(n, available()));
    pos_ += step;
    n -= step;
  }
}

void InputBuffer::fail_at(std::uint64_t offset, std::string_view what) const {
  throw Error(Failure::invalid_input,
              name() + ": corrupt " + format_ + " data at compressed byte " +
                  std::to_string(offset) + ": " + std::string(what),
              std::string(k_corrupt_hint));
}

void InputBuffer::fail_truncated() const {
  throw Error(Failure::invalid_input,
              name() + ": truncated " + format_ + " data: it ends at compressed byte " +
                  std::to_string(offset()) + " before the stream is complete",
              std::string(k_corrupt_hint));
}

void InputBuffer::fail_unsupported(std::string_view what) const {
  throw Error(Failure::invalid_input,
              name() + ": cannot decompress the " + format_ + " data at compressed byte " +
                  std::to_string(offset()) + ": " + std::string(what) + " is not supported by mlv",
              "mlv reads the " + format_ +
                  " streams that Python's standard library and joblib write; re-save the model "
                  "with default compression settings to inspect it");
}

} // namespace mlv::formats::decode
