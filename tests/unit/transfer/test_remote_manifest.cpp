#include <mlv/cache/manifest.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/remote_manifest.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <zstd.h>

#include <algorithm>

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

// A folder's bundle of three manifests, sorted by file id.
Bundle sample_bundle() {
  Bundle bundle;
  bundle.dir_id = hash::sha256_hex("folder");
  for (const char* name : {"a", "b", "c"}) {
    auto manifest = sample_manifest();
    manifest.id = hash::sha256_hex(name);
    manifest.chunks.resize(3);
    manifest.size = 3 * 65536;
    bundle.manifests.push_back(manifest);
  }
  std::sort(bundle.manifests.begin(), bundle.manifests.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return bundle;
}

void expect_bundle_rejected(const std::string& stored, const std::string& words) {
  try {
    (void)parse_remote_bundle(stored, "file:///r/bundles/ab/abc");
    FAIL() << "accepted a damaged bundle: " << words;
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::invalid_input);
    const std::string message = error.what();
    EXPECT_NE(message.find("file:///r/bundles/ab/abc"), std::string::npos) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
  }
}

TEST(RemoteBundle, RoundTripsTextAndCompressed) {
  const auto bundle = sample_bundle();
  for (const int level : {0, 3}) {
    const auto parsed =
        parse_remote_bundle(encode_remote_bundle(bundle, level), "file:///r/bundles/ab/abc");
    EXPECT_EQ(parsed.dir_id, bundle.dir_id);
    ASSERT_EQ(parsed.manifests.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(parsed.manifests[i], bundle.manifests[i]);
    }
  }
  EXPECT_EQ(encode_remote_bundle(bundle, 0).substr(0, 13), "mlv-bundle 1\n");
}

TEST(RemoteBundle, AnEmptyFolderHasAnEmptyBundle) {
  Bundle empty;
  empty.dir_id = hash::sha256_hex("empty");
  const auto parsed = parse_remote_bundle(encode_remote_bundle(empty, 3), "x");
  EXPECT_EQ(parsed.dir_id, empty.dir_id);
  EXPECT_TRUE(parsed.manifests.empty());
}

TEST(RemoteBundle, DamageIsBadInputNamingTheBundle) {
  const auto bundle = sample_bundle();
  const auto text = encode_remote_bundle(bundle, 0);
  expect_bundle_rejected("mlv-bundle 2\n" + text.substr(13), "upgrade mlv");
  expect_bundle_rejected(text.substr(0, text.size() - 10), "line");
  expect_bundle_rejected(text + "x", "after the last manifest");
  auto miscounted = text;
  miscounted.replace(miscounted.find("manifests 3"), 11, "manifests 4");
  expect_bundle_rejected(miscounted, "line");
  auto unsorted = bundle;
  std::swap(unsorted.manifests[0], unsorted.manifests[1]);
  expect_bundle_rejected(encode_remote_bundle(unsorted, 0), "not sorted");
  auto duplicated = bundle;
  duplicated.manifests[1] = duplicated.manifests[0];
  expect_bundle_rejected(encode_remote_bundle(duplicated, 0), "each id once");
  // A manifest inside whose text is damaged names the bundle and which manifest.
  auto inner = text;
  inner[inner.find("mlv-manifest") + 4] = 'X';
  expect_bundle_rejected(inner, "manifest 1");
  // A count the bundle has no room for is refused before memory is reserved for it.
  auto huge = text;
  huge.replace(huge.find("manifests 3"), 11, "manifests 9999999999");
  expect_bundle_rejected(huge, "room");
  const auto stored = encode_remote_bundle(bundle, 3);
  auto flipped = stored;
  flipped[stored.size() / 2] = static_cast<char>(flipped[stored.size() / 2] ^ 0x55);
  expect_bundle_rejected(flipped, "compressed bundle");
}

} // namespace
} // namespace mlv::transfer
