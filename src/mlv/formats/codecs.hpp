#pragma once

// Private to the formats module: one streaming decoder of a Debian library (zlib, libbz2,
// liblzma, liblz4, libzstd) behind a common step function, so that CodecStream handles buffers,
// offsets, concatenated streams and output limits once for all of them.

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace mlv::formats::decode {

// What one call of Codec::run did.
struct CodecStep {
  std::size_t consumed = 0; // input bytes the library took
  std::size_t produced = 0; // output bytes it wrote
  bool stream_end = false;  // the stream (member, frame) is complete
  std::string fault;        // non-empty: the data is corrupt, in the library's words
  bool unsupported = false; // with fault: valid data using a feature mlv refuses (a dictionary)
};

class Codec {
public:
  virtual ~Codec() = default;
  // Decodes from `in` into `out`. `input_ended`: `in` holds the last bytes there are.
  virtual CodecStep
  run(std::span<const unsigned char> in, std::span<unsigned char> out, bool input_ended) = 0;
  // Prepares for a further stream after the current one ended (concatenated members).
  virtual void restart() = 0;
};

// deflate_bzip2_codecs.cpp: DEFLATE through ISA-L, bzip2 through libbz2
enum class DeflateContainer { raw, zlib, gzip };
std::unique_ptr<Codec> make_deflate_codec(DeflateContainer container);
std::unique_ptr<Codec> make_bzip2_codec();

// lzma_codecs.cpp: xz decodes concatenated streams and their padding itself.
std::unique_ptr<Codec> make_xz_codec();
std::unique_ptr<Codec> make_lzma_alone_codec();
// A zip member of method 14: its LZMA header (version, properties), then raw LZMA1 data.
std::unique_ptr<Codec> make_zip_lzma_codec();

// frame_codecs.cpp
std::unique_ptr<Codec> make_lz4_frame_codec();
std::unique_ptr<Codec> make_zstd_codec();

} // namespace mlv::formats::decode
