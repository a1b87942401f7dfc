#pragma once

// Private to the inspect module's decompressors: LZMA2, the chunked LZMA of xz blocks.

#include "input_buffer.hpp"
#include "lzma_decoder.hpp"
#include "lzma_dictionary.hpp"

#include <cstdint>
#include <memory>
#include <span>

namespace mlv::inspect::decode {

// Decodes the LZMA2 data of one xz block at a time: chunks of LZMA data or stored bytes, each
// saying whether it resets the dictionary, the state or the properties, up to an end byte.
class Lzma2Decoder {
public:
  explicit Lzma2Decoder(InputBuffer& input) : input_(input), lzma_(input) {}

  // Starts the next block's data, with the dictionary size its filter properties name (already
  // checked against the limit).
  void start(std::uint32_t dictionary_size);

  std::span<const unsigned char> pending() const { return dictionary_->pending(); }
  void consume(std::size_t n) { dictionary_->consume(n); }
  // Called when nothing is pending: decodes a batch or reads a chunk header. False at the end of
  // the block's LZMA2 data.
  bool decode_more();

private:
  enum class Chunk { none, stored, lzma };

  void read_chunk_header();
  void finish_chunk();

  InputBuffer& input_;
  LzmaDecoder lzma_;
  std::unique_ptr<LzmaDictionary> dictionary_;
  Chunk chunk_ = Chunk::none;
  std::uint32_t chunk_left_ = 0; // uncompressed bytes of the chunk not yet produced
  bool need_dictionary_reset_ = true;
  bool need_properties_ = true;
  bool ended_ = false;
};

} // namespace mlv::inspect::decode
