#include <mlv/formats/tar_header.hpp>

#include <array>

namespace mlv::formats {

namespace {

constexpr std::size_t k_name_length = 100;
constexpr std::size_t k_size_offset = 124;
constexpr std::size_t k_number_length = 12;
constexpr std::size_t k_checksum_offset = 148;
constexpr std::size_t k_checksum_length = 8;
constexpr std::size_t k_type_offset = 156;
constexpr std::size_t k_prefix_offset = 345;
constexpr std::size_t k_prefix_length = 155;
constexpr std::size_t k_sparse_extended_offset = 482;

// str.isspace() for ASCII, which str.strip() and int() use: \x1c to \x1f count too.
bool is_python_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

// tarfile's nts(): the text up to the first NUL.
std::string_view nts(std::string_view field) {
  return field.substr(0, field.find('\0'));
}

// tarfile's nti(): base-256 when the first byte is 0o200 or 0o377 (negative), else octal text.
std::optional<std::int64_t> nti(std::string_view field) {
  const auto first = static_cast<unsigned char>(field[0]);
  if (first == 0x80 || first == 0xFF) {
    std::uint64_t value = 0;
    for (std::size_t i = 1; i < field.size(); ++i) {
      if (value >> 55 != 0) {
        return std::nullopt; // beyond what a file can hold
      }
      value = value << 8 | static_cast<unsigned char>(field[i]);
    }
    if (first == 0xFF) {
      return -static_cast<std::int64_t>((std::uint64_t{1} << (8 * (field.size() - 1) & 63)) -
                                        value);
    }
    return static_cast<std::int64_t>(value);
  }
  const auto text = nts(field);
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_python_space(text[begin])) {
    ++begin;
  }
  while (end > begin && is_python_space(text[end - 1])) {
    --end;
  }
  if (begin == end) {
    return 0; // int("" or "0", 8)
  }
  return python_int(text.substr(begin, end - begin), 8);
}

// calc_chksums(): the unsigned and the signed sum of the header, its checksum field as spaces.
std::array<std::int64_t, 2> checksums(std::string_view block) {
  std::int64_t unsigned_sum = 8 * ' ';
  std::int64_t signed_sum = 8 * ' ';
  for (std::size_t i = 0; i < k_tar_block; ++i) {
    if (i >= k_checksum_offset && i < k_checksum_offset + k_checksum_length) {
      continue;
    }
    unsigned_sum += static_cast<unsigned char>(block[i]);
    signed_sum += static_cast<signed char>(block[i]);
  }
  return {unsigned_sum, signed_sum};
}

} // namespace

std::optional<std::int64_t> python_int(std::string_view text, int base) {
  while (!text.empty() && is_python_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_python_space(text.back())) {
    text.remove_suffix(1);
  }
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const char marker = base == 8 ? 'o' : base == 16 ? 'x' : base == 2 ? 'b' : '\0';
  bool after_prefix = false;
  if (marker != '\0' && text.size() >= 2 && text[0] == '0' && (text[1] | 0x20) == marker) {
    text.remove_prefix(2);
    after_prefix = true; // "0o_17" is allowed: an underscore may follow the prefix
  }
  if (text.empty()) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  bool last_digit = after_prefix;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      if (!last_digit || i + 1 == text.size()) {
        return std::nullopt;
      }
      last_digit = false;
      continue;
    }
    int digit = -1;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
      digit = (c | 0x20) - 'a' + 10;
    }
    if (digit < 0 || digit >= base || value > (std::uint64_t{1} << 62) / base) {
      return std::nullopt;
    }
    value = value * base + static_cast<std::uint64_t>(digit);
    last_digit = true;
  }
  return negative ? -static_cast<std::int64_t>(value) : static_cast<std::int64_t>(value);
}

bool tar_type_has_data(char type) {
  // tarfile's SUPPORTED_TYPES that are not REGULAR_TYPES (and the pax and GNU metadata types,
  // handled by the caller).
  static constexpr std::string_view k_without_data = "123456";
  return k_without_data.find(type) == std::string_view::npos;
}

TarBlock parse_tar_header(std::string_view block, TarHeader& header) {
  if (block.find_first_not_of('\0') == std::string_view::npos) {
    return TarBlock::end;
  }
  const auto checksum = nti(block.substr(k_checksum_offset, k_checksum_length));
  const auto sums = checksums(block);
  if (!checksum || (*checksum != sums[0] && *checksum != sums[1])) {
    return TarBlock::invalid;
  }
  // tarfile reads mode, uid, gid, mtime, devmajor, devminor too; one it cannot read makes the
  // block no header.
  for (const std::size_t at : {100u, 108u, 116u, 136u, 329u, 337u}) {
    if (!nti(block.substr(at, at == 136u ? 12 : 8))) {
      return TarBlock::invalid;
    }
  }
  const auto size = nti(block.substr(k_size_offset, k_number_length));
  if (!size) {
    return TarBlock::invalid;
  }
  header = {};
  header.size = *size;
  header.type = block[k_type_offset];
  header.name = std::string(nts(block.substr(0, k_name_length)));
  if (header.type == '\0' && header.name.ends_with('/')) {
    header.type = '5'; // a v7 directory
  }
  if (header.type == 'S') {
    header.sparse_extended = block[k_sparse_extended_offset] != '\0';
  }
  if (header.type == '5') {
    header.name.erase(header.name.find_last_not_of('/') + 1);
  }
  const auto prefix = nts(block.substr(k_prefix_offset, k_prefix_length));
  if (!prefix.empty() && header.type != 'L' && header.type != 'K' && header.type != 'S') {
    header.name = std::string(prefix) + "/" + header.name;
  }
  return TarBlock::header;
}

} // namespace mlv::formats
