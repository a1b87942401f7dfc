#include <mlv/chunk/fastcdc.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/fs.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace mlv::chunk {

namespace {

constexpr std::size_t k_read_block_size = 1 << 20;
constexpr std::size_t k_chunk_buffer_size = 4 << 20;

// The "mlv-gear-v1" table: 256 values of splitmix64 seeded with the ASCII bytes "mlv-gear"
// read as a big-endian integer. Changing it changes every chunk boundary, so it is versioned.
constexpr std::uint64_t k_gear_seed = 0x6d6c762d67656172ull;

constexpr std::array<std::uint64_t, 256> make_gear_table() {
  std::array<std::uint64_t, 256> table{};
  std::uint64_t state = k_gear_seed;
  for (auto& value : table) {
    state += 0x9e3779b97f4a7c15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    value = z ^ (z >> 31);
  }
  return table;
}

constexpr auto k_gear = make_gear_table();

// A mask of the `bits` highest bits: the gear hash's high bits depend on the most recent bytes.
constexpr std::uint64_t top_bits_mask(unsigned bits) {
  return bits == 0 ? 0 : ~std::uint64_t{0} << (64 - bits);
}

} // namespace

std::size_t find_cut(std::span<const std::byte> data, const Params& params) {
  std::size_t size = data.size();
  if (size <= params.min_size) {
    return size;
  }
  if (size > params.max_size) {
    size = params.max_size;
  }
  // Normalized chunking (level 2): a harder mask before the average size, an easier one after,
  // which concentrates chunk sizes around the average.
  const unsigned bits = static_cast<unsigned>(std::bit_width(params.avg_size) - 1);
  const std::uint64_t mask_small = top_bits_mask(bits + 2);
  const std::uint64_t mask_large = top_bits_mask(bits > 2 ? bits - 2 : 1);
  const std::size_t normal = std::min<std::size_t>(params.avg_size, size);
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::uint64_t hash = 0;
  std::size_t i = params.min_size;
  for (; i < normal; ++i) {
    hash = (hash << 1) + k_gear[bytes[i]];
    if ((hash & mask_small) == 0) {
      return i + 1;
    }
  }
  for (; i < size; ++i) {
    hash = (hash << 1) + k_gear[bytes[i]];
    if ((hash & mask_large) == 0) {
      return i + 1;
    }
  }
  return size;
}

Chunker::Chunker(Params params, Sink sink) : params_(params), sink_(std::move(sink)) {
  pending_.reserve(std::max<std::size_t>(k_chunk_buffer_size, 2 * params_.max_size));
}

void Chunker::emit(std::span<const std::byte> bytes) {
  ChunkInfo info;
  info.offset = offset_;
  info.length = static_cast<std::uint32_t>(bytes.size());
  info.id = hash::sha256_hex(bytes);
  offset_ += bytes.size();
  sink_(info, bytes);
}

void Chunker::update(std::span<const std::byte> data) {
  // Cuts are decided only with max_size bytes of look-ahead (or at finish), so boundaries do not
  // depend on how the input is split into blocks. The buffer holds many chunks so that the
  // leftover is moved to its front once per buffer, not once per chunk.
  const std::size_t capacity = std::max<std::size_t>(k_chunk_buffer_size, 2 * params_.max_size);
  while (!data.empty()) {
    const std::size_t take = std::min(capacity - pending_.size(), data.size());
    pending_.insert(pending_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    data = data.subspan(take);
    if (pending_.size() < capacity) {
      return;
    }
    std::size_t start = 0;
    while (pending_.size() - start >= params_.max_size) {
      const auto rest = std::span<const std::byte>(pending_).subspan(start);
      const std::size_t cut = find_cut(rest, params_);
      emit(rest.first(cut));
      start += cut;
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(start));
  }
}

void Chunker::finish() {
  std::size_t start = 0;
  while (start < pending_.size()) {
    const auto rest = std::span<const std::byte>(pending_).subspan(start);
    const std::size_t cut = find_cut(rest, params_);
    emit(rest.first(cut));
    start += cut;
  }
  pending_.clear();
}

std::vector<ChunkInfo>
chunk_file(const std::filesystem::path& path, const Params& params, const Chunker::Sink& sink) {
  std::vector<ChunkInfo> chunks;
  Chunker chunker(params, [&](const ChunkInfo& info, std::span<const std::byte> bytes) {
    chunks.push_back(info);
    if (sink) {
      sink(info, bytes);
    }
  });
  util::read_blocks(path, k_read_block_size,
                    [&](std::span<const std::byte> block) { chunker.update(block); });
  chunker.finish();
  return chunks;
}

} // namespace mlv::chunk
