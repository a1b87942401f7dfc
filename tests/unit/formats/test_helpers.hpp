#pragma once

// Helpers for the formats and inspect tests: byte-level writers for the containers the tests
// build by hand.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace mlv::formats::testing {

inline void put_le(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  }
}

inline std::string le(std::uint64_t value, int bytes) {
  std::string out;
  put_le(out, value, bytes);
  return out;
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Protobuf wire format (protobuf.dev, "Encoding"), for hand-made ONNX and SavedModel files.
inline std::string pb_varint(std::uint64_t value) {
  std::string out;
  do {
    const auto low = static_cast<unsigned char>(value & 0x7F);
    value >>= 7;
    out.push_back(static_cast<char>(value != 0 ? (low | 0x80) : low));
  } while (value != 0);
  return out;
}

inline std::string pb_int(std::uint32_t field, std::uint64_t value) {
  return pb_varint(static_cast<std::uint64_t>(field) << 3) + pb_varint(value);
}

inline std::string pb_bytes(std::uint32_t field, const std::string& payload) {
  return pb_varint(static_cast<std::uint64_t>(field) << 3 | 2) + pb_varint(payload.size()) +
         payload;
}

// Writes a zip archive of stored (uncompressed) members the way Python's zipfile lays it out.
// With `zip64`, sizes and offsets go in zip64 extra fields and the zip64 end records, as a
// writer does for archives over 4 GiB.
struct ZipBuilder {
  std::vector<std::pair<std::string, std::string>> members;
  bool zip64 = false;
  std::string comment;

  ZipBuilder& add(std::string name, std::string data) {
    members.emplace_back(std::move(name), std::move(data));
    return *this;
  }

  std::string build() const {
    constexpr std::uint32_t k_marker = 0xFFFFFFFF;
    std::string out;
    std::string directory;
    for (const auto& [name, data] : members) {
      const std::uint64_t offset = out.size();
      const std::uint32_t crc = 0x12345678;
      std::string local_extra;
      std::string central_extra;
      if (zip64) {
        local_extra = le(1, 2) + le(16, 2) + le(data.size(), 8) + le(data.size(), 8);
        central_extra =
            le(1, 2) + le(24, 2) + le(data.size(), 8) + le(data.size(), 8) + le(offset, 8);
      }
      const std::uint64_t size32 = zip64 ? k_marker : data.size();
      out += le(0x04034b50, 4) + le(45, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 2) +
             le(crc, 4) + le(size32, 4) + le(size32, 4) + le(name.size(), 2) +
             le(local_extra.size(), 2) + name + local_extra + data;
      directory += le(0x02014b50, 4) + le(45, 2) + le(45, 2) + le(0, 2) + le(0, 2) + le(0, 2) +
                   le(0, 2) + le(crc, 4) + le(size32, 4) + le(size32, 4) + le(name.size(), 2) +
                   le(central_extra.size(), 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) +
                   le(zip64 ? k_marker : offset, 4) + name + central_extra;
    }
    const std::uint64_t directory_offset = out.size();
    out += directory;
    if (zip64) {
      const std::uint64_t record_offset = out.size();
      out += le(0x06064b50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4) +
             le(members.size(), 8) + le(members.size(), 8) + le(directory.size(), 8) +
             le(directory_offset, 8);
      out += le(0x07064b50, 4) + le(0, 4) + le(record_offset, 8) + le(1, 4);
      out += le(0x06054b50, 4) + le(0, 2) + le(0, 2) + le(0xFFFF, 2) + le(0xFFFF, 2) +
             le(k_marker, 4) + le(k_marker, 4) + le(comment.size(), 2) + comment;
    } else {
      out += le(0x06054b50, 4) + le(0, 2) + le(0, 2) + le(members.size(), 2) +
             le(members.size(), 2) + le(directory.size(), 4) + le(directory_offset, 4) +
             le(comment.size(), 2) + comment;
    }
    return out;
  }
};

} // namespace mlv::formats::testing
