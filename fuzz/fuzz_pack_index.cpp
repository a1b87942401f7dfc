// Fuzz target: the pack index reader (transfer/pack.cpp): footer, then index, as read_pack_index
// reads them from a remote. The input is index bytes followed by a footer; the target writes the
// index's real SHA-256 into the footer so the fuzzer gets past the checksum to the entries.
#include "fuzz_support.hpp"

#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/pack.hpp>

#include <cstring>
#include <span>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto footer_size = mlv::transfer::pack_footer_size();
  if (size < footer_size) {
    return 0;
  }
  std::vector<std::byte> bytes(size);
  std::memcpy(bytes.data(), data, size);
  const std::span<const std::byte> index(bytes.data(), size - footer_size);
  const std::span<std::byte> footer(bytes.data() + index.size(), footer_size);
  const auto sha = mlv::hash::sha256(index);
  std::memcpy(footer.data() + footer_size - sha.size(), sha.data(), sha.size());
  mlv::fuzz::expect_mlv_errors_only([&] {
    const auto location = mlv::transfer::parse_pack_footer(footer, "fuzz-pack");
    (void)mlv::transfer::parse_pack_index(index, location, "fuzz-pack");
  });
  return 0;
}
