#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <openssl/evp.h>

#include <utility>

namespace mlv::hash {

namespace {

constexpr std::size_t k_file_block_size = 1 << 20;

EVP_MD_CTX* ctx(void* p) {
  return static_cast<EVP_MD_CTX*>(p);
}

void init(void* context) {
  if (EVP_DigestInit_ex(ctx(context), EVP_sha256(), nullptr) != 1) {
    throw Error(Failure::failed, "OpenSSL could not start a SHA-256 digest");
  }
}

} // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr) {
    throw Error(Failure::failed, "OpenSSL could not allocate a digest context");
  }
  init(context_);
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx(context_));
}

Sha256::Sha256(Sha256&& other) noexcept : context_(std::exchange(other.context_, nullptr)) {}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  std::swap(context_, other.context_);
  return *this;
}

void Sha256::update(std::span<const std::byte> data) {
  EVP_DigestUpdate(ctx(context_), data.data(), data.size());
}

void Sha256::update(std::string_view text) {
  EVP_DigestUpdate(ctx(context_), text.data(), text.size());
}

Digest Sha256::finish() {
  Digest digest{};
  unsigned length = 0;
  EVP_DigestFinal_ex(ctx(context_), reinterpret_cast<unsigned char*>(digest.data()), &length);
  init(context_);
  return digest;
}

std::string Sha256::finish_hex() {
  return to_hex(finish());
}

Digest sha256(std::span<const std::byte> data) {
  Digest digest{};
  unsigned length = 0;
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(digest.data()), &length,
             EVP_sha256(), nullptr);
  return digest;
}

std::string sha256_hex(std::span<const std::byte> data) {
  return to_hex(sha256(data));
}

std::string sha256_hex(std::string_view text) {
  return sha256_hex(std::as_bytes(std::span(text.data(), text.size())));
}

std::string sha256_file_hex(const std::filesystem::path& path) {
  Sha256 hasher;
  util::read_blocks(path, k_file_block_size,
                    [&](std::span<const std::byte> block) { hasher.update(block); });
  return hasher.finish_hex();
}

std::string to_hex(std::span<const std::byte> bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string hex(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto value = std::to_integer<unsigned>(bytes[i]);
    hex[2 * i] = k_digits[value >> 4];
    hex[2 * i + 1] = k_digits[value & 0xf];
  }
  return hex;
}

std::string to_hex(const Digest& digest) {
  return to_hex(std::span<const std::byte>(digest));
}

bool is_content_id(std::string_view text) {
  if (text.size() != 64) {
    return false;
  }
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

} // namespace mlv::hash
