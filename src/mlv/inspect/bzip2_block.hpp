#pragma once

// Private to the inspect module's decompressors: reading one bzip2 block, from its Huffman
// tables to the Burrows-Wheeler vector its bytes are then read from.

#include "bit_readers.hpp"

#include <cstdint>
#include <vector>

namespace mlv::inspect::decode {

struct Bzip2Block {
  std::uint32_t stored_crc = 0;
  // The block's Burrows-Wheeler-transformed bytes, each entry `byte | next << 8`. From
  // position `links[start] >> 8`, reading each entry's byte and moving to its `next` yields the
  // block's bytes in their original order (still run-length coded by bzip2's first stage).
  std::vector<std::uint32_t> links;
  std::uint32_t size = 0;
  std::uint32_t start = 0;
};

// Reads a block after its 48-bit magic number, for a stream whose blocks hold at most
// `max_size` bytes. Throws Error(bad_input) on anything inconsistent.
void read_bzip2_block(MsbBitReader& bits, std::uint32_t max_size, Bzip2Block& block);

} // namespace mlv::inspect::decode
