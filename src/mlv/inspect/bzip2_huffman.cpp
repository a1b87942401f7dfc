#include "bzip2_huffman.hpp"

#include <algorithm>

namespace mlv::inspect::decode {

bool Bzip2HuffmanCode::build(const std::uint8_t* lengths, std::size_t count) {
  count_.fill(0);
  max_length_ = 0;
  for (std::size_t symbol = 0; symbol < count; ++symbol) {
    if (lengths[symbol] == 0 || lengths[symbol] > k_max_code_length) {
      return false;
    }
    ++count_[lengths[symbol]];
    max_length_ = std::max<unsigned>(max_length_, lengths[symbol]);
  }
  long free_codes = 1;
  std::uint32_t code = 0;
  std::uint32_t index = 0;
  for (unsigned length = 1; length <= k_max_code_length; ++length) {
    free_codes = free_codes * 2 - count_[length];
    if (free_codes < 0) {
      return false;
    }
    first_code_[length] = code;
    first_index_[length] = index;
    code = (code + count_[length]) << 1;
    index += count_[length];
  }
  // Symbols in code order: by length, then by symbol value.
  symbols_by_code_.assign(count, 0);
  std::array<std::uint32_t, k_max_code_length + 1> next_index = first_index_;
  lookup_.fill(0);
  for (std::size_t symbol = 0; symbol < count; ++symbol) {
    const unsigned length = lengths[symbol];
    const std::uint32_t position = next_index[length]++;
    symbols_by_code_[position] = static_cast<std::uint16_t>(symbol);
    if (length <= k_lookup_bits) {
      const std::uint32_t symbol_code = first_code_[length] + (position - first_index_[length]);
      const std::uint32_t first = symbol_code << (k_lookup_bits - length);
      for (std::uint32_t i = 0; i < (1u << (k_lookup_bits - length)); ++i) {
        lookup_[first + i] = static_cast<std::uint32_t>(symbol) << 8 | length;
      }
    }
  }
  return true;
}

unsigned Bzip2HuffmanCode::decode(MsbBitReader& bits) const {
  if (const std::uint32_t entry = lookup_[bits.peek(k_lookup_bits)]; entry != 0) {
    bits.drop(entry & 0xFF);
    return entry >> 8;
  }
  const std::uint32_t window = bits.peek(k_max_code_length);
  for (unsigned length = k_lookup_bits + 1; length <= max_length_; ++length) {
    const std::uint32_t code = window >> (k_max_code_length - length);
    if (code - first_code_[length] < count_[length]) {
      bits.drop(length);
      return symbols_by_code_[first_index_[length] + code - first_code_[length]];
    }
  }
  bits.fail("invalid Huffman code");
}

} // namespace mlv::inspect::decode
