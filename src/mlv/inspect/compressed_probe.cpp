#include "probes.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace mlv::inspect::probe {

namespace {

constexpr std::string_view k_gzip_magic = "\x1f\x8b\x08";
constexpr std::string_view k_bzip2_magic = "BZh";
constexpr std::string_view k_xz_magic = std::string_view("\xfd"
                                                         "7zXZ\0",
                                                         6);
constexpr std::string_view k_lz4_frame_magic = "\x04\x22\x4d\x18";
// lzma "alone" (.lzma) as Python's lzma module writes it for joblib: properties byte lc=3 lp=0
// pb=2, a dictionary size, then an unknown uncompressed size (all ones).
constexpr unsigned char k_lzma_default_properties = 0x5d;
constexpr std::string_view k_lzma_unknown_size = "\xff\xff\xff\xff\xff\xff\xff\xff";
// joblib < 0.10: "ZF", the compressed length as hex left-justified in 19 bytes, then zlib.
constexpr std::string_view k_legacy_zfile_prefix = "ZF0x";
constexpr std::size_t k_legacy_zfile_header = 2 + 19;

// Extensions joblib.dump maps to a compressor, and those that name a pickled object.
constexpr std::array<std::string_view, 7> k_compression_suffixes = {".z",    ".gz",  ".bz2", ".xz",
                                                                    ".lzma", ".lz4", ".zlib"};
constexpr std::array<std::string_view, 4> k_joblib_suffixes = {".joblib", ".jbl", ".pkl",
                                                               ".pickle"};

bool is_zlib_header(std::string_view head) {
  // CMF: deflate (8) with a window of at most 32 KiB; CMF*256+FLG is a multiple of 31.
  if (head.size() < 2) {
    return false;
  }
  const auto cmf = static_cast<unsigned char>(head[0]);
  const auto flg = static_cast<unsigned char>(head[1]);
  return (cmf & 0x0F) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
}

bool ends_with_any(std::string_view name, const auto& suffixes) {
  return std::any_of(suffixes.begin(), suffixes.end(),
                     [&](std::string_view suffix) { return name.ends_with(suffix); });
}

} // namespace

std::string_view compression_kind(std::string_view head) {
  if (is_zlib_header(head)) {
    return "zlib";
  }
  if (head.starts_with(k_gzip_magic)) {
    return "gzip";
  }
  if (head.starts_with(k_xz_magic)) {
    return "xz";
  }
  if (head.starts_with(k_lz4_frame_magic)) {
    return "lz4";
  }
  if (head.starts_with(k_bzip2_magic) && head.size() > 3 && head[3] >= '1' && head[3] <= '9') {
    return "bz2";
  }
  if (head.size() >= 13 && static_cast<unsigned char>(head[0]) == k_lzma_default_properties &&
      head.substr(5, 8) == k_lzma_unknown_size) {
    return "lzma";
  }
  return {};
}

bool is_compressed_stream(std::string_view head) {
  return !compression_kind(head).empty();
}

bool is_legacy_joblib_zfile(std::string_view head) {
  if (!head.starts_with(k_legacy_zfile_prefix) || head.size() < k_legacy_zfile_header + 2) {
    return false;
  }
  std::size_t pos = k_legacy_zfile_prefix.size();
  while (pos < k_legacy_zfile_header && std::isxdigit(static_cast<unsigned char>(head[pos]))) {
    ++pos;
  }
  while (pos < k_legacy_zfile_header && head[pos] == ' ') {
    ++pos;
  }
  return pos == k_legacy_zfile_header && is_zlib_header(head.substr(k_legacy_zfile_header));
}

bool named_like_joblib(const std::string& file_name) {
  std::string name = file_name;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view view = name;
  for (const auto suffix : k_compression_suffixes) {
    if (view.ends_with(suffix)) {
      view.remove_suffix(suffix.size());
      break;
    }
  }
  return ends_with_any(view, k_joblib_suffixes);
}

} // namespace mlv::inspect::probe
