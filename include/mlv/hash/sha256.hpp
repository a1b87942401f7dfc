#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace mlv::hash {

using Digest = std::array<std::byte, 32>;

// Streaming SHA-256 over OpenSSL's EVP API (which uses SHA-NI where the CPU has it).
class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;

  void update(std::span<const std::byte> data);
  void update(std::string_view text);
  // Finishes and resets, so the object can hash the next input.
  Digest finish();
  std::string finish_hex();

private:
  void* context_; // EVP_MD_CTX*
};

// One-shot helpers.
Digest sha256(std::span<const std::byte> data);
std::string sha256_hex(std::span<const std::byte> data);
std::string sha256_hex(std::string_view text);
// Hashes a file by streaming it; throws Error naming the path on failure.
std::string sha256_file_hex(const std::filesystem::path& path);

std::string to_hex(std::span<const std::byte> bytes);
std::string to_hex(const Digest& digest);
// True for exactly 64 lower-case hex digits: the form of every content id.
bool is_content_id(std::string_view text);

} // namespace mlv::hash
