#pragma once

// Private to the formats module: the header of a gzip member read the way Python's gzip module
// reads it (gzip._read_gzip_header), which is what joblib's compress="gzip" loads through.
// Python checks only the magic and the method: it skips FEXTRA, FNAME and FCOMMENT, discards the
// header CRC unchecked and ignores the reserved flag bits, where zlib and ISA-L refuse a wrong
// header CRC or a reserved bit. A scanner that refused such a header would see no bytes of a
// member the loader unpickles, so mlv reads the header itself (docs/parsers-decompression.md)
// and hands the deflate data and trailer to the library.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace mlv::formats::decode {

class GzipHeaderReader {
public:
  struct Step {
    std::size_t consumed = 0;
    bool done = false; // the header is complete: deflate data follows
    std::string fault; // non-empty: not a gzip member Python would read
  };

  // Takes header bytes from the front of `in`; call again with further input until done.
  Step read(std::span<const unsigned char> in);
  void reset() { *this = GzipHeaderReader{}; }

private:
  enum class Phase { fixed, extra_length, extra, name, comment, header_crc, done };
  void after(Phase phase);

  Phase phase_ = Phase::fixed;
  unsigned char fixed_[10] = {};
  std::size_t have_ = 0;        // bytes of the current fixed-size field read so far
  std::uint32_t remaining_ = 0; // bytes of FEXTRA still to skip
  unsigned char flags_ = 0;
};

} // namespace mlv::formats::decode
