#pragma once

// Private to the inspect module's decompressors: DEFLATE's canonical Huffman codes (RFC 1951,
// 3.2.2) as lookup tables, so that a symbol costs one or two table reads, not a bit-by-bit walk.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mlv::inspect::decode {

class DeflateHuffmanTable {
public:
  // Codes up to this long are found with one lookup; longer ones (to 15 bits) with two.
  static constexpr unsigned k_primary_bits = 10;
  static constexpr unsigned k_max_code_length = 15;

  // The code whose symbol i has code length lengths[i] (0: unused). False when the lengths
  // over-subscribe the code space. An incomplete code is accepted: its unused bit patterns decode
  // as invalid.
  bool build(const std::uint8_t* lengths, std::size_t count);

  // Decodes the symbol at the start of `bits` (the next input bits, first bit least significant,
  // at least 15 of them). Returns {symbol, length}; length 0 means no code matches.
  struct Symbol {
    unsigned symbol;
    unsigned length;
  };
  Symbol decode(std::uint64_t bits) const {
    std::uint32_t entry = entries_[bits & k_primary_mask];
    if (const unsigned sub_bits = entry >> k_sub_bits_shift; sub_bits != 0) {
      const auto index = (bits >> k_primary_bits) & ((std::uint64_t{1} << sub_bits) - 1);
      entry = entries_[(entry & k_symbol_mask) + index];
    }
    return {entry & k_symbol_mask, (entry >> k_length_shift) & 0xFF};
  }

private:
  static constexpr std::uint64_t k_primary_mask = (1u << k_primary_bits) - 1;
  // An entry: symbol (or, for a primary entry with sub-table bits, the sub-table's index) in bits
  // 0-15, code length in bits 16-23, sub-table index bits in 24-31. All zero: no code.
  static constexpr std::uint32_t k_symbol_mask = 0xFFFF;
  static constexpr unsigned k_length_shift = 16;
  static constexpr unsigned k_sub_bits_shift = 24;

  std::vector<std::uint32_t> entries_;
};

} // namespace mlv::inspect::decode
