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

// A directory's files sorted by path (docs/formats.md, "Dir listing").
struct DirListing {
  std::vector<DirEntry> entries;
  std::uint64_t total_size() const;
  bool operator==(const DirListing&) const = default;
};

// Canonical bytes (entries sorted by path); the listing's id is their SHA-256.
std::string serialize_dir_listing(const DirListing& listing);
std::string dir_listing_id(const DirListing& listing);
// Throws Error(bad_input) naming `source`; rejects unsafe entry paths ("..", absolute, empty).
DirListing parse_dir_listing(std::string_view text, const std::string& source);

} // namespace mlv::cache
