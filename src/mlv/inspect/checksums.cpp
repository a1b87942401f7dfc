#include "checksums.hpp"

#include <array>

namespace mlv::inspect::checksum {

namespace {

constexpr std::uint32_t k_crc32_reflected_polynomial = 0xEDB88320;
constexpr std::uint32_t k_crc32_polynomial = 0x04C11DB7;
constexpr std::uint64_t k_crc64_reflected_polynomial = 0xC96C5795D7870F42;
constexpr std::uint32_t k_adler_modulus = 65521;
// The most bytes Adler-32's sums can take before they must be reduced to stay in 32 bits.
constexpr std::size_t k_adler_block = 5552;
// Tables for eight bytes per step ("slicing by 8"): the CRCs run at several GB/s.
constexpr std::size_t k_slices = 8;

template <typename Word>
using SliceTables = std::array<std::array<Word, 256>, k_slices>;

// Table k gives the CRC of a byte followed by k zero bytes, for a reflected CRC.
template <typename Word>
constexpr SliceTables<Word> make_reflected_tables(Word polynomial) {
  SliceTables<Word> tables{};
  for (unsigned byte = 0; byte < 256; ++byte) {
    Word crc = byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
    }
    tables[0][byte] = crc;
  }
  for (std::size_t slice = 1; slice < k_slices; ++slice) {
    for (unsigned byte = 0; byte < 256; ++byte) {
      const Word previous = tables[slice - 1][byte];
      tables[slice][byte] = (previous >> 8) ^ tables[0][previous & 0xFF];
    }
  }
  return tables;
}

constexpr std::array<std::uint32_t, 256> make_msb_first_table(std::uint32_t polynomial) {
  std::array<std::uint32_t, 256> table{};
  for (unsigned byte = 0; byte < 256; ++byte) {
    std::uint32_t crc = byte << 24;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x80000000u) != 0 ? (crc << 1) ^ polynomial : crc << 1;
    }
    table[byte] = crc;
  }
  return table;
}

constexpr auto k_crc32_tables = make_reflected_tables<std::uint32_t>(k_crc32_reflected_polynomial);
constexpr auto k_crc64_tables = make_reflected_tables<std::uint64_t>(k_crc64_reflected_polynomial);
constexpr auto k_bzip2_table = make_msb_first_table(k_crc32_polynomial);

std::uint64_t load_le64(const unsigned char* data) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) {
    value = (value << 8) | data[i];
  }
  return value;
}

// A reflected CRC register (already inverted) over `data`, eight bytes per step.
template <typename Word>
Word reflected_crc(Word crc,
                   const SliceTables<Word>& tables,
                   const unsigned char* data,
                   std::size_t size) {
  while (size >= k_slices) {
    const std::uint64_t word = load_le64(data) ^ static_cast<std::uint64_t>(crc);
    crc = 0;
    // Byte i is followed by 7 - i more bytes of this step.
    for (std::size_t i = 0; i < k_slices; ++i) {
      crc ^= tables[k_slices - 1 - i][(word >> (8 * i)) & 0xFF];
    }
    data += k_slices;
    size -= k_slices;
  }
  for (; size > 0; --size, ++data) {
    crc = static_cast<Word>((crc >> 8) ^ tables[0][(crc ^ *data) & 0xFF]);
  }
  return crc;
}

} // namespace

std::uint32_t crc32(std::uint32_t crc, const unsigned char* data, std::size_t size) {
  return ~reflected_crc<std::uint32_t>(~crc, k_crc32_tables, data, size);
}

std::uint64_t crc64(std::uint64_t crc, const unsigned char* data, std::size_t size) {
  return ~reflected_crc<std::uint64_t>(~crc, k_crc64_tables, data, size);
}

std::uint32_t bzip2_crc(std::uint32_t crc, const unsigned char* data, std::size_t size) {
  std::uint32_t value = ~crc;
  for (std::size_t i = 0; i < size; ++i) {
    value = (value << 8) ^ k_bzip2_table[(value >> 24) ^ data[i]];
  }
  return ~value;
}

std::uint32_t adler32(std::uint32_t adler, const unsigned char* data, std::size_t size) {
  std::uint32_t low = adler & 0xFFFF;
  std::uint32_t high = adler >> 16;
  while (size > 0) {
    const std::size_t block = size < k_adler_block ? size : k_adler_block;
    for (std::size_t i = 0; i < block; ++i) {
      low += data[i];
      high += low;
    }
    low %= k_adler_modulus;
    high %= k_adler_modulus;
    data += block;
    size -= block;
  }
  return (high << 16) | low;
}

} // namespace mlv::inspect::checksum
