#pragma once

#include <mlv/formats/byte_stream.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace mlv::formats {

// The compressions joblib.dump(..., compress=...) writes, plus joblib < 0.10's "ZF" files and
// zstd. Each is decoded by a Debian library: zlib, libbz2, liblzma, liblz4, libzstd
// (docs/parsers-decompression.md).
enum class Compression { none, zlib, gzip, bz2, xz, lzma, joblib_zfile, lz4, zstd };

// Decompression bombs: a stream may decompress to at most k_max_decompressed_bytes, and past
// k_ratio_checked_from bytes to at most k_max_compression_ratio times the compressed bytes read.
// zlib, gzip and lz4 cannot exceed ~1032:1, xz ~7000:1 even on zeros; only bz2 and zstd of
// long runs of one byte go beyond (docs/formats-detection.md).
constexpr std::uint64_t k_max_decompressed_bytes = std::uint64_t{64} << 30;
constexpr std::uint64_t k_ratio_checked_from = std::uint64_t{1} << 30;
constexpr std::uint64_t k_max_compression_ratio = 20000;

// The compression a stream's first bytes announce by their magic numbers; none if no rule fits.
// lzma has no magic: only the header Python's lzma module writes (properties 0x5d, unknown size)
// counts.
Compression detect_compression(std::string_view head);

// A short lower-case name for messages: "zlib", "gzip", "bz2", "xz", "lzma", "joblib-zfile",
// "lz4", "zstd", "none".
std::string_view compression_name(Compression kind);

// A stream of the decompressed bytes of `compressed`, decoded as it is read, in bounded memory
// (fixed buffers, plus the dictionary or window the header asks for: LZMA at most 1.5 GiB, zstd
// at most 128 MiB). Checksums are verified as their data ends; corrupt or truncated data, and
// output past the bomb limits above, are Error(bad_input) naming the stream and the compressed
// byte offset, raised after every byte decoded before it was delivered. `none` returns
// `compressed` itself; an unknown kind is Error(bad_input) at once.
std::unique_ptr<ByteStream> open_decompressed(std::unique_ptr<ByteStream> compressed,
                                              Compression kind);

// A raw DEFLATE (RFC 1951) stream, as in a zip member of method 8: ends with its final block.
std::unique_ptr<ByteStream> open_raw_deflate(std::unique_ptr<ByteStream> compressed);

// Zip compression methods (APPNOTE 4.4.5) whose members mlv decompresses: those Python's zipfile
// reads (8 deflate, 12 bzip2, 14 LZMA) and 93 zstd. 0 (stored) needs no decoding.
bool zip_method_readable(std::uint16_t method);
// How a zip method is named in messages and layers: "deflated", "bzip2", "lzma", "zstd", or
// "method N".
std::string zip_method_name(std::uint16_t method);
// A zip member's data, compressed by a readable `method`, decoded as it is read: one stream, the
// bomb limits and errors of open_decompressed. Error(bad_input) for a method mlv does not read.
std::unique_ptr<ByteStream> open_zip_member(std::unique_ptr<ByteStream> compressed,
                                            std::uint16_t method);

// Whether `stream` (from open_decompressed, open_raw_deflate or open_zip_member) failed because it
// reached the bomb limits, rather than on damaged data: a loader would read on where mlv stopped.
bool stopped_at_output_limit(const ByteStream& stream);

} // namespace mlv::formats
