#include "decoded_stream.hpp"
#include "decoders.hpp"
#include "lzma_decoder.hpp"
#include "lzma_limits.hpp"

#include <array>
#include <memory>

namespace mlv::inspect::decode {

namespace {

// Header: properties byte, dictionary size (32-bit little-endian), uncompressed size (64-bit
// little-endian, all ones when unknown: then an end marker closes the data).
constexpr std::size_t k_header_size = 13;
constexpr std::uint64_t k_unknown_size = UINT64_MAX;

class LzmaAloneStream : public DecodedStream {
public:
  explicit LzmaAloneStream(std::unique_ptr<InputBuffer> input)
      : DecodedStream(std::move(input)), decoder_(this->input()) {}

protected:
  std::span<const unsigned char> pending() const override {
    return dictionary_ ? dictionary_->pending() : std::span<const unsigned char>();
  }
  void consume(std::size_t n) override { dictionary_->consume(n); }
  bool decode_more() override {
    if (ended_) {
      return false;
    }
    if (!dictionary_) {
      read_header();
      return true;
    }
    if (size_left_ == 0) {
      finish_known_size();
      return false;
    }
    std::size_t room = dictionary_->start_batch();
    if (size_left_ != k_unknown_size) {
      room = static_cast<std::size_t>(std::min<std::uint64_t>(room, size_left_));
    }
    const std::uint64_t before = dictionary_->total();
    const bool end_marker = decoder_.decode(*dictionary_, room);
    if (size_left_ != k_unknown_size) {
      size_left_ -= dictionary_->total() - before;
    }
    if (end_marker) {
      if (size_left_ != k_unknown_size && size_left_ != 0) {
        input().fail("the end marker comes before the size the header states");
      }
      finish_after_marker();
    }
    return true;
  }

private:
  void read_header() {
    std::array<unsigned char, k_header_size> header{};
    input().read_exact(header.data(), header.size());
    const auto properties = parse_lzma_properties(header[0]);
    if (!properties) {
      input().fail_at(0, "invalid LZMA properties byte");
    }
    std::uint32_t dictionary_size = 0;
    for (int i = 4; i >= 1; --i) {
      dictionary_size = (dictionary_size << 8) | header[i];
    }
    std::uint64_t size = 0;
    for (int i = 12; i >= 5; --i) {
      size = (size << 8) | header[i];
    }
    check_lzma_dictionary_size(input(), dictionary_size);
    decoder_.set_properties(*properties);
    decoder_.range_decoder().start();
    dictionary_ =
        std::make_unique<LzmaDictionary>(std::max(dictionary_size, k_min_lzma_dictionary));
    size_left_ = size;
  }

  // With a known size, the data may still close with an end marker.
  void finish_known_size() {
    if (decoder_.match_left() != 0) {
      input().fail("a match runs past the size the header states");
    }
    if (!decoder_.range_decoder().code_is_zero() && !decoder_.read_end_marker(*dictionary_)) {
      input().fail("data continues past the size the header states");
    }
    ended_ = true;
  }

  void finish_after_marker() {
    if (!decoder_.range_decoder().code_is_zero()) {
      input().fail("the range coder is not at a clean end after the end marker");
    }
    ended_ = true;
  }

  LzmaDecoder decoder_;
  std::unique_ptr<LzmaDictionary> dictionary_;
  std::uint64_t size_left_ = k_unknown_size;
  bool ended_ = false;
};

} // namespace

std::unique_ptr<ByteStream> make_lzma_alone_stream(std::unique_ptr<InputBuffer> input) {
  return std::make_unique<LzmaAloneStream>(std::move(input));
}

} // namespace mlv::inspect::decode
