#pragma once

#include <mlv/inspect/byte_stream.hpp>

#include <memory>
#include <string_view>

namespace mlv::inspect {

// The compressions joblib.dump(..., compress=...) writes, plus joblib < 0.10's "ZF" files.
// Every one but lz4 is decoded by mlv's own decoders (docs/formats-detection.md).
enum class Compression { none, zlib, gzip, bz2, xz, lzma, joblib_zfile, lz4 };

// The compression a stream's first bytes announce by their magic numbers; none if no rule fits.
// lzma has no magic: only the header Python's lzma module writes (properties 0x5d, unknown size)
// counts.
Compression detect_compression(std::string_view head);

// A short lower-case name for messages: "zlib", "gzip", "bz2", "xz", "lzma", "joblib-zfile",
// "lz4", "none".
std::string_view compression_name(Compression kind);

// A stream of the decompressed bytes of `compressed`, decoded as it is read, in bounded memory
// (the LZMA dictionary the header asks for, at most 1.5 GiB). Checksums are verified as their
// data ends; corrupt or truncated data is Error(bad_input) naming the stream and the compressed
// byte offset, raised after every byte decoded before it was delivered. `none` returns
// `compressed` itself; lz4 (not supported) and an unknown kind are Error(bad_input) at once.
std::unique_ptr<ByteStream> open_decompressed(std::unique_ptr<ByteStream> compressed,
                                              Compression kind);

// A raw DEFLATE (RFC 1951) stream, as in a zip member of method 8: ends with its final block.
std::unique_ptr<ByteStream> open_raw_deflate(std::unique_ptr<ByteStream> compressed);

} // namespace mlv::inspect
