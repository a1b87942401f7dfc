#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/pack.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace mlv::transfer {

namespace {

constexpr std::array<char, 8> k_magic = {'M', 'L', 'V', 'P', 'A', 'C', 'K', '1'};
// Version 1: chunks stored raw, 44-byte entries (id, offset, length). Version 2: 49-byte entries
// (id, offset, length, stored length, encoding); mlv reads both.
constexpr std::uint32_t k_pack_version = 2;
constexpr std::size_t k_entry_size_v1 = 32 + 8 + 4;
constexpr std::size_t k_entry_size = 32 + 8 + 4 + 4 + 1;

std::size_t entry_size(std::uint32_t version) {
  return version == 1 ? k_entry_size_v1 : k_entry_size;
}
constexpr std::size_t k_footer_size = 8 + 4 + 4 + 8 + 8 + 32;

void put_u32(std::byte* out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<std::byte>(value >> (8 * i));
  }
}

void put_u64(std::byte* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<std::byte>(value >> (8 * i));
  }
}

std::uint32_t get_u32(const std::byte* in) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) {
    value = (value << 8) | std::to_integer<std::uint32_t>(in[i]);
  }
  return value;
}

std::uint64_t get_u64(const std::byte* in) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) {
    value = (value << 8) | std::to_integer<std::uint64_t>(in[i]);
  }
  return value;
}

void raw_id(const std::string& hex, std::byte* out) {
  for (std::size_t i = 0; i < 32; ++i) {
    out[i] = static_cast<std::byte>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  }
}

Error damaged(const std::string& source, const std::string& what) {
  return Error(Failure::corrupt, "pack " + source + " is damaged: " + what,
               "the remote copy is corrupted; push the data again from a machine that has it");
}

} // namespace

struct PackWriter::Hasher {
  hash::Sha256 sha;
};

PackWriter::PackWriter(const std::filesystem::path& tmp_dir, int compression_level)
    : encoder_(compression_level), hasher_(std::make_unique<Hasher>()) {
  util::make_directories(tmp_dir);
  path_ = util::temporary_path(tmp_dir, "pack");
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    throw Error(Failure::failed, errno_message("cannot create", path_.string(), errno),
                "check free disk space");
  }
}

PackWriter::~PackWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  ::unlink(path_.c_str());
}

namespace {

void write_all(int fd,
               std::uint64_t offset,
               const std::byte* data,
               std::size_t size,
               const std::filesystem::path& path) {
  while (size > 0) {
    const ssize_t written = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written < 0) {
      throw Error(Failure::failed, errno_message("cannot write", path.string(), errno),
                  "check free disk space");
    }
    data += written;
    offset += static_cast<std::uint64_t>(written);
    size -= static_cast<std::size_t>(written);
  }
}

} // namespace

std::size_t PackWriter::add(const std::string& chunk_id, std::span<const std::byte> bytes) {
  write_all(fd_, data_size_, bytes.data(), bytes.size(), path_);
  entries_.push_back({chunk_id, data_size_, static_cast<std::uint32_t>(bytes.size())});
  data_size_ += bytes.size();
  return entries_.size() - 1;
}

// Encodes the chunks in place: each stored form is written at or before where the chunk's raw
// bytes begin (a stored form is never longer), so no byte is overwritten before it is read, and
// a pack of incompressible chunks is not written again at all.
void PackWriter::encode_chunks() {
  std::vector<std::byte> raw;
  std::uint64_t stored_end = 0;
  for (auto& entry : entries_) {
    raw.resize(entry.length);
    if (util::read_at(fd_, entry.offset, raw, path_) != raw.size()) {
      throw Error(Failure::failed, path_.string() + " is shorter than the chunks written to it");
    }
    entry.encoding = encoder_.encode(raw);
    const auto stored = entry.encoding == cache::ChunkEncoding::raw
                            ? std::span<const std::byte>(raw)
                            : encoder_.encoded();
    entry.stored_length =
        entry.encoding == cache::ChunkEncoding::raw ? 0 : static_cast<std::uint32_t>(stored.size());
    if (stored_end != entry.offset || entry.encoding != cache::ChunkEncoding::raw) {
      write_all(fd_, stored_end, stored.data(), stored.size(), path_);
    }
    hasher_->sha.update(stored);
    entry.offset = stored_end;
    stored_end += stored.size();
  }
  if (stored_end != data_size_ && ::ftruncate(fd_, static_cast<off_t>(stored_end)) != 0) {
    throw Error(Failure::failed, errno_message("cannot truncate", path_.string(), errno),
                "check free disk space");
  }
  data_size_ = stored_end;
}

std::string PackWriter::finish() {
  encode_chunks();
  std::vector<std::byte> tail(entries_.size() * k_entry_size + k_footer_size);
  std::byte* cursor = tail.data();
  for (const auto& entry : entries_) {
    raw_id(entry.chunk_id, cursor);
    put_u64(cursor + 32, entry.offset);
    put_u32(cursor + 40, entry.length);
    put_u32(cursor + 44, entry.pack_length());
    cursor[48] = static_cast<std::byte>(entry.encoding);
    cursor += k_entry_size;
  }
  const std::size_t index_length = entries_.size() * k_entry_size;
  const auto index_digest = hash::sha256(std::span<const std::byte>(tail.data(), index_length));
  std::memcpy(cursor, k_magic.data(), k_magic.size());
  put_u32(cursor + 8, k_pack_version);
  put_u32(cursor + 12, static_cast<std::uint32_t>(entries_.size()));
  put_u64(cursor + 16, data_size_);
  put_u64(cursor + 24, index_length);
  std::memcpy(cursor + 32, index_digest.data(), index_digest.size());
  write_all(fd_, data_size_, tail.data(), tail.size(), path_);
  hasher_->sha.update(tail);
  // Not fsynced: the pack is a temporary file read back for its upload and deleted after; a
  // crash loses nothing that the next push does not make again. The remote keeps it durably.
  ::close(fd_);
  fd_ = -1;
  return hasher_->sha.finish_hex();
}

std::uint32_t pack_format_version() {
  return k_pack_version;
}

std::size_t pack_footer_size() {
  return k_footer_size;
}

IndexLocation parse_pack_footer(std::span<const std::byte> footer, const std::string& source) {
  if (footer.size() != k_footer_size ||
      std::memcmp(footer.data(), k_magic.data(), k_magic.size()) != 0) {
    throw damaged(source, "no pack footer");
  }
  const auto version = get_u32(footer.data() + 8);
  if (version < 1 || version > k_pack_version) {
    throw Error(Failure::corrupt,
                "pack " + source + " has pack format version " + std::to_string(version) +
                    ", which this mlv does not know",
                "a newer mlv wrote it: upgrade mlv");
  }
  IndexLocation location;
  location.version = version;
  location.entry_count = get_u32(footer.data() + 12);
  location.offset = get_u64(footer.data() + 16);
  location.length = get_u64(footer.data() + 24);
  std::memcpy(location.sha256.data(), footer.data() + 32, location.sha256.size());
  if (location.length != static_cast<std::uint64_t>(location.entry_count) * entry_size(version)) {
    throw damaged(source, "index length does not match its entry count");
  }
  return location;
}

std::vector<PackEntry> parse_pack_index(std::span<const std::byte> index,
                                        const IndexLocation& location,
                                        const std::string& source) {
  if (index.size() != location.length || hash::sha256(index) != location.sha256) {
    throw damaged(source, "index does not match the checksum in the footer");
  }
  std::vector<PackEntry> entries;
  entries.reserve(location.entry_count);
  const auto size = entry_size(location.version);
  for (std::size_t at = 0; at < index.size(); at += size) {
    PackEntry entry;
    entry.chunk_id = hash::to_hex(index.subspan(at, 32));
    entry.offset = get_u64(index.data() + at + 32);
    entry.length = get_u32(index.data() + at + 40);
    if (location.version >= 2) {
      const auto code = std::to_integer<std::uint8_t>(index[at + 48]);
      if (code > static_cast<std::uint8_t>(cache::ChunkEncoding::zstd_grouped4)) {
        throw damaged(source, "index entry for chunk " + entry.chunk_id + " has unknown encoding " +
                                  std::to_string(code));
      }
      entry.encoding = static_cast<cache::ChunkEncoding>(code);
      const auto stored = get_u32(index.data() + at + 44);
      if (entry.encoding == cache::ChunkEncoding::raw ? stored != entry.length : stored == 0) {
        throw damaged(source,
                      "index entry for chunk " + entry.chunk_id + " has a wrong stored length");
      }
      entry.stored_length = entry.encoding == cache::ChunkEncoding::raw ? 0 : stored;
    }
    // Compared without adding offset and length, which a hostile index could make wrap.
    if (entry.offset > location.offset || entry.pack_length() > location.offset - entry.offset) {
      throw damaged(source, "index entry for chunk " + entry.chunk_id + " points past the data");
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<PackEntry>
read_pack_index(remote::ObjectStore& store, const std::string& key, std::uint64_t pack_size) {
  const auto source = store.display_url() + "/" + key;
  if (pack_size < k_footer_size) {
    throw damaged(source, "shorter than a pack footer");
  }
  auto read_range = [&](std::uint64_t offset, std::uint64_t length) {
    std::vector<std::byte> bytes;
    bytes.reserve(static_cast<std::size_t>(length));
    const bool found = store.get_range(key, {offset, length}, [&](std::span<const std::byte> b) {
      bytes.insert(bytes.end(), b.begin(), b.end());
    });
    if (!found) {
      throw Error(Failure::not_found, "pack " + source + " is missing",
                  "the remote is incomplete; push the data again from a machine that has it");
    }
    return bytes;
  };
  const auto footer = read_range(pack_size - k_footer_size, k_footer_size);
  const auto location = parse_pack_footer(footer, source);
  if (location.offset + location.length + k_footer_size != pack_size) {
    throw damaged(source, "footer does not match the pack's size");
  }
  const auto index = read_range(location.offset, location.length);
  return parse_pack_index(index, location, source);
}

} // namespace mlv::transfer
