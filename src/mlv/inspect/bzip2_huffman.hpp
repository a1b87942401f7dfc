#pragma once

// Private to the inspect module's decompressors: bzip2's canonical Huffman codes (up to 20 bits,
// sent most significant bit first), decoded with a lookup table for the short codes.

#include "bit_readers.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace mlv::inspect::decode {

class Bzip2HuffmanCode {
public:
  static constexpr unsigned k_max_code_length = 20;

  // The code whose symbol i has length lengths[i] (1..20). False when the lengths over-subscribe
  // the code space.
  bool build(const std::uint8_t* lengths, std::size_t count);

  // The next symbol from `bits`; Error(bad_input) at a bit pattern no code has.
  unsigned decode(MsbBitReader& bits) const;

private:
  static constexpr unsigned k_lookup_bits = 10;

  // Short codes: symbol << 8 | length, indexed by the next k_lookup_bits bits; 0 for longer codes
  // and unused patterns.
  std::array<std::uint32_t, 1u << k_lookup_bits> lookup_{};
  // Longer codes, the canonical way: codes of each length are consecutive from first_code_.
  std::array<std::uint32_t, k_max_code_length + 1> first_code_{};
  std::array<std::uint32_t, k_max_code_length + 1> count_{};
  std::array<std::uint32_t, k_max_code_length + 1> first_index_{};
  std::vector<std::uint16_t> symbols_by_code_;
  unsigned max_length_ = 0;
};

} // namespace mlv::inspect::decode
