#pragma once

// Private to the formats module: the decompressing stream behind open_decompressed, which drives
// one library decoder (codecs.hpp) over the compressed bytes of `input`, whose offsets its
// errors name.

#include "codecs.hpp"
#include "input_buffer.hpp"

#include <mlv/formats/byte_stream.hpp>

#include <functional>
#include <memory>

namespace mlv::formats::decode {

// What may follow the end of the first stream (member, frame).
enum class Members {
  one,                 // nothing is read after it (zlib, lzma alone, a zip member)
  concatenated,        // further streams, as Python's bz2 and lz4.frame read them
  zero_padded_members, // further gzip members, zero bytes between them ignored (Python's gzip)
};

// `header`, if given, consumes a container's header before the codec sees the data (joblib's
// "ZF" prefix).
std::unique_ptr<ByteStream> make_codec_stream(std::unique_ptr<InputBuffer> input,
                                              std::unique_ptr<Codec> codec,
                                              Members members,
                                              std::function<void(InputBuffer&)> header = {});

} // namespace mlv::formats::decode
