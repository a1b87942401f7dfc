#include "decoders.hpp"
#include "input_buffer.hpp"

#include <mlv/formats/decompress.hpp>
#include <mlv/util/error.hpp>

#include <cctype>
#include <functional>

namespace mlv::formats {

namespace {

constexpr std::string_view k_gzip_magic = "\x1f\x8b\x08";
constexpr std::string_view k_bzip2_magic = "BZh";
constexpr std::string_view k_xz_magic = std::string_view("\xfd"
                                                         "7zXZ\0",
                                                         6);
constexpr std::string_view k_lz4_frame_magic = "\x04\x22\x4d\x18";
constexpr std::string_view k_zstd_magic = "\x28\xb5\x2f\xfd";
// lzma "alone" has no magic number; Python's lzma module (joblib's compress="lzma") writes the
// properties lc=3 lp=0 pb=2, a dictionary size, then an unknown uncompressed size (all ones).
constexpr unsigned char k_lzma_default_properties = 0x5d;
constexpr std::string_view k_lzma_unknown_size = "\xff\xff\xff\xff\xff\xff\xff\xff";
constexpr std::size_t k_lzma_size_offset = 5;
// joblib < 0.10: "ZF", the compressed length as hex ("0x..." left-justified in 19 bytes), an
// optional space (joblib <= 0.8.4), zlib. joblib takes any file starting "ZF" for one and reads
// the length with int(text, 16), which also takes no "0x", whitespace, a sign or underscores.
constexpr std::string_view k_zfile_prefix = "ZF";
constexpr std::size_t k_zfile_header_size = 2 + 19;

// Zip compression methods (APPNOTE 4.4.5).
constexpr std::uint16_t k_zip_deflated = 8;
constexpr std::uint16_t k_zip_bzip2 = 12;
constexpr std::uint16_t k_zip_lzma = 14;
constexpr std::uint16_t k_zip_zstd = 93;

bool is_zlib_header(std::string_view head) {
  // CMF: deflate (8) with a window of at most 32 KiB; CMF*256+FLG is a multiple of 31.
  if (head.size() < 2) {
    return false;
  }
  const auto cmf = static_cast<unsigned char>(head[0]);
  const auto flg = static_cast<unsigned char>(head[1]);
  return (cmf & 0x0F) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
}

bool is_zfile_header(std::string_view head) {
  if (!head.starts_with(k_zfile_prefix) || head.size() < k_zfile_header_size + 2) {
    return false;
  }
  const auto length = head.substr(k_zfile_prefix.size(), k_zfile_header_size - 2);
  if (length.find_first_not_of("0123456789abcdefABCDEFxX_+- \t\n\r\v\f") !=
          std::string_view::npos ||
      length.find_first_of("0123456789abcdefABCDEF") == std::string_view::npos) {
    return false;
  }
  const std::size_t data_at = k_zfile_header_size + (head[k_zfile_header_size] == ' ' ? 1 : 0);
  return is_zlib_header(head.substr(data_at));
}

// joblib < 0.10's header before its zlib stream. The length field only repeats what the zlib
// stream's own end says; joblib <= 0.8.4 wrote one more byte, a space (no zlib stream starts
// with one).
void skip_zfile_header(decode::InputBuffer& input) {
  std::string magic(k_zfile_prefix.size(), '\0');
  input.read_exact(reinterpret_cast<unsigned char*>(magic.data()), magic.size());
  if (magic != k_zfile_prefix) {
    input.fail_at(0, "no \"ZF\" header");
  }
  input.skip_exact(k_zfile_header_size - k_zfile_prefix.size());
  if (input.fill() && *input.data() == ' ') {
    input.advance(1);
  }
  input.set_format("zlib");
}

bool is_lzma_alone_header(std::string_view head) {
  return head.size() >= k_lzma_size_offset + k_lzma_unknown_size.size() &&
         static_cast<unsigned char>(head[0]) == k_lzma_default_properties &&
         head.substr(k_lzma_size_offset, k_lzma_unknown_size.size()) == k_lzma_unknown_size;
}

} // namespace

Compression detect_compression(std::string_view head) {
  if (is_zfile_header(head)) {
    return Compression::joblib_zfile;
  }
  if (head.starts_with(k_gzip_magic)) {
    return Compression::gzip;
  }
  if (head.starts_with(k_xz_magic)) {
    return Compression::xz;
  }
  if (head.starts_with(k_lz4_frame_magic)) {
    return Compression::lz4;
  }
  if (head.starts_with(k_zstd_magic)) {
    return Compression::zstd;
  }
  if (head.starts_with(k_bzip2_magic) && head.size() > 3 && head[3] >= '1' && head[3] <= '9') {
    return Compression::bz2;
  }
  if (is_lzma_alone_header(head)) {
    return Compression::lzma;
  }
  if (is_zlib_header(head)) {
    return Compression::zlib;
  }
  return Compression::none;
}

std::string_view compression_name(Compression kind) {
  switch (kind) {
  case Compression::none:
    return "none";
  case Compression::zlib:
    return "zlib";
  case Compression::gzip:
    return "gzip";
  case Compression::bz2:
    return "bz2";
  case Compression::xz:
    return "xz";
  case Compression::lzma:
    return "lzma";
  case Compression::joblib_zfile:
    return "joblib-zfile";
  case Compression::lz4:
    return "lz4";
  case Compression::zstd:
    return "zstd";
  }
  return "unknown";
}

std::unique_ptr<ByteStream> open_decompressed(std::unique_ptr<ByteStream> compressed,
                                              Compression kind) {
  using decode::Members;
  const std::string_view name = compression_name(kind);
  const auto stream = [&](std::unique_ptr<decode::Codec> codec, Members members,
                          std::function<void(decode::InputBuffer&)> header = {}) {
    return decode::make_codec_stream(
        std::make_unique<decode::InputBuffer>(std::move(compressed), std::string(name)),
        std::move(codec), members, std::move(header));
  };
  switch (kind) {
  case Compression::none:
    return compressed;
  case Compression::zlib:
    return stream(decode::make_deflate_codec(decode::DeflateContainer::zlib), Members::one);
  case Compression::joblib_zfile:
    return stream(decode::make_deflate_codec(decode::DeflateContainer::zlib), Members::one,
                  skip_zfile_header);
  case Compression::gzip:
    return stream(decode::make_deflate_codec(decode::DeflateContainer::gzip),
                  Members::zero_padded_members);
  case Compression::bz2:
    return stream(decode::make_bzip2_codec(), Members::concatenated);
  case Compression::xz:
    return stream(decode::make_xz_codec(), Members::one);
  case Compression::lzma:
    return stream(decode::make_lzma_alone_codec(), Members::one);
  case Compression::lz4:
    return stream(decode::make_lz4_frame_codec(), Members::concatenated);
  case Compression::zstd:
    return stream(decode::make_zstd_codec(), Members::concatenated);
  }
  throw Error(Failure::invalid_input,
              compressed->name() + ": unknown compression kind " +
                  std::to_string(static_cast<int>(kind)),
              "this is unexpected; please report it with the command you ran");
}

std::unique_ptr<ByteStream> open_raw_deflate(std::unique_ptr<ByteStream> compressed) {
  return decode::make_codec_stream(
      std::make_unique<decode::InputBuffer>(std::move(compressed), "deflate"),
      decode::make_deflate_codec(decode::DeflateContainer::raw), decode::Members::one);
}

} // namespace mlv::formats

namespace mlv::formats {

bool zip_method_readable(std::uint16_t method) {
  return method == k_zip_deflated || method == k_zip_bzip2 || method == k_zip_lzma ||
         method == k_zip_zstd;
}

std::string zip_method_name(std::uint16_t method) {
  switch (method) {
  case k_zip_deflated:
    return "deflated";
  case k_zip_bzip2:
    return "bzip2";
  case k_zip_lzma:
    return "lzma";
  case k_zip_zstd:
    return "zstd";
  default:
    return "method " + std::to_string(method);
  }
}

std::unique_ptr<ByteStream> open_zip_member(std::unique_ptr<ByteStream> compressed,
                                            std::uint16_t method) {
  const auto stream = [&](std::unique_ptr<decode::Codec> codec, std::string format) {
    return decode::make_codec_stream(
        std::make_unique<decode::InputBuffer>(std::move(compressed), std::move(format)),
        std::move(codec), decode::Members::one);
  };
  switch (method) {
  case k_zip_deflated:
    return open_raw_deflate(std::move(compressed));
  case k_zip_bzip2:
    return stream(decode::make_bzip2_codec(), "bz2");
  case k_zip_lzma:
    return stream(decode::make_zip_lzma_codec(), "zip lzma");
  case k_zip_zstd:
    return open_decompressed(std::move(compressed), Compression::zstd);
  default:
    throw Error(Failure::invalid_input,
                compressed->name() + ": zip compression method " + std::to_string(method) +
                    " is not one mlv decompresses",
                "mlv reads zip members that are stored, deflated, bzip2, LZMA or zstd "
                "compressed; re-create the archive with one of those");
  }
}

} // namespace mlv::formats
