#pragma once

#include <mlv/chunk/fastcdc.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::cache {

// How a chunk's bytes are stored in its pack (docs/formats-pack-remote.md).
enum class ChunkEncoding : std::uint8_t {
  raw = 0,           // as they are
  zstd = 1,          // one zstd frame
  zstd_grouped2 = 2, // byte k of every 2-byte element grouped together, then zstd
  zstd_grouped4 = 3, // the same for 4-byte elements
};

// One chunk of a file, in order. `pack` is empty for a manifest that is not tied to a remote
// (the local cache's copy); a remote's manifest names the pack and offset of every chunk.
struct ChunkEntry {
  std::string id;
  std::uint32_t length = 0;
  std::string pack;
  std::uint64_t pack_offset = 0;
  // Bytes the chunk takes in the pack when it is not stored raw (0 = raw: `length` bytes).
  std::uint32_t stored_length = 0;
  ChunkEncoding encoding = ChunkEncoding::raw;
  // Bytes to read from the pack for this chunk.
  std::uint32_t pack_length() const noexcept {
    return encoding == ChunkEncoding::raw ? length : stored_length;
  }
  bool operator==(const ChunkEntry&) const = default;
};

// Everything needed to rebuild and verify a file (docs/formats.md, "Manifest").
struct Manifest {
  std::string id; // SHA-256 of the whole file
  std::uint64_t size = 0;
  chunk::Params params;
  std::vector<ChunkEntry> chunks;
  bool operator==(const Manifest&) const = default;
};

// Canonical text form; parse(serialize(m)) == m.
std::string serialize_manifest(const Manifest& manifest);
// Throws Error(bad_input) naming `source` and the offending line or field when the text is not
// a valid manifest (bad header, non-hex id, chunk lengths not adding up to size, ...).
Manifest parse_manifest(std::string_view text, const std::string& source);

// A manifest built from the chunks a chunker found (no pack locations).
Manifest make_manifest(const std::string& file_id,
                       std::uint64_t size,
                       const chunk::Params& params,
                       const std::vector<chunk::ChunkInfo>& chunks);

} // namespace mlv::cache
