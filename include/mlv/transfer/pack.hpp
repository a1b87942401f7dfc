#pragma once

#include <mlv/cache/manifest.hpp>
#include <mlv/remote/object_store.hpp>
#include <mlv/transfer/chunk_codec.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::transfer {

inline constexpr std::uint64_t k_default_pack_size = 32ull * 1024 * 1024;

// A chunk's place inside a pack.
struct PackEntry {
  std::string chunk_id;
  std::uint64_t offset = 0;
  std::uint32_t length = 0;        // of the chunk itself (its id is the SHA-256 of those bytes)
  std::uint32_t stored_length = 0; // bytes in the pack when not raw; 0 when raw
  cache::ChunkEncoding encoding = cache::ChunkEncoding::raw;
  std::uint32_t pack_length() const noexcept {
    return encoding == cache::ChunkEncoding::raw ? length : stored_length;
  }
  bool operator==(const PackEntry&) const = default;
};

// Builds one pack in a temporary file: chunk bytes back to back, then the index and a fixed-size
// footer (docs/formats-pack-remote.md). The pack's id is the SHA-256 of all its bytes.
class PackWriter {
public:
  // `compression_level`: the zstd level each chunk is tried at (0: every chunk stays raw).
  explicit PackWriter(const std::filesystem::path& tmp_dir, int compression_level = 0);
  ~PackWriter(); // removes the temporary file unless released
  PackWriter(const PackWriter&) = delete;
  PackWriter& operator=(const PackWriter&) = delete;

  // Appends a chunk's bytes; returns its index in entries(). Where it ends up in the pack and in
  // what form is known after finish().
  std::size_t add(const std::string& chunk_id, std::span<const std::byte> bytes);
  // Bytes of the chunks added (before finish(): uncompressed; after: as stored).
  std::uint64_t data_size() const noexcept { return data_size_; }
  std::size_t chunk_count() const noexcept { return entries_.size(); }
  // Stores each chunk in its smallest form (compression runs here, so a pusher calls it on an
  // upload worker, in parallel with packing), writes index and footer; returns the pack id. The
  // file stays at path() until the writer is destroyed.
  std::string finish();
  const std::filesystem::path& path() const noexcept { return path_; }
  const std::vector<PackEntry>& entries() const noexcept { return entries_; }

private:
  void encode_chunks();

  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t data_size_ = 0;
  std::vector<PackEntry> entries_;
  ChunkEncoder encoder_;
  struct Hasher;
  std::unique_ptr<Hasher> hasher_;
};

// The pack format version PackWriter writes (docs/formats-pack-remote.md); readers accept every
// version up to it.
std::uint32_t pack_format_version();

// Size of the fixed footer at the end of every pack.
std::size_t pack_footer_size();

// What the footer says about the index.
struct IndexLocation {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint32_t entry_count = 0;
  std::uint32_t version = 0;          // pack format version: how index entries are laid out
  std::array<std::byte, 32> sha256{}; // of the index bytes
};

// Reads the footer bytes. Throws Error(integrity) naming `source` when they are not a valid
// pack footer (wrong magic, unknown version, length and count disagreeing).
IndexLocation parse_pack_footer(std::span<const std::byte> footer, const std::string& source);
// Reads the index the footer located, after checking its SHA-256 against the footer's.
std::vector<PackEntry> parse_pack_index(std::span<const std::byte> index,
                                        const IndexLocation& location,
                                        const std::string& source);

// Reads a pack's index from a store with two range reads (footer, then index), without its
// data. `pack_size` comes from ObjectStore::list. Throws Error(missing) when the pack is absent
// and Error(integrity) when its footer or index is damaged.
std::vector<PackEntry>
read_pack_index(remote::ObjectStore& store, const std::string& key, std::uint64_t pack_size);

} // namespace mlv::transfer
