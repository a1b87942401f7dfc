// Fuzz target: the decompression layer (codec_stream and its zlib, gzip, bz2, xz, lzma,
// joblib-zfile, lz4, zstd and raw deflate decoders, and zip members of the bzip2 and LZMA methods
// with their own headers). The first byte picks the codec (as
// detect_compression would from the magic), the rest is the compressed stream; the output is
// read in pieces, skipped in part, and capped so a valid bomb costs time, not a finding.
#include "fuzz_support.hpp"

#include <mlv/formats/byte_stream.hpp>
#include <mlv/formats/decompress.hpp>

#include <memory>

namespace {

constexpr std::uint64_t k_output_cap = std::uint64_t{64} << 20;

void drain(mlv::formats::ByteStream& stream) {
  char buffer[1 << 15];
  std::uint64_t total = 0;
  while (total < k_output_cap) {
    const auto got = stream.read(buffer, sizeof buffer);
    if (got == 0) {
      return;
    }
    total += got + stream.skip(got);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mlv::formats::Compression;
  if (size == 0) {
    return 0;
  }
  constexpr mlv::formats::Compression kinds[] = {
      mlv::formats::Compression::zlib, mlv::formats::Compression::gzip,
      mlv::formats::Compression::bz2,  mlv::formats::Compression::xz,
      mlv::formats::Compression::lzma, mlv::formats::Compression::lz4,
      mlv::formats::Compression::zstd, mlv::formats::Compression::joblib_zfile,
      mlv::formats::Compression::none};
  // Zip methods (APPNOTE 4.4.5) picked after the kinds: 12 bzip2, 14 LZMA.
  constexpr std::uint16_t zip_methods[] = {12, 14};
  const auto pick = data[0] % (std::size(kinds) + std::size(zip_methods) + 1);
  const mlv::formats::MemorySource source(mlv::fuzz::bytes_of(data + 1, size - 1), "fuzz.z");
  mlv::fuzz::expect_mlv_errors_only([&] {
    auto compressed = std::make_unique<mlv::formats::SourceStream>(source);
    std::unique_ptr<mlv::formats::ByteStream> stream;
    if (pick < std::size(kinds)) {
      stream = mlv::formats::open_decompressed(std::move(compressed), kinds[pick]);
    } else if (pick < std::size(kinds) + std::size(zip_methods)) {
      stream = mlv::formats::open_zip_member(std::move(compressed),
                                             zip_methods[pick - std::size(kinds)]);
    } else {
      stream = mlv::formats::open_raw_deflate(std::move(compressed));
    }
    drain(*stream);
  });
  // The kind the magic announces, as inspect and scan choose it.
  (void)mlv::formats::detect_compression(mlv::fuzz::bytes_of(data + 1, size - 1));
  return 0;
}
