#include "bzip2_block.hpp"

#include "bzip2_huffman.hpp"

#include <array>

namespace mlv::inspect::decode {

namespace {

constexpr unsigned k_min_groups = 2;
constexpr unsigned k_max_groups = 6;
// The coding table changes every 50 symbols, to the one the next selector names.
constexpr unsigned k_group_size = 50;
constexpr unsigned k_run_a = 0;
constexpr unsigned k_run_b = 1;
constexpr unsigned k_max_alphabet = 258; // RUNA, RUNB, 255 move-to-front positions, end of block

// Which of the 256 byte values occur in the block, in increasing order.
std::vector<unsigned char> read_used_bytes(MsbBitReader& bits) {
  std::vector<unsigned char> used;
  const std::uint32_t ranges = bits.bits(16);
  for (unsigned range = 0; range < 16; ++range) {
    if ((ranges & (0x8000u >> range)) == 0) {
      continue;
    }
    const std::uint32_t members = bits.bits(16);
    for (unsigned i = 0; i < 16; ++i) {
      if ((members & (0x8000u >> i)) != 0) {
        used.push_back(static_cast<unsigned char>(range * 16 + i));
      }
    }
  }
  if (used.empty()) {
    bits.fail("a block uses no byte values");
  }
  return used;
}

// Which coding table each group of 50 symbols uses: unary numbers, move-to-front coded.
std::vector<std::uint8_t> read_selectors(MsbBitReader& bits, unsigned groups) {
  const std::uint32_t count = bits.bits(15);
  if (count == 0) {
    bits.fail("a block has no table selectors");
  }
  std::array<std::uint8_t, k_max_groups> order{0, 1, 2, 3, 4, 5};
  std::vector<std::uint8_t> selectors(count);
  for (auto& selector : selectors) {
    unsigned position = 0;
    while (bits.bit()) {
      if (++position >= groups) {
        bits.fail("a table selector names no table");
      }
    }
    const std::uint8_t table = order[position];
    for (; position > 0; --position) {
      order[position] = order[position - 1];
    }
    order[0] = table;
    selector = table;
  }
  return selectors;
}

// Each table's code lengths: a 5-bit start, then per symbol a walk of +1/-1 steps.
void read_tables(MsbBitReader& bits,
                 unsigned alphabet,
                 unsigned groups,
                 std::array<Bzip2HuffmanCode, k_max_groups>& tables) {
  std::array<std::uint8_t, k_max_alphabet> lengths{};
  for (unsigned group = 0; group < groups; ++group) {
    unsigned length = bits.bits(5);
    for (unsigned symbol = 0; symbol < alphabet; ++symbol) {
      while (true) {
        if (length < 1 || length > Bzip2HuffmanCode::k_max_code_length) {
          bits.fail("a code length is out of range");
        }
        if (!bits.bit()) {
          break;
        }
        length = bits.bit() ? length - 1 : length + 1;
      }
      lengths[symbol] = static_cast<std::uint8_t>(length);
    }
    if (!tables[group].build(lengths.data(), alphabet)) {
      bits.fail("a Huffman table is over-subscribed");
    }
  }
}

// Builds the links that undo the Burrows-Wheeler transform: the k-th occurrence of a byte in the
// transformed data is the k-th among the rows that begin with it.
void link_rows(Bzip2Block& block, const std::array<std::uint32_t, 256>& byte_counts) {
  std::array<std::uint32_t, 256> next_row{};
  std::uint32_t sum = 0;
  for (unsigned byte = 0; byte < 256; ++byte) {
    next_row[byte] = sum;
    sum += byte_counts[byte];
  }
  for (std::uint32_t i = 0; i < block.size; ++i) {
    const std::uint32_t byte = block.links[i] & 0xFF;
    block.links[next_row[byte]++] |= i << 8;
  }
}

} // namespace

void read_bzip2_block(MsbBitReader& bits, std::uint32_t max_size, Bzip2Block& block) {
  const std::uint32_t high = bits.bits(16);
  block.stored_crc = high << 16 | bits.bits(16);
  if (bits.bit()) {
    bits.fail("a randomised block (written by bzip2 before 0.9.5), which mlv does not decode");
  }
  const std::uint32_t start = bits.bits(24);
  const std::vector<unsigned char> used = read_used_bytes(bits);
  const auto alphabet = static_cast<unsigned>(used.size() + 2);
  const unsigned end_of_block = alphabet - 1;
  const unsigned groups = bits.bits(3);
  if (groups < k_min_groups || groups > k_max_groups) {
    bits.fail("the number of Huffman tables is out of range");
  }
  const std::vector<std::uint8_t> selectors = read_selectors(bits, groups);
  std::array<Bzip2HuffmanCode, k_max_groups> tables;
  read_tables(bits, alphabet, groups, tables);

  // Move-to-front positions with runs of position 0 written in bijective base 2 (RUNA = 1,
  // RUNB = 2 at each place).
  std::array<unsigned char, 256> front{};
  for (std::size_t i = 0; i < used.size(); ++i) {
    front[i] = static_cast<unsigned char>(i);
  }
  std::array<std::uint32_t, 256> byte_counts{};
  block.links.resize(max_size);
  std::uint32_t size = 0;
  std::uint32_t run = 0;
  std::uint32_t run_weight = 1;
  std::size_t selector = 0;
  unsigned left_in_group = 0;
  const Bzip2HuffmanCode* table = nullptr;
  const auto flush_run = [&] {
    if (run == 0) {
      return;
    }
    const unsigned char byte = used[front[0]];
    byte_counts[byte] += run;
    for (; run > 0; --run) {
      block.links[size++] = byte;
    }
    run_weight = 1;
  };
  while (true) {
    if (left_in_group == 0) {
      if (selector >= selectors.size()) {
        bits.fail("a block has more symbols than its table selectors cover");
      }
      table = &tables[selectors[selector++]];
      left_in_group = k_group_size;
    }
    --left_in_group;
    const unsigned symbol = table->decode(bits);
    if (symbol == k_run_a || symbol == k_run_b) {
      run += symbol == k_run_a ? run_weight : 2 * run_weight;
      run_weight *= 2;
      if (run > max_size - size) {
        bits.fail("a run goes past the block size");
      }
      continue;
    }
    flush_run();
    if (symbol == end_of_block) {
      break;
    }
    if (size >= max_size) {
      bits.fail("the block is larger than the stream's block size");
    }
    const unsigned position = symbol - 1;
    const unsigned char value = front[position];
    for (unsigned i = position; i > 0; --i) {
      front[i] = front[i - 1];
    }
    front[0] = value;
    const unsigned char byte = used[value];
    ++byte_counts[byte];
    block.links[size++] = byte;
  }
  if (start >= size) {
    bits.fail("the block's start pointer lies outside it");
  }
  block.size = size;
  block.start = start;
  link_rows(block, byte_counts);
}

} // namespace mlv::inspect::decode
