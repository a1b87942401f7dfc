#pragma once

#include <mlv/formats/byte_source.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mlv::formats {

// One member of a zip archive as its central directory (or local header) describes it.
struct ZipEntry {
  std::string name;
  std::uint16_t compression_method = 0; // 0 stored, 8 deflate, others are rare
  std::uint16_t flags = 0;              // bit 0 encrypted, bit 3 sizes in a data descriptor
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint64_t local_header_offset = 0;

  bool is_directory() const { return !name.empty() && name.back() == '/'; }
  bool is_encrypted() const { return (flags & 0x1) != 0; }
};

// Whether the bytes begin with a zip local file header ("PK\3\4"), the way every zip written by
// numpy, PyTorch, Keras and Python's zipfile begins.
bool starts_like_zip(const ByteSource& source);

// The members listed by the central directory (zip64 included), in directory order. Reads only
// the end of the archive and the directory itself. Throws Error(bad_input) naming the source
// when the directory is missing, truncated or inconsistent; never reads out of bounds.
std::vector<ZipEntry> read_zip_directory(const ByteSource& source);

// The members found by walking local headers from the start, for an archive whose central
// directory is gone (a truncated download). The walk stops at the first header it cannot step
// over (sizes deferred to a data descriptor, garbage, the end): that entry is still returned if
// its header was whole. Never throws on malformed bytes.
std::vector<ZipEntry> read_zip_local_headers(const ByteSource& source);

// The members found by walking local headers from the start, for a reader that must not trust
// the central directory (a safety scan: loaders differ in which of the two they believe). Where
// a header defers its sizes to a data descriptor (flag bit 3, as PyTorch writes every member),
// the size is the one `directory` gives for the same header, else the one of the data descriptor
// found behind the data; failing both, a member's data runs to the next local header (or the
// end). Zip64 sizes come from the extra field. Bytes between members that are no header are
// searched for the next one. Never throws on malformed bytes.
std::vector<ZipEntry> walk_zip_local_headers(const ByteSource& source,
                                             const std::vector<ZipEntry>& directory);

// Where a member's (possibly compressed) data begins, from its local header. Throws
// Error(bad_input) when the header is malformed or the data would run past the end.
std::uint64_t zip_member_data_offset(const ByteSource& source, const ZipEntry& entry);

} // namespace mlv::formats
