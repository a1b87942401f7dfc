#pragma once

// Private to the inspect module's decompressors: the check values their formats carry. Each
// function continues a running value: pass the previous result (the initial value for the first
// piece) and get the value over everything so far.

#include <cstddef>
#include <cstdint>

namespace mlv::inspect::checksum {

// CRC-32 of gzip, zip and xz (ISO-HDLC: polynomial 0x04C11DB7 reflected); starts at 0.
std::uint32_t crc32(std::uint32_t crc, const unsigned char* data, std::size_t size);

// bzip2's CRC-32: the same polynomial, most significant bit first; starts at 0.
std::uint32_t bzip2_crc(std::uint32_t crc, const unsigned char* data, std::size_t size);

// CRC-64 of xz (ECMA-182 polynomial, reflected); starts at 0.
std::uint64_t crc64(std::uint64_t crc, const unsigned char* data, std::size_t size);

// Adler-32 of zlib (RFC 1950); starts at 1.
constexpr std::uint32_t k_adler32_initial = 1;
std::uint32_t adler32(std::uint32_t adler, const unsigned char* data, std::size_t size);

} // namespace mlv::inspect::checksum
