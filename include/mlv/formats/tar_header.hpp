#pragma once

// One 512-byte tar header read exactly as CPython's tarfile reads
// it (TarInfo.frombuf, nti, nts), since that is what torch.load's legacy reader uses: no magic
// is required (v7 headers count), a number field is cut at its first NUL, and the checksum
// decides whether a block is a header at all.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mlv::formats {

constexpr std::size_t k_tar_block = 512;

struct TarHeader {
  std::string name; // with a ustar prefix, and without a directory's trailing slashes
  std::int64_t size = 0;
  char type = '0';
  bool sparse_extended = false; // old GNU sparse: extension blocks follow the header
};

// What tarfile makes of a block: a header, the end (all zeros), or no header (bad checksum or
// a number field int() refuses).
enum class TarBlock { header, end, invalid };

TarBlock parse_tar_header(std::string_view block, TarHeader& header);

// Python's int(text, base) for the digits tarfile and pax records hold: surrounding whitespace,
// a sign, a 0o/0x prefix matching the base, and underscores between digits are accepted.
std::optional<std::int64_t> python_int(std::string_view text, int base);

// Whether data follows a header of this type: tarfile skips a member's data only for regular
// files and for types it does not know (which it also extracts as regular files); directories,
// links and devices are followed directly by the next header, whatever their size field says.
bool tar_type_has_data(char type);

} // namespace mlv::formats
