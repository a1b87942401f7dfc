#include "xz_check.hpp"

#include "checksums.hpp"

#include <array>

namespace mlv::inspect::decode {

namespace {

enum CheckId : unsigned { none = 0x00, crc32 = 0x01, crc64 = 0x04, sha256 = 0x0A };
// The xz format fixes a size for every id, used or reserved, so a reader can skip any check.
constexpr std::array<std::uint8_t, 16> k_check_sizes = {0,  4,  4,  4,  8,  8,  8,  16,
                                                        16, 16, 32, 32, 32, 64, 64, 64};

template <typename Word>
std::vector<unsigned char> little_endian(Word value) {
  std::vector<unsigned char> bytes(sizeof(Word));
  for (auto& byte : bytes) {
    byte = static_cast<unsigned char>(value & 0xFF);
    value >>= 8;
  }
  return bytes;
}

} // namespace

std::size_t XzCheck::size_of(unsigned id) {
  return k_check_sizes[id & 0x0F];
}

bool XzCheck::is_supported(unsigned id) {
  return id == CheckId::none || id == CheckId::crc32 || id == CheckId::crc64 ||
         id == CheckId::sha256;
}

void XzCheck::start(unsigned id) {
  id_ = id;
  crc32_ = 0;
  crc64_ = 0;
  if (id_ == CheckId::sha256) {
    sha256_.finish(); // discards anything a failed block left behind
  }
}

void XzCheck::update(const unsigned char* data, std::size_t size) {
  switch (id_) {
  case CheckId::crc32:
    crc32_ = checksum::crc32(crc32_, data, size);
    break;
  case CheckId::crc64:
    crc64_ = checksum::crc64(crc64_, data, size);
    break;
  case CheckId::sha256:
    sha256_.update(std::as_bytes(std::span(data, size)));
    break;
  default:
    break;
  }
}

std::vector<unsigned char> XzCheck::finish() {
  switch (id_) {
  case CheckId::crc32:
    return little_endian(crc32_);
  case CheckId::crc64:
    return little_endian(crc64_);
  case CheckId::sha256: {
    const hash::Digest digest = sha256_.finish();
    std::vector<unsigned char> bytes(digest.size());
    for (std::size_t i = 0; i < digest.size(); ++i) {
      bytes[i] = static_cast<unsigned char>(digest[i]);
    }
    return bytes;
  }
  default:
    return {};
  }
}

} // namespace mlv::inspect::decode
