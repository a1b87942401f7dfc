#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace mlv::chunk {

// FastCDC parameters. They are recorded wherever chunks are listed (manifests), so a later
// change of defaults never breaks a read. Only the "mlv-gear-v1" gear table exists today.
struct Params {
  std::uint32_t min_size = 16 * 1024;
  std::uint32_t avg_size = 64 * 1024;
  std::uint32_t max_size = 256 * 1024;
  bool operator==(const Params&) const = default;
};

inline constexpr Params k_default_params{};
inline constexpr const char* k_gear_table_name = "mlv-gear-v1";

// The 256 entries of the gear table "mlv-gear-v1" (docs/formats-chunking.md gives the rule).
const std::array<std::uint64_t, 256>& gear_table();

// Throws Error(bad_input) unless 0 < min <= avg <= max <= 1 GiB and avg is a power of two.
void validate_params(const Params& params);

// Where the next cut falls in `data` (FastCDC with normalized chunking, level 2): a length in
// [1, data.size()]. Returns data.size() when no boundary is found before max_size or the data end,
// so callers must only trust a cut shorter than data.size() or one at max_size.
std::size_t find_cut(std::span<const std::byte> data, const Params& params);

// A chunk found in a stream: its position, length and SHA-256 id.
struct ChunkInfo {
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
  std::string id;
};

// Streaming chunker: feed bytes in any block sizes; complete chunks are reported in order with
// their bytes (valid only during the callback). Chunk boundaries do not depend on block sizes.
class Chunker {
public:
  using Sink = std::function<void(const ChunkInfo&, std::span<const std::byte> bytes)>;

  // Without `hash_ids`, ChunkInfo::id is left empty for the caller to fill (in parallel, say).
  Chunker(Params params, Sink sink, bool hash_ids = true);
  void update(std::span<const std::byte> data);
  // Emits the remaining chunks, the last one possibly shorter than min_size.
  void finish();

private:
  void emit(std::span<const std::byte> bytes);
  // Emits every chunk that starts with at least max_size bytes ahead; returns the bytes used.
  std::size_t cut_while_full(std::span<const std::byte> bytes);

  Params params_;
  Sink sink_;
  bool hash_ids_ = true;
  std::vector<std::byte> pending_;
  std::uint64_t offset_ = 0;
};

// Chunks a whole file, streaming it once; chunk bytes are passed to `sink` if given.
std::vector<ChunkInfo>
chunk_file(const std::filesystem::path& path, const Params& params, const Chunker::Sink& sink = {});

// Receives chunks whose ids are known, in file order, while the chunking goes on.
using BatchSink = std::function<void(std::span<const ChunkInfo>)>;

// The same chunks, with their SHA-256 ids computed by `threads` worker threads while this one
// finds the cuts: about twice as fast on two cores. Memory stays at a few MiB of copied chunks.
// With `whole_id`, one more thread hashes the whole file in the same pass and stores its id there.
// With `on_batch`, every chunk is also passed to it once, in order, on this thread, as soon as
// it and those before it are hashed: a push packs and uploads while the cutting goes on.
std::vector<ChunkInfo> chunk_file_parallel(const std::filesystem::path& path,
                                           const Params& params,
                                           unsigned threads,
                                           std::string* whole_id = nullptr,
                                           const BatchSink& on_batch = {});

} // namespace mlv::chunk
