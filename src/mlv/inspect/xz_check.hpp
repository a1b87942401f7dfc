#pragma once

// Private to the inspect module's decompressors: the integrity check an xz stream stores after
// each block (none, CRC32, CRC64 or SHA-256).

#include <mlv/hash/sha256.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace mlv::inspect::decode {

class XzCheck {
public:
  // The check's size in bytes for a check id of the stream flags (all sixteen ids have one).
  static std::size_t size_of(unsigned id);
  // Whether mlv computes this check: none (0), CRC32 (1), CRC64 (4), SHA-256 (10).
  static bool is_supported(unsigned id);

  // Starts a block's check of kind `id` (a supported one).
  void start(unsigned id);
  void update(const unsigned char* data, std::size_t size);
  // The value as the stream stores it (little-endian CRCs, the SHA-256 digest).
  std::vector<unsigned char> finish();

private:
  unsigned id_ = 0;
  std::uint32_t crc32_ = 0;
  std::uint64_t crc64_ = 0;
  hash::Sha256 sha256_;
};

} // namespace mlv::inspect::decode
