#pragma once

#include <mlv/cache/manifest.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::transfer {

// A compressed manifest may expand to at most this many bytes (about 8 million chunk lines, the
// manifest of a file of ~500 GiB): a damaged or hostile frame cannot make mlv allocate more.
inline constexpr std::uint64_t k_max_manifest_text = 1ull << 30;

// The bytes a manifest is stored as on a remote (docs/formats-manifest.md, "On a remote"): its
// canonical text, or with `compression_level` > 0 one zstd frame of that text.
std::string encode_remote_manifest(const cache::Manifest& manifest, int compression_level);

// Parses a manifest as a remote stores it: the text, or a zstd frame of it (told apart by the
// zstd frame magic). Error(bad_input) naming `source` when it is damaged either way.
cache::Manifest parse_remote_manifest(std::string_view stored, const std::string& source);

// The manifests of a folder's files in one object, bundles/<2 hex>/<dir id>
// (docs/formats-manifest.md, "Bundle"): a folder of many small files costs one request, not one
// per file. `manifests` are sorted by file id, each id once.
struct Bundle {
  std::string dir_id;
  std::vector<cache::Manifest> manifests;
};

// Stored like a manifest: the text, or with `compression_level` > 0 one checksummed zstd frame.
std::string encode_remote_bundle(const Bundle& bundle, int compression_level);
// The same from manifests held elsewhere (sorted by id, each once), without copying them.
std::string encode_remote_bundle(const std::string& dir_id,
                                 std::span<const cache::Manifest* const> manifests,
                                 int compression_level);
// Error(bad_input) naming `source` when the bundle is damaged (including a manifest in it).
Bundle parse_remote_bundle(std::string_view stored, const std::string& source);

} // namespace mlv::transfer
