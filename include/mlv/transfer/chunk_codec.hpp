#pragma once

#include <mlv/cache/manifest.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace mlv::transfer {

// zstd level for a remote without `remote.NAME.compression`: fast enough to stay off the push's
// critical path, and what matters most for model weights is done by byte grouping anyway.
inline constexpr int k_default_compression_level = 3;

// Encodes chunks for a pack (docs/formats-pack-remote.md): zstd when that saves bytes, after
// grouping the bytes of 4- or 2-byte elements when that saves more; else the bytes stay raw.
// One encoder per thread (it keeps a zstd context).
class ChunkEncoder {
public:
  // level 0 = no compression: every chunk stays raw.
  explicit ChunkEncoder(int level);
  ~ChunkEncoder();
  ChunkEncoder(const ChunkEncoder&) = delete;
  ChunkEncoder& operator=(const ChunkEncoder&) = delete;

  // The encoding chosen for `raw`; the stored bytes are `raw` itself when it is raw, else
  // encoded().
  cache::ChunkEncoding encode(std::span<const std::byte> raw);
  std::span<const std::byte> encoded() const noexcept { return best_; }

private:
  struct Context;
  std::unique_ptr<Context> context_;
  int level_;
  std::vector<std::byte> grouped_;
  std::vector<std::byte> candidate_;
  std::vector<std::byte> best_;
};

// Restores a chunk's bytes from its stored form. Throws nothing; returns false when the stored
// bytes do not decode to exactly `length` bytes (a damaged pack: the caller reports the chunk).
bool decode_chunk(cache::ChunkEncoding encoding,
                  std::span<const std::byte> stored,
                  std::uint32_t length,
                  std::vector<std::byte>& out);

} // namespace mlv::transfer
