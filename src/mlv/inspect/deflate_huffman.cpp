#include "deflate_huffman.hpp"

#include <algorithm>
#include <array>

namespace mlv::inspect::decode {

namespace {

// `code` of `length` bits with its bit order reversed: DEFLATE sends Huffman codes most
// significant bit first into a stream read from the least significant end.
std::uint32_t reverse_bits(std::uint32_t code, unsigned length) {
  std::uint32_t reversed = 0;
  for (unsigned i = 0; i < length; ++i) {
    reversed = (reversed << 1) | ((code >> i) & 1);
  }
  return reversed;
}

} // namespace

bool DeflateHuffmanTable::build(const std::uint8_t* lengths, std::size_t count) {
  std::array<unsigned, k_max_code_length + 1> per_length{};
  for (std::size_t symbol = 0; symbol < count; ++symbol) {
    if (lengths[symbol] > k_max_code_length) {
      return false;
    }
    ++per_length[lengths[symbol]];
  }
  per_length[0] = 0;
  // Kraft: the codes of each length must fit in what shorter codes left free.
  long free_codes = 1;
  for (unsigned length = 1; length <= k_max_code_length; ++length) {
    free_codes = free_codes * 2 - per_length[length];
    if (free_codes < 0) {
      return false;
    }
  }
  // The first code of each length (RFC 1951, 3.2.2, step 2).
  std::array<std::uint32_t, k_max_code_length + 2> next_code{};
  std::uint32_t code = 0;
  for (unsigned length = 1; length <= k_max_code_length; ++length) {
    code = (code + per_length[length - 1]) << 1;
    next_code[length] = code;
  }

  // Codes longer than the primary lookup share a primary entry by their first k_primary_bits
  // bits; that entry points to a sub-table as wide as the longest of them needs.
  constexpr std::uint32_t primary_size = 1u << k_primary_bits;
  std::array<std::uint8_t, primary_size> sub_bits{};
  std::vector<std::uint32_t> reversed(count);
  for (std::size_t symbol = 0; symbol < count; ++symbol) {
    const unsigned length = lengths[symbol];
    if (length == 0) {
      continue;
    }
    reversed[symbol] = reverse_bits(next_code[length]++, length);
    if (length > k_primary_bits) {
      auto& bits = sub_bits[reversed[symbol] & k_primary_mask];
      bits = std::max<std::uint8_t>(bits, static_cast<std::uint8_t>(length - k_primary_bits));
    }
  }
  std::size_t size = primary_size;
  for (const auto bits : sub_bits) {
    size += bits == 0 ? 0 : std::size_t{1} << bits;
  }
  entries_.assign(size, 0);
  std::size_t next_sub_table = primary_size;
  for (std::uint32_t prefix = 0; prefix < primary_size; ++prefix) {
    if (sub_bits[prefix] != 0) {
      entries_[prefix] = static_cast<std::uint32_t>(next_sub_table) |
                         std::uint32_t{sub_bits[prefix]} << k_sub_bits_shift;
      next_sub_table += std::size_t{1} << sub_bits[prefix];
    }
  }

  for (std::size_t symbol = 0; symbol < count; ++symbol) {
    const unsigned length = lengths[symbol];
    if (length == 0) {
      continue;
    }
    const std::uint32_t entry = static_cast<std::uint32_t>(symbol) | length << k_length_shift;
    if (length <= k_primary_bits) {
      // Every primary index whose low `length` bits are this code.
      for (std::uint32_t index = reversed[symbol]; index < primary_size; index += 1u << length) {
        entries_[index] = entry;
      }
      continue;
    }
    const std::uint32_t pointer = entries_[reversed[symbol] & k_primary_mask];
    const std::uint32_t table = pointer & k_symbol_mask;
    const unsigned width = pointer >> k_sub_bits_shift;
    const unsigned rest_length = length - k_primary_bits;
    for (std::uint32_t index = reversed[symbol] >> k_primary_bits; index < (1u << width);
         index += 1u << rest_length) {
      entries_[table + index] = entry;
    }
  }
  return true;
}

} // namespace mlv::inspect::decode
