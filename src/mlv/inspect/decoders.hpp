#pragma once

// Private to the inspect module: the decompressing streams behind open_decompressed, one factory
// per format. Each reads its compressed bytes through `input`, whose offsets its errors name.

#include "input_buffer.hpp"

#include <mlv/inspect/byte_stream.hpp>

#include <memory>

namespace mlv::inspect::decode {

// zlib_streams.cpp
std::unique_ptr<ByteStream> make_raw_deflate_stream(std::unique_ptr<InputBuffer> input);
std::unique_ptr<ByteStream> make_zlib_stream(std::unique_ptr<InputBuffer> input);
// joblib < 0.10: "ZF", the compressed length in 19 bytes of text, then one zlib stream.
std::unique_ptr<ByteStream> make_joblib_zfile_stream(std::unique_ptr<InputBuffer> input);

// gzip_stream.cpp: one or more members (RFC 1952), zero padding between them allowed.
std::unique_ptr<ByteStream> make_gzip_stream(std::unique_ptr<InputBuffer> input);

// bzip2_stream.cpp: one or more bzip2 streams.
std::unique_ptr<ByteStream> make_bzip2_stream(std::unique_ptr<InputBuffer> input);

// lzma_alone_stream.cpp: the .lzma ("alone") format of LZMA Utils and Python's FORMAT_ALONE.
std::unique_ptr<ByteStream> make_lzma_alone_stream(std::unique_ptr<InputBuffer> input);

// xz_stream.cpp: the .xz container with LZMA2 blocks, one or more streams and stream padding.
std::unique_ptr<ByteStream> make_xz_stream(std::unique_ptr<InputBuffer> input);

} // namespace mlv::inspect::decode
