#include "checksums.hpp"
#include "decoded_stream.hpp"
#include "decoders.hpp"
#include "inflate.hpp"

#include <array>

namespace mlv::inspect::decode {

namespace {

// RFC 1950: CMF (method 8 = deflate, window ≤ 32 KiB), FLG (check bits, preset dictionary).
constexpr unsigned k_deflate_method = 8;
constexpr unsigned k_max_window_info = 7;
constexpr unsigned k_header_check_modulus = 31;
constexpr unsigned k_preset_dictionary_flag = 0x20;
// joblib < 0.10: "ZF" then the compressed length as text, 19 bytes.
constexpr std::string_view k_zfile_magic = "ZF";
constexpr std::size_t k_zfile_length_field = 19;

// DEFLATE data with no container (a zip member).
class RawDeflateStream : public DecodedStream {
public:
  explicit RawDeflateStream(std::unique_ptr<InputBuffer> input)
      : DecodedStream(std::move(input)), inflater_(this->input()) {}

protected:
  std::span<const unsigned char> pending() const override { return inflater_.pending(); }
  void consume(std::size_t n) override { inflater_.consume(n); }
  bool decode_more() override { return inflater_.decode_more(); }

private:
  Inflater inflater_;
};

// RFC 1950: a two-byte header, DEFLATE data, and the Adler-32 of the data, big-endian.
class ZlibStream : public DecodedStream {
public:
  // `behind_zfile_header`: the stream starts with joblib's "ZF" header.
  ZlibStream(std::unique_ptr<InputBuffer> input, bool behind_zfile_header)
      : DecodedStream(std::move(input)), inflater_(this->input()),
        behind_zfile_header_(behind_zfile_header) {}

protected:
  std::span<const unsigned char> pending() const override { return inflater_.pending(); }
  void consume(std::size_t n) override {
    adler_ = checksum::adler32(adler_, inflater_.pending().data(), n);
    inflater_.consume(n);
  }
  bool decode_more() override {
    if (!header_read_) {
      if (behind_zfile_header_) {
        skip_zfile_header();
      }
      read_header();
      header_read_ = true;
      return true;
    }
    if (trailer_read_) {
      return false;
    }
    if (inflater_.decode_more()) {
      return true;
    }
    check_trailer();
    trailer_read_ = true;
    return false;
  }

private:
  void skip_zfile_header() {
    std::array<unsigned char, k_zfile_magic.size()> magic{};
    input().read_exact(magic.data(), magic.size());
    if (std::string_view(reinterpret_cast<const char*>(magic.data()), magic.size()) !=
        k_zfile_magic) {
      input().fail_at(0, "no \"ZF\" header");
    }
    // The length field only repeats what the zlib stream's own end says.
    input().skip_exact(k_zfile_length_field);
    // joblib <= 0.8.4 wrote one more byte, a space (no zlib stream starts with one).
    if (input().fill() && *input().data() == ' ') {
      input().advance(1);
    }
    input().set_format("zlib");
  }

  void read_header() {
    const unsigned method_info = input().byte();
    const unsigned flags = input().byte();
    if ((method_info & 0x0F) != k_deflate_method || (method_info >> 4) > k_max_window_info ||
        (method_info * 256 + flags) % k_header_check_modulus != 0) {
      input().fail_at(input().offset() - 2, "not a zlib header");
    }
    if ((flags & k_preset_dictionary_flag) != 0) {
      input().fail_unsupported("a zlib stream with a preset dictionary");
    }
  }

  void check_trailer() {
    std::array<unsigned char, 4> stored{};
    const std::uint64_t offset = input().offset();
    input().read_exact(stored.data(), stored.size());
    const std::uint32_t expected = std::uint32_t{stored[0]} << 24 | std::uint32_t{stored[1]} << 16 |
                                   std::uint32_t{stored[2]} << 8 | stored[3];
    if (expected != adler_) {
      input().fail_at(offset, "Adler-32 mismatch: the decompressed data is not what was stored");
    }
  }

  Inflater inflater_;
  bool behind_zfile_header_;
  std::uint32_t adler_ = checksum::k_adler32_initial;
  bool header_read_ = false;
  bool trailer_read_ = false;
};

} // namespace

std::unique_ptr<ByteStream> make_raw_deflate_stream(std::unique_ptr<InputBuffer> input) {
  return std::make_unique<RawDeflateStream>(std::move(input));
}

std::unique_ptr<ByteStream> make_zlib_stream(std::unique_ptr<InputBuffer> input) {
  return std::make_unique<ZlibStream>(std::move(input), false);
}

std::unique_ptr<ByteStream> make_joblib_zfile_stream(std::unique_ptr<InputBuffer> input) {
  return std::make_unique<ZlibStream>(std::move(input), true);
}

} // namespace mlv::inspect::decode
