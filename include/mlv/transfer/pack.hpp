#pragma once

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
  std::uint32_t length = 0;
  bool operator==(const PackEntry&) const = default;
};

// Builds one pack in a temporary file: chunk bytes back to back, then the index and a fixed-size
// footer (docs/formats.md, "Pack"). The pack's id is the SHA-256 of all its bytes.
class PackWriter {
public:
  explicit PackWriter(const std::filesystem::path& tmp_dir);
  ~PackWriter(); // removes the temporary file unless released
  PackWriter(const PackWriter&) = delete;
  PackWriter& operator=(const PackWriter&) = delete;

  // Appends a chunk; returns its offset in the pack.
  std::uint64_t add(const std::string& chunk_id, std::span<const std::byte> bytes);
  std::uint64_t data_size() const noexcept { return data_size_; }
  std::size_t chunk_count() const noexcept { return entries_.size(); }
  // Writes index and footer, fsyncs; returns the pack id. The file stays at path() until the
  // writer is destroyed.
  std::string finish();
  const std::filesystem::path& path() const noexcept { return path_; }
  const std::vector<PackEntry>& entries() const noexcept { return entries_; }

private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t data_size_ = 0;
  std::vector<PackEntry> entries_;
  struct Hasher;
  std::unique_ptr<Hasher> hasher_;
};

// Size of the fixed footer at the end of every pack.
std::size_t pack_footer_size();
// From the footer bytes: where the index starts and how long it is. Throws Error(integrity)
// naming `source` when the footer is not a valid pack footer.
struct IndexLocation {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};
IndexLocation parse_pack_footer(std::span<const std::byte> footer, const std::string& source);
std::vector<PackEntry> parse_pack_index(std::span<const std::byte> index,
                                        const std::string& source);

} // namespace mlv::transfer
