#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::cache {

// One file of a tracked directory; `path` is relative, '/'-separated, without "." or "..".
struct DirEntry {
  std::string path;
  std::string id;
  std::uint64_t size = 0;
  bool executable = false;
  bool operator==(const DirEntry&) const = default;
};

// A directory's files sorted by path, and its empty folders (docs/formats-manifest.md, "Dir
// listing"): a listing without empty folders keeps version 1 bytes, so its id never changes.
struct DirListing {
  std::vector<DirEntry> entries;
  std::vector<std::string> empty_dirs; // relative, '/'-separated, sorted
  std::uint64_t total_size() const;
  bool operator==(const DirListing&) const = default;
};

// Canonical bytes (entries sorted by path); the listing's id is their SHA-256.
std::string serialize_dir_listing(const DirListing& listing);
std::string dir_listing_id(const DirListing& listing);
// Throws Error(bad_input) naming `source`; rejects unsafe entry paths ("..", absolute, empty).
DirListing parse_dir_listing(std::string_view text, const std::string& source);

} // namespace mlv::cache
