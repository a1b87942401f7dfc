#include <mlv/transfer/chunk_codec.hpp>

#include <zstd.h>

#include <cstring>

namespace mlv::transfer {

namespace {

// Element width of a byte-grouped encoding, 0 for the others.
std::size_t group_width(cache::ChunkEncoding encoding) {
  switch (encoding) {
  case cache::ChunkEncoding::zstd_grouped2:
    return 2;
  case cache::ChunkEncoding::zstd_grouped4:
    return 4;
  default:
    return 0;
  }
}

// Byte k of every element goes to plane k (Xet's byte grouping): the exponent bytes of float
// weights, nearly constant, then sit together where zstd finds them. A tail shorter than an
// element stays at the end as it is.
void group_bytes(std::span<const std::byte> in, std::size_t width, std::vector<std::byte>& out) {
  out.resize(in.size());
  const std::size_t elements = in.size() / width;
  for (std::size_t k = 0; k < width; ++k) {
    std::byte* plane = out.data() + k * elements;
    for (std::size_t i = 0; i < elements; ++i) {
      plane[i] = in[i * width + k];
    }
  }
  std::memcpy(out.data() + elements * width, in.data() + elements * width,
              in.size() - elements * width);
}

void ungroup_bytes(std::span<const std::byte> in, std::size_t width, std::byte* out) {
  const std::size_t elements = in.size() / width;
  for (std::size_t k = 0; k < width; ++k) {
    const std::byte* plane = in.data() + k * elements;
    for (std::size_t i = 0; i < elements; ++i) {
      out[i * width + k] = plane[i];
    }
  }
  std::memcpy(out + elements * width, in.data() + elements * width, in.size() - elements * width);
}

} // namespace

struct ChunkEncoder::Context {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ~Context() { ZSTD_freeCCtx(cctx); }
};

ChunkEncoder::ChunkEncoder(int level) : context_(std::make_unique<Context>()), level_(level) {}

ChunkEncoder::~ChunkEncoder() = default;

// Compresses `input` into candidate_ as one zstd frame per plane of `planes` (one plane: the
// whole input). Frames of their own give each plane its own entropy tables: the exponent plane of
// float weights compresses well only when the random mantissa planes are not in the same block.
bool ChunkEncoder::attempt(std::span<const std::byte> input,
                           std::size_t planes,
                           std::size_t& best_size) {
  candidate_.resize(ZSTD_compressBound(input.size()) + planes * ZSTD_compressBound(0));
  const std::size_t plane_size = input.size() / planes;
  std::size_t size = 0;
  for (std::size_t k = 0; k < planes; ++k) {
    const auto begin = k * plane_size;
    const auto end = k + 1 == planes ? input.size() : begin + plane_size; // tail in the last
    const auto written =
        ZSTD_compressCCtx(context_->cctx, candidate_.data() + size, candidate_.size() - size,
                          input.data() + begin, end - begin, level_);
    if (ZSTD_isError(written)) {
      return false;
    }
    size += written;
  }
  if (size >= best_size) {
    return false;
  }
  best_size = size;
  candidate_.resize(size);
  best_.swap(candidate_);
  return true;
}

bool ChunkEncoder::try_only(std::span<const std::byte> raw, cache::ChunkEncoding encoding) {
  std::size_t best_size = raw.size();
  const auto width = group_width(encoding);
  if (encoding == cache::ChunkEncoding::raw) {
    return false;
  }
  if (width == 0) {
    return attempt(raw, 1, best_size);
  }
  group_bytes(raw, width, grouped_);
  return attempt(grouped_, width, best_size);
}

cache::ChunkEncoding ChunkEncoder::try_all(std::span<const std::byte> raw) {
  std::size_t best_size = raw.size();
  auto best = cache::ChunkEncoding::raw;
  if (attempt(raw, 1, best_size)) {
    best = cache::ChunkEncoding::zstd;
  }
  // Random bytes do not shrink at all, text and pickles shrink a lot: only what zstd shrinks a
  // little (float weights) is worth the two more passes of grouping.
  const bool worth_grouping = best_size < raw.size() && best_size > raw.size() * 3 / 4;
  if (worth_grouping) {
    for (const auto encoding :
         {cache::ChunkEncoding::zstd_grouped4, cache::ChunkEncoding::zstd_grouped2}) {
      group_bytes(raw, group_width(encoding), grouped_);
      if (attempt(grouped_, group_width(encoding), best_size)) {
        best = encoding;
      }
    }
  }
  return best;
}

cache::ChunkEncoding ChunkEncoder::encode(std::span<const std::byte> raw) {
  if (level_ <= 0 || raw.size() < 64) {
    return cache::ChunkEncoding::raw;
  }
  // Trying every form costs up to three zstd passes (float weights) where one does: a file's
  // chunks mostly agree, so after k_agreeing_to_prefer probes chose the same form the next chunks
  // try only that one (none when it is raw: random or compressed data costs no pass at all).
  // Every k_probe_interval-th chunk, and any chunk the form no longer shrinks, probes again.
  constexpr unsigned k_agreeing_to_prefer = 3;
  constexpr unsigned k_probe_interval = 16;
  if (preferred_ && ++since_probe_ < k_probe_interval) {
    if (*preferred_ == cache::ChunkEncoding::raw) {
      return cache::ChunkEncoding::raw;
    }
    if (try_only(raw, *preferred_)) {
      return *preferred_;
    }
  }
  since_probe_ = 0;
  const auto winner = try_all(raw);
  agreeing_ = winner == last_winner_ ? agreeing_ + 1 : 1;
  last_winner_ = winner;
  preferred_ = agreeing_ >= k_agreeing_to_prefer ? std::optional(winner) : std::nullopt;
  return winner;
}

bool decode_chunk(cache::ChunkEncoding encoding,
                  std::span<const std::byte> stored,
                  std::uint32_t length,
                  std::vector<std::byte>& out) {
  if (encoding == cache::ChunkEncoding::raw) {
    if (stored.size() != length) {
      return false;
    }
    out.assign(stored.begin(), stored.end());
    return true;
  }
  // The frames' declared sizes are checked before any allocation: a damaged or hostile pack
  // cannot make mlv allocate more than the chunk's length from the manifest.
  std::uint64_t declared = 0;
  for (std::size_t at = 0; at < stored.size();) {
    const auto frame = ZSTD_findFrameCompressedSize(stored.data() + at, stored.size() - at);
    const auto content = ZSTD_getFrameContentSize(stored.data() + at, stored.size() - at);
    if (ZSTD_isError(frame) || content == ZSTD_CONTENTSIZE_UNKNOWN ||
        content == ZSTD_CONTENTSIZE_ERROR || content > length - declared) {
      return false;
    }
    declared += content;
    at += frame;
  }
  if (declared != length) {
    return false;
  }
  std::vector<std::byte> plain(length);
  const auto size = ZSTD_decompress(plain.data(), plain.size(), stored.data(), stored.size());
  if (ZSTD_isError(size) || size != length) {
    return false;
  }
  const auto width = group_width(encoding);
  if (width == 0) {
    out = std::move(plain);
    return true;
  }
  out.resize(length);
  ungroup_bytes(plain, width, out.data());
  return true;
}

} // namespace mlv::transfer
