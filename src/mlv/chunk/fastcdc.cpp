#include <mlv/chunk/fastcdc.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace mlv::chunk {

namespace {

constexpr std::size_t k_read_block_size = 4 << 20;
// Chunk lengths are stored as 32-bit numbers (manifests, ChunkInfo).
constexpr std::uint32_t k_largest_max_size = 1u << 30;

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

// A mask of the `bits` highest bits. Bit k of the gear hash depends on the last k + 1 bytes, so
// the high bits see a window of up to 64 bytes while the low bits see only the last few.
constexpr std::uint64_t top_bits_mask(unsigned bits) {
  return bits == 0 ? 0 : ~std::uint64_t{0} << (64 - bits);
}

} // namespace

const std::array<std::uint64_t, 256>& gear_table() {
  return k_gear;
}

void validate_params(const Params& params) {
  if (params.min_size == 0 || params.min_size > params.avg_size ||
      params.avg_size > params.max_size || params.max_size > k_largest_max_size ||
      !std::has_single_bit(params.avg_size)) {
    throw Error(Failure::invalid_input,
                "invalid chunker sizes min=" + std::to_string(params.min_size) + " avg=" +
                    std::to_string(params.avg_size) + " max=" + std::to_string(params.max_size),
                "use 0 < min <= avg <= max <= 1 GiB with avg a power of two");
  }
}

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

Chunker::Chunker(Params params, Sink sink, bool hash_ids)
    : params_(params), sink_(std::move(sink)), hash_ids_(hash_ids) {
  validate_params(params_);
  pending_.reserve(2 * std::size_t{params_.max_size});
}

void Chunker::emit(std::span<const std::byte> bytes) {
  ChunkInfo info;
  info.offset = offset_;
  info.length = static_cast<std::uint32_t>(bytes.size());
  if (hash_ids_) {
    info.id = hash::sha256_hex(bytes);
  }
  offset_ += bytes.size();
  sink_(info, bytes);
}

std::size_t Chunker::cut_while_full(std::span<const std::byte> bytes) {
  std::size_t start = 0;
  while (bytes.size() - start >= params_.max_size) {
    const auto rest = bytes.subspan(start);
    const std::size_t cut = find_cut(rest, params_);
    emit(rest.first(cut));
    start += cut;
  }
  return start;
}

void Chunker::update(std::span<const std::byte> data) {
  // A cut is decided only with max_size bytes of look-ahead (or at finish), so boundaries do not
  // depend on how the input is split into blocks. Chunks are cut in the caller's bytes; only a
  // tail shorter than max_size is copied, to be completed by the next block.
  while (!data.empty()) {
    if (pending_.empty()) {
      const std::size_t used = cut_while_full(data);
      pending_.assign(data.begin() + static_cast<std::ptrdiff_t>(used), data.end());
      return;
    }
    // pending_ holds less than max_size bytes: complete it with up to max_size new bytes, cut
    // the chunks that start in it, then go on in the caller's bytes where they end.
    const std::size_t take = std::min<std::size_t>(data.size(), params_.max_size);
    pending_.insert(pending_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    const std::size_t used = cut_while_full(pending_);
    const std::size_t left = pending_.size() - used;
    if (left <= take) {
      pending_.clear();
      data = data.subspan(take - left);
    } else {
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(used));
      data = data.subspan(take);
    }
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
