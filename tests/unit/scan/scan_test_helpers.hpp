#pragma once

// Builders for the scanner's tests: pickle opcodes, zip archives (with a central directory that
// may disagree with the local headers), tar archives, .npy headers. Nothing built here is ever
// loaded; the payloads only name os.system and friends.

#include <mlv/formats/byte_source.hpp>
#include <mlv/scan/scan.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mlv::scan::testing {

using namespace std::string_literals;

inline std::string le(std::uint64_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  }
  return out;
}

// --- pickle opcodes (protocol 2+ forms)
inline std::string unicode(const std::string& text) {
  return "X" + le(text.size(), 4) + text;
}
inline std::string short_unicode(const std::string& text) {
  return "\x8c" + le(text.size(), 1) + text;
}
inline std::string binbytes(const std::string& bytes) {
  return "B" + le(bytes.size(), 4) + bytes;
}
inline std::string binput(int index) {
  return "q" + le(static_cast<std::uint64_t>(index), 1);
}
inline std::string binget(int index) {
  return "h" + le(static_cast<std::uint64_t>(index), 1);
}

// What pickle.dumps(protocol=2) writes for an object whose __reduce__ returns
// (os.system, ("echo pwned",)) on Linux: the REDUCE is the byte before the STOP.
inline std::string os_system_pickle() {
  return "\x80\x02"
         "cposix\nsystem\n"s +
         "q\x00"s + unicode("echo pwned") + "q\x01\x85q\x02R" + "q\x03.";
}

// The first finding that names `callable`, or nullptr.
inline const Finding* find(const ScanReport& report, const std::string& callable) {
  for (const auto& finding : report.findings) {
    if (finding.callable == callable) {
      return &finding;
    }
  }
  return nullptr;
}

inline ScanReport scan_bytes(const std::string& bytes, const std::string& name = "test.bin") {
  return scan_source(mlv::formats::MemorySource(bytes, name), name);
}

// --- zip archives
struct ZipMember {
  ZipMember(std::string name, std::string bytes)
      : local_name(std::move(name)), data(std::move(bytes)) {}

  std::string local_name;
  std::string data;
  std::string central_name;         // empty: the local name
  std::uint16_t local_method = 0;   // what the local header says
  std::uint16_t central_method = 0; // what the central directory says
  bool listed = true;               // in the central directory at all
  bool sizes_in_descriptor = false; // flag bit 3, zero sizes in the local header
};

inline std::string build_zip(const std::vector<ZipMember>& members, bool with_directory = true) {
  std::string out;
  std::string directory;
  std::size_t listed = 0;
  for (const auto& member : members) {
    const std::uint64_t offset = out.size();
    const std::uint16_t flags = member.sizes_in_descriptor ? 0x8 : 0;
    const std::uint64_t size = member.data.size();
    const std::uint64_t local_size = member.sizes_in_descriptor ? 0 : size;
    out += le(0x04034b50, 4) + le(20, 2) + le(flags, 2) + le(member.local_method, 2) + le(0, 4) +
           le(0, 4) + le(local_size, 4) + le(local_size, 4) + le(member.local_name.size(), 2) +
           le(0, 2) + member.local_name + member.data;
    if (member.sizes_in_descriptor) {
      out += le(0x08074b50, 4) + le(0, 4) + le(size, 4) + le(size, 4);
    }
    if (!member.listed) {
      continue;
    }
    ++listed;
    const std::string& name = member.central_name.empty() ? member.local_name : member.central_name;
    directory += le(0x02014b50, 4) + le(20, 2) + le(20, 2) + le(flags, 2) +
                 le(member.central_method, 2) + le(0, 4) + le(0, 4) + le(size, 4) + le(size, 4) +
                 le(name.size(), 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) +
                 le(offset, 4) + name;
  }
  if (with_directory) {
    const std::uint64_t directory_offset = out.size();
    out += directory;
    out += le(0x06054b50, 4) + le(0, 2) + le(0, 2) + le(listed, 2) + le(listed, 2) +
           le(directory.size(), 4) + le(directory_offset, 4) + le(0, 2);
  }
  return out;
}

// --- tar archives (ustar)
inline std::string tar_member(const std::string& name, const std::string& data) {
  std::string header(512, '\0');
  header.replace(0, name.size(), name);
  header.replace(100, 8, "0000644\0"s);
  header.replace(108, 8, "0000000\0"s);
  header.replace(116, 8, "0000000\0"s);
  char size[13];
  std::snprintf(size, sizeof size, "%011llo", static_cast<unsigned long long>(data.size()));
  header.replace(124, 12, std::string(size, 11) + '\0');
  header.replace(136, 12, "00000000000\0"s);
  header[156] = '0';
  header.replace(257, 8, "ustar\00000"s);
  header.replace(148, 8, "        ");
  unsigned sum = 0;
  for (const char c : header) {
    sum += static_cast<unsigned char>(c);
  }
  char checksum[8];
  std::snprintf(checksum, sizeof checksum, "%06o", sum);
  header.replace(148, 8, std::string(checksum, 6) + "\0 "s);
  std::string padded = data;
  padded.resize((data.size() + 511) / 512 * 512, '\0');
  return header + padded;
}

inline std::string tar_end() {
  return std::string(1024, '\0');
}

// --- .npy
inline std::string npy_header(const std::string& descr) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (2,), }";
  const std::size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  return "\x93NUMPY\x01\x00"s + le(dict.size(), 2) + dict;
}

} // namespace mlv::scan::testing
