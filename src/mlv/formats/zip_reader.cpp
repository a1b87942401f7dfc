#include <mlv/formats/zip_reader.hpp>
#include <mlv/util/error.hpp>

#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace mlv::formats {

namespace {

// Record signatures and fixed sizes from the zip specification (PKWARE APPNOTE 6.3).
constexpr std::uint32_t k_local_header_signature = 0x04034b50;
constexpr std::uint32_t k_central_header_signature = 0x02014b50;
constexpr std::uint32_t k_end_of_directory_signature = 0x06054b50;
constexpr std::uint32_t k_zip64_end_of_directory_signature = 0x06064b50;
constexpr std::uint32_t k_zip64_locator_signature = 0x07064b50;
constexpr std::size_t k_local_header_size = 30;
constexpr std::size_t k_central_header_size = 46;
constexpr std::size_t k_end_of_directory_size = 22;
constexpr std::size_t k_zip64_locator_size = 20;
constexpr std::size_t k_zip64_end_of_directory_size = 56;
constexpr std::size_t k_max_comment_size = 0xFFFF;
constexpr std::uint16_t k_zip64_extra_id = 0x0001;
constexpr std::uint32_t k_zip64_marker32 = 0xFFFFFFFF;
constexpr std::uint16_t k_zip64_marker16 = 0xFFFF;
constexpr std::uint16_t k_flag_data_descriptor = 0x8;
constexpr std::uint32_t k_data_descriptor_signature = 0x08074b50;
// Data descriptors: signature, CRC, then 4-byte sizes (or 8-byte ones in zip64 archives).
constexpr std::size_t k_data_descriptor_size = 16;
constexpr std::size_t k_zip64_data_descriptor_size = 24;
// Signature searches read this much at a time.
constexpr std::size_t k_search_chunk = 1 << 20;

// A central directory larger than this is refused rather than read into memory: it would list
// hundreds of thousands of members, which no model format writes.
constexpr std::uint64_t k_max_directory_bytes = 64ull << 20;
// The local-header walk gives up after this many members, so garbage cannot make it crawl.
constexpr std::size_t k_max_local_walk_entries = 1 << 16;

std::uint16_t u16_at(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[at]) |
                                    static_cast<unsigned char>(bytes[at + 1]) << 8);
}

std::uint32_t u32_at(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint32_t>(u16_at(bytes, at)) |
         static_cast<std::uint32_t>(u16_at(bytes, at + 2)) << 16;
}

std::uint64_t u64_at(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint64_t>(u32_at(bytes, at)) |
         static_cast<std::uint64_t>(u32_at(bytes, at + 4)) << 32;
}

[[noreturn]] void malformed(const ByteSource& source, const std::string& what) {
  throw Error(Failure::invalid_input, source.name() + ": not a readable zip archive: " + what,
              "the file may be truncated or corrupted; re-create or re-download it");
}

// Where the central directory lies, as the end records describe it.
struct DirectoryLocation {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint64_t entries = 0;
  std::uint64_t end = 0; // the first byte after the directory may be no later than this
};

// The last end-of-directory record whose comment fits in the file.
std::uint64_t find_end_of_directory(const ByteSource& source) {
  const std::uint64_t size = source.size();
  if (size < k_end_of_directory_size) {
    malformed(source, "too short");
  }
  const std::uint64_t tail_size =
      std::min<std::uint64_t>(size, k_end_of_directory_size + k_max_comment_size);
  const std::uint64_t tail_start = size - tail_size;
  const std::string tail = source.read_at(tail_start, static_cast<std::size_t>(tail_size));
  if (tail.size() != tail_size) {
    malformed(source, "cannot read the end of the archive");
  }
  for (std::size_t pos = tail.size() - k_end_of_directory_size;; --pos) {
    if (u32_at(tail, pos) == k_end_of_directory_signature &&
        pos + k_end_of_directory_size + u16_at(tail, pos + 20) <= tail.size()) {
      return tail_start + pos;
    }
    if (pos == 0) {
      break;
    }
  }
  malformed(source, "no end-of-central-directory record");
}

// Fills `location` from the zip64 records that the classic end record points past.
void read_zip64_location(const ByteSource& source,
                         std::uint64_t end_record,
                         DirectoryLocation& location) {
  if (end_record < k_zip64_locator_size) {
    malformed(source, "zip64 locator missing");
  }
  const std::uint64_t locator_offset = end_record - k_zip64_locator_size;
  const std::string locator = source.read_at(locator_offset, k_zip64_locator_size);
  if (locator.size() != k_zip64_locator_size || u32_at(locator, 0) != k_zip64_locator_signature) {
    malformed(source, "zip64 locator missing");
  }
  const std::uint64_t record_offset = u64_at(locator, 8);
  if (record_offset > locator_offset ||
      locator_offset - record_offset < k_zip64_end_of_directory_size) {
    malformed(source, "zip64 end record out of bounds");
  }
  const std::string record = source.read_at(record_offset, k_zip64_end_of_directory_size);
  if (record.size() != k_zip64_end_of_directory_size ||
      u32_at(record, 0) != k_zip64_end_of_directory_signature) {
    malformed(source, "zip64 end record missing");
  }
  location.entries = u64_at(record, 32);
  location.size = u64_at(record, 40);
  location.offset = u64_at(record, 48);
  location.end = record_offset;
}

DirectoryLocation locate_directory(const ByteSource& source) {
  const std::uint64_t end_record = find_end_of_directory(source);
  const std::string record = source.read_at(end_record, k_end_of_directory_size);
  DirectoryLocation location;
  location.entries = u16_at(record, 10);
  location.size = u32_at(record, 12);
  location.offset = u32_at(record, 16);
  location.end = end_record;
  if (location.entries == k_zip64_marker16 || location.size == k_zip64_marker32 ||
      location.offset == k_zip64_marker32) {
    read_zip64_location(source, end_record, location);
  }
  if (location.size > location.end || location.offset > location.end - location.size) {
    malformed(source, "central directory out of bounds");
  }
  if (location.size > k_max_directory_bytes) {
    malformed(source, "central directory larger than " +
                          std::to_string(k_max_directory_bytes >> 20) + " MiB");
  }
  if (location.entries > location.size / k_central_header_size) {
    malformed(source, "central directory lists more members than it can hold");
  }
  return location;
}

// Replaces the 32-bit fields marked 0xFFFFFFFF with their values from a zip64 extra field.
// `sizes_only` is for local headers, whose zip64 field carries the two sizes and nothing else.
void apply_zip64_extra(std::string_view extra, ZipEntry& entry, bool sizes_only) {
  std::size_t pos = 0;
  while (pos + 4 <= extra.size()) {
    const std::uint16_t id = u16_at(extra, pos);
    const std::size_t length = u16_at(extra, pos + 2);
    pos += 4;
    if (length > extra.size() - pos) {
      return;
    }
    if (id == k_zip64_extra_id) {
      std::string_view field = extra.substr(pos, length);
      std::size_t at = 0;
      auto take = [&](std::uint64_t& value, bool marked) {
        if (marked && at + 8 <= field.size()) {
          value = u64_at(field, at);
          at += 8;
        }
      };
      take(entry.uncompressed_size, sizes_only || entry.uncompressed_size == k_zip64_marker32);
      take(entry.compressed_size, sizes_only || entry.compressed_size == k_zip64_marker32);
      if (!sizes_only) {
        take(entry.local_header_offset, entry.local_header_offset == k_zip64_marker32);
      }
      return;
    }
    pos += length;
  }
}

// The offset of the first `signature` at or after `from`, if any.
std::optional<std::uint64_t>
find_signature(const ByteSource& source, std::uint64_t from, std::uint32_t signature) {
  const char pattern[4] = {
      static_cast<char>(signature & 0xFF), static_cast<char>((signature >> 8) & 0xFF),
      static_cast<char>((signature >> 16) & 0xFF), static_cast<char>(signature >> 24)};
  for (std::uint64_t pos = from; pos < source.size();) {
    const std::string chunk = source.read_at(pos, k_search_chunk + 3);
    const auto found = chunk.find(std::string_view(pattern, 4));
    if (found != std::string::npos) {
      return pos + found;
    }
    if (chunk.size() < k_search_chunk + 3) {
      break;
    }
    pos += k_search_chunk; // the last three bytes are read again: a signature may straddle
  }
  return std::nullopt;
}

// The size of the data that starts at `data_at`, from the first data descriptor behind it whose
// compressed size (4 or 8 bytes) is its own distance from the data.
std::optional<std::uint64_t> size_from_descriptor(const ByteSource& source, std::uint64_t data_at) {
  for (std::uint64_t from = data_at;;) {
    const auto at = find_signature(source, from, k_data_descriptor_signature);
    if (!at) {
      return std::nullopt;
    }
    const std::string descriptor = source.read_at(*at, k_zip64_data_descriptor_size);
    const std::uint64_t distance = *at - data_at;
    if ((descriptor.size() >= k_data_descriptor_size && u32_at(descriptor, 8) == distance) ||
        (descriptor.size() >= k_zip64_data_descriptor_size && u64_at(descriptor, 8) == distance)) {
      return distance;
    }
    from = *at + 1;
  }
}

bool is_directory_record(std::uint32_t signature) {
  return signature == k_central_header_signature || signature == k_end_of_directory_signature ||
         signature == k_zip64_end_of_directory_signature;
}

} // namespace

bool starts_like_zip(const ByteSource& source) {
  const std::string head = source.read_at(0, 4);
  return head.size() == 4 && u32_at(head, 0) == k_local_header_signature;
}

std::vector<ZipEntry> read_zip_directory(const ByteSource& source) {
  const DirectoryLocation location = locate_directory(source);
  const std::string directory =
      source.read_at(location.offset, static_cast<std::size_t>(location.size));
  if (directory.size() != location.size) {
    malformed(source, "cannot read the central directory");
  }
  std::vector<ZipEntry> entries;
  entries.reserve(static_cast<std::size_t>(location.entries));
  std::size_t pos = 0;
  for (std::uint64_t index = 0; index < location.entries; ++index) {
    if (directory.size() - pos < k_central_header_size ||
        u32_at(directory, pos) != k_central_header_signature) {
      malformed(source, "central directory entry " + std::to_string(index) + " is damaged");
    }
    ZipEntry entry;
    entry.flags = u16_at(directory, pos + 8);
    entry.compression_method = u16_at(directory, pos + 10);
    entry.crc32 = u32_at(directory, pos + 16);
    entry.compressed_size = u32_at(directory, pos + 20);
    entry.uncompressed_size = u32_at(directory, pos + 24);
    const std::size_t name_length = u16_at(directory, pos + 28);
    const std::size_t extra_length = u16_at(directory, pos + 30);
    const std::size_t comment_length = u16_at(directory, pos + 32);
    entry.local_header_offset = u32_at(directory, pos + 42);
    const std::size_t variable = name_length + extra_length + comment_length;
    if (directory.size() - pos - k_central_header_size < variable) {
      malformed(source, "central directory entry " + std::to_string(index) + " is truncated");
    }
    const std::size_t name_at = pos + k_central_header_size;
    entry.name = directory.substr(name_at, name_length);
    apply_zip64_extra(std::string_view(directory).substr(name_at + name_length, extra_length),
                      entry, false);
    if (entry.local_header_offset >= location.offset) {
      malformed(source, "member " + entry.name + " starts after the central directory");
    }
    entries.push_back(std::move(entry));
    pos = name_at + variable;
  }
  return entries;
}

namespace {

// The member a local header at `pos` describes (`header`: its fixed part), and where its data
// starts; nothing when its name and extra field run past the end of the source.
std::optional<std::pair<ZipEntry, std::uint64_t>>
parse_local_header(const ByteSource& source, const std::string& header, std::uint64_t pos) {
  ZipEntry entry;
  entry.flags = u16_at(header, 6);
  entry.compression_method = u16_at(header, 8);
  entry.crc32 = u32_at(header, 14);
  entry.compressed_size = u32_at(header, 18);
  entry.uncompressed_size = u32_at(header, 22);
  const std::size_t name_length = u16_at(header, 26);
  const std::size_t extra_length = u16_at(header, 28);
  entry.local_header_offset = pos;
  const std::string variable =
      source.read_at(pos + k_local_header_size, name_length + extra_length);
  if (variable.size() != name_length + extra_length) {
    return std::nullopt;
  }
  entry.name = variable.substr(0, name_length);
  if (entry.compressed_size == k_zip64_marker32 || entry.uncompressed_size == k_zip64_marker32) {
    apply_zip64_extra(std::string_view(variable).substr(name_length), entry, true);
  }
  return std::pair{std::move(entry), pos + k_local_header_size + variable.size()};
}

} // namespace

std::vector<ZipEntry> read_zip_local_headers(const ByteSource& source) {
  std::vector<ZipEntry> entries;
  std::uint64_t pos = 0;
  while (entries.size() < k_max_local_walk_entries) {
    const std::string header = source.read_at(pos, k_local_header_size);
    if (header.size() != k_local_header_size || u32_at(header, 0) != k_local_header_signature) {
      break;
    }
    auto parsed = parse_local_header(source, header, pos);
    if (!parsed) {
      break;
    }
    auto& [entry, data_at] = *parsed;
    const bool sizes_deferred = (entry.flags & k_flag_data_descriptor) != 0;
    const std::uint64_t compressed_size = entry.compressed_size;
    entries.push_back(std::move(entry));
    if (sizes_deferred || compressed_size > source.size() - data_at) {
      break;
    }
    pos = data_at + compressed_size;
  }
  return entries;
}

std::vector<ZipEntry> walk_zip_local_headers(const ByteSource& source,
                                             const std::vector<ZipEntry>& directory) {
  std::unordered_map<std::uint64_t, const ZipEntry*> listed;
  for (const auto& entry : directory) {
    listed.emplace(entry.local_header_offset, &entry);
  }
  std::vector<ZipEntry> entries;
  std::uint64_t pos = 0;
  while (entries.size() < k_max_local_walk_entries && pos < source.size()) {
    const std::string header = source.read_at(pos, k_local_header_size);
    if (header.size() < 4 || is_directory_record(u32_at(header, 0))) {
      break;
    }
    if (header.size() != k_local_header_size || u32_at(header, 0) != k_local_header_signature) {
      const auto next = find_signature(source, pos + 1, k_local_header_signature);
      if (!next) {
        break;
      }
      pos = *next;
      continue;
    }
    auto parsed = parse_local_header(source, header, pos);
    if (!parsed) {
      break;
    }
    auto& [entry, data_at] = *parsed;
    if (data_at > source.size()) {
      break;
    }
    const bool deferred = (entry.flags & k_flag_data_descriptor) != 0;
    if (deferred && entry.compressed_size == 0) {
      if (const auto found = listed.find(pos); found != listed.end()) {
        entry.compressed_size = found->second->compressed_size;
        entry.uncompressed_size = found->second->uncompressed_size;
      } else if (const auto size = size_from_descriptor(source, data_at)) {
        entry.compressed_size = *size;
      } else {
        const auto next = find_signature(source, data_at, k_local_header_signature);
        entry.compressed_size = (next ? *next : source.size()) - data_at;
      }
    }
    entry.compressed_size = std::min(entry.compressed_size, source.size() - data_at);
    pos = data_at + entry.compressed_size;
    entries.push_back(std::move(entry));
    if (deferred) {
      // The descriptor's signature is optional; what follows is found by the search above.
      const std::string descriptor = source.read_at(pos, 4);
      if (descriptor.size() == 4 && u32_at(descriptor, 0) == k_data_descriptor_signature) {
        pos += k_data_descriptor_size;
      }
    }
  }
  return entries;
}

std::uint64_t zip_member_data_offset(const ByteSource& source, const ZipEntry& entry) {
  const std::string header = source.read_at(entry.local_header_offset, k_local_header_size);
  if (header.size() != k_local_header_size || u32_at(header, 0) != k_local_header_signature) {
    malformed(source, "no local header for member " + entry.name);
  }
  const std::uint64_t data_at =
      entry.local_header_offset + k_local_header_size + u16_at(header, 26) + u16_at(header, 28);
  if (data_at > source.size() || entry.compressed_size > source.size() - data_at) {
    malformed(source, "member " + entry.name + " runs past the end of the archive");
  }
  return data_at;
}

} // namespace mlv::formats
