#pragma once

#include <mlv/cache/manifest.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace mlv::transfer {

// zstd level for a remote without `remote.NAME.compression`: fast enough to stay off the push's
// critical path, and what matters most for model weights is done by byte grouping anyway.
inline constexpr int k_default_compression_level = 3;

// Encodes chunks for a pack (docs/formats-pack-remote.md): zstd when that saves bytes, after
// grouping the bytes of 4- or 2-byte elements when that saves more; else the bytes stay raw.
// One encoder per thread (it keeps a zstd context), fed chunks in file order: once a few chunks
// in a row chose the same form, the next ones try only that form (a probe of every form now and
// then, or when the form stops saving, follows a change in the data).
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
  // Tries `encoding` alone on `raw` (raw: nothing to try); whether it beat raw.
  bool try_only(std::span<const std::byte> raw, cache::ChunkEncoding encoding);
  // Tries every form on `raw`; the smallest.
  cache::ChunkEncoding try_all(std::span<const std::byte> raw);
  // Compresses `input` as one zstd frame per plane into candidate_; keeps it as best_ when
  // smaller than `best_size`, then updates it.
  bool attempt(std::span<const std::byte> input, std::size_t planes, std::size_t& best_size);

  struct Context;
  std::unique_ptr<Context> context_;
  int level_;
  std::optional<cache::ChunkEncoding> preferred_; // the form the last chunks agreed on
  cache::ChunkEncoding last_winner_ = cache::ChunkEncoding::raw;
  unsigned agreeing_ = 0;    // probes in a row that chose last_winner_
  unsigned since_probe_ = 0; // chunks encoded with preferred_ alone since the last probe
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
