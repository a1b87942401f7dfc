#pragma once

// A stored (uncompressed) zip member read in place, or the head
// of a compressed one.

#include <mlv/formats/byte_source.hpp>
#include <mlv/formats/byte_stream.hpp>
#include <mlv/formats/decompress.hpp>
#include <mlv/formats/zip_reader.hpp>

#include <algorithm>
#include <optional>
#include <string>

namespace mlv::formats {

// Bytes [offset, offset + size) of another source, as a source of their own; reads never leave
// the range.
class RangeSource : public ByteSource {
public:
  RangeSource(const ByteSource& base, std::uint64_t offset, std::uint64_t size, std::string name)
      : base_(base), offset_(offset), size_(size), name_(std::move(name)) {}

  std::uint64_t size() const override { return size_; }
  std::string read_at(std::uint64_t offset, std::size_t length) const override {
    if (offset >= size_) {
      return {};
    }
    return base_.read_at(offset_ + offset,
                         static_cast<std::size_t>(std::min<std::uint64_t>(length, size_ - offset)));
  }
  const std::string& name() const override { return name_; }

private:
  const ByteSource& base_;
  std::uint64_t offset_;
  std::uint64_t size_;
  std::string name_;
};

// A zip member's bytes as a source, when it is stored rather than compressed (numpy, PyTorch
// and Python's zipfile store by default) and lies inside the archive; nullopt otherwise. Names
// itself "<archive>:<member>" in messages.
inline std::optional<RangeSource> stored_member(const ByteSource& archive, const ZipEntry& entry) {
  if (entry.compression_method != 0 || entry.is_encrypted() ||
      entry.compressed_size != entry.uncompressed_size) {
    return std::nullopt;
  }
  const std::uint64_t offset = zip_member_data_offset(archive, entry);
  return RangeSource(archive, offset, entry.uncompressed_size, archive.name() + ":" + entry.name);
}

// The first `limit` bytes (or fewer, for a shorter member) of a member compressed by a method
// mlv reads (deflate, bzip2, LZMA, zstd), decompressed into memory; nullopt for other methods
// and encrypted members. A damaged stream is Error(bad_input) naming "<archive>:<member>".
inline std::optional<MemorySource>
compressed_member_head(const ByteSource& archive, const ZipEntry& entry, std::size_t limit) {
  if (!zip_method_readable(entry.compression_method) || entry.is_encrypted()) {
    return std::nullopt;
  }
  const std::uint64_t offset = zip_member_data_offset(archive, entry);
  auto stream =
      open_zip_member(std::make_unique<SourceStream>(archive, offset, entry.compressed_size),
                      entry.compression_method);
  std::string head = read_up_to(
      *stream, static_cast<std::size_t>(std::min<std::uint64_t>(limit, entry.uncompressed_size)));
  return MemorySource(std::move(head), archive.name() + ":" + entry.name);
}

} // namespace mlv::formats
