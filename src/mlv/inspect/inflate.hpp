#pragma once

// Private to the inspect module's decompressors: the DEFLATE decoder (RFC 1951) beneath the raw,
// zlib, gzip and joblib-ZF streams.

#include "bit_readers.hpp"
#include "deflate_huffman.hpp"
#include "input_buffer.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace mlv::inspect::decode {

// Decodes one DEFLATE stream in batches into a buffer that also keeps the 32 KiB of history that
// back-references may reach. After the final block the input continues at the first byte after
// the stream, where a container's trailer begins.
class Inflater {
public:
  explicit Inflater(InputBuffer& input);

  // Starts over on a new DEFLATE stream at the input's current position (the next gzip member).
  void reset();

  // Decoded bytes not yet taken, and how the caller takes them.
  std::span<const unsigned char> pending() const {
    return {window_.data() + read_pos_, write_pos_ - read_pos_};
  }
  void consume(std::size_t n) { read_pos_ += n; }

  // Called when nothing is pending: decodes a batch (up to about 96 KiB, or a block header).
  // False once the final block has ended. Throws Error(bad_input) naming the offset of the damage;
  // the bytes decoded before it stay pending.
  bool decode_more();

private:
  enum class State { block_header, stored_block, huffman_block, done };

  void make_room();
  void read_block_header();
  void read_dynamic_codes();
  void copy_stored();
  void decode_symbols();
  void end_block();

  InputBuffer& input_;
  LsbBitReader bits_;
  std::vector<unsigned char> window_;
  std::size_t read_pos_ = 0;
  std::size_t write_pos_ = 0;
  State state_ = State::block_header;
  bool final_block_ = false;
  std::uint32_t stored_left_ = 0;
  // The current block's codes: the fixed ones, or the dynamic ones read into the tables below.
  const DeflateHuffmanTable* literal_length_codes_ = nullptr;
  const DeflateHuffmanTable* distance_codes_ = nullptr;
  DeflateHuffmanTable dynamic_literal_length_codes_;
  DeflateHuffmanTable dynamic_distance_codes_;
};

} // namespace mlv::inspect::decode
