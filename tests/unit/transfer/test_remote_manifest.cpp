#include <mlv/cache/manifest.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/remote_manifest.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <zstd.h>

namespace mlv::transfer {
namespace {

// A remote's manifest of a 200-chunk file in two packs, the second chunk of each stored zstd.
cache::Manifest sample_manifest() {
  cache::Manifest manifest;
  manifest.id = hash::sha256_hex("file");
  for (int i = 0; i < 200; ++i) {
    cache::ChunkEntry entry{hash::sha256_hex("chunk " + std::to_string(i)), 65536,
                            hash::sha256_hex(i < 100 ? "pack a" : "pack b"),
                            static_cast<std::uint64_t>(i % 100) * 65536};
    if (i % 2 == 1) {
      entry.stored_length = 60000;
      entry.encoding = cache::ChunkEncoding::zstd_grouped4;
    }
    manifest.chunks.push_back(entry);
    manifest.size += entry.length;
  }
  return manifest;
}

// The error parse_remote_manifest() throws for `stored`, which must be bad input naming the
// object and `words`.
void expect_rejected(const std::string& stored, const std::string& words) {
  try {
    (void)parse_remote_manifest(stored, "file:///r/manifests/ab/abc");
    FAIL() << "accepted a damaged manifest: " << words;
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::invalid_input);
    const std::string message = error.what();
    EXPECT_NE(message.find("file:///r/manifests/ab/abc"), std::string::npos) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
  }
}

TEST(RemoteManifest, CompressedRoundTripIsSmallerThanTheText) {
  const auto manifest = sample_manifest();
  const auto text = cache::serialize_manifest(manifest);
  const auto stored = encode_remote_manifest(manifest, 3);
  EXPECT_EQ(parse_remote_manifest(stored, "m"), manifest);
  // The chunk ids (32 random bytes as 64 hex digits) are most of what is left.
  EXPECT_LT(stored.size() * 2, text.size()) << stored.size() << " of " << text.size();
}

TEST(RemoteManifest, WithoutCompressionItIsTheTextAsBefore) {
  const auto manifest = sample_manifest();
  EXPECT_EQ(encode_remote_manifest(manifest, 0), cache::serialize_manifest(manifest));
}

TEST(RemoteManifest, TextManifestsWrittenBeforeStillRead) {
  auto manifest = sample_manifest();
  EXPECT_EQ(parse_remote_manifest(cache::serialize_manifest(manifest), "m"), manifest);
  for (auto& chunk : manifest.chunks) { // a version 1 manifest, as a raw pack's
    chunk.stored_length = 0;
    chunk.encoding = cache::ChunkEncoding::raw;
  }
  const auto text = cache::serialize_manifest(manifest);
  ASSERT_TRUE(text.starts_with("mlv-manifest 1\n"));
  EXPECT_EQ(parse_remote_manifest(text, "m"), manifest);
}

TEST(RemoteManifest, DamagedCompressedManifestIsBadInput) {
  const auto stored = encode_remote_manifest(sample_manifest(), 3);
  expect_rejected(stored.substr(0, stored.size() / 2), "truncated");
  expect_rejected(stored + "x", "bytes after");
  auto flipped = stored;
  flipped[stored.size() / 2] = static_cast<char>(flipped[stored.size() / 2] ^ 0x55);
  expect_rejected(flipped, "compressed manifest");
  expect_rejected(std::string("\x28\xB5\x2F\xFD", 4), "compressed manifest");
}

TEST(RemoteManifest, CompressedTextThatIsNotAManifestIsBadInput) {
  const std::string text = "mlv-manifest 9\nid x\n";
  std::string stored(ZSTD_compressBound(text.size()), '\0');
  stored.resize(ZSTD_compress(stored.data(), stored.size(), text.data(), text.size(), 3));
  expect_rejected(stored, "line 1");
}

TEST(RemoteManifest, FrameDeclaringMoreThanTheLimitIsRefusedBeforeAllocating) {
  // A whole zstd frame that declares 4 GiB of content (descriptor 0xE0: an 8-byte content size,
  // single segment) and holds one empty last raw block: refused from its header alone.
  std::string bomb("\x28\xB5\x2F\xFD\xE0", 5);
  const std::uint64_t declared = 4ull << 30;
  for (int i = 0; i < 8; ++i) {
    bomb += static_cast<char>((declared >> (8 * i)) & 0xFF);
  }
  bomb += std::string("\x01\x00\x00", 3);
  expect_rejected(bomb, "more than the limit");
}

} // namespace
} // namespace mlv::transfer
