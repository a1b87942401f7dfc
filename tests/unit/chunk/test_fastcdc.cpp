#include <mlv/chunk/fastcdc.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>
#include <vector>

namespace {

using mlv::chunk::Chunker;
using mlv::chunk::ChunkInfo;
using mlv::chunk::k_default_params;

// splitmix64 words, little-endian: the input that docs/formats-chunking.md names for reproducing
// the reference cut list in any language.
std::vector<std::byte> splitmix_bytes(std::size_t size, std::uint64_t seed) {
  std::vector<std::byte> bytes(size);
  std::uint64_t state = seed;
  for (std::size_t at = 0; at < size; at += 8) {
    state += 0x9e3779b97f4a7c15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (std::size_t i = 0; i < 8 && at + i < size; ++i) {
      bytes[at + i] = static_cast<std::byte>(z >> (8 * i));
    }
  }
  return bytes;
}

std::vector<ChunkInfo> chunk_all(const std::vector<std::byte>& data, std::size_t block_size) {
  std::vector<ChunkInfo> chunks;
  Chunker chunker(k_default_params, [&](const ChunkInfo& info, std::span<const std::byte> bytes) {
    EXPECT_EQ(bytes.size(), info.length);
    chunks.push_back(info);
  });
  for (std::size_t at = 0; at < data.size(); at += block_size) {
    chunker.update(std::span(data).subspan(at, std::min(block_size, data.size() - at)));
  }
  chunker.finish();
  return chunks;
}

std::set<std::string> ids(const std::vector<ChunkInfo>& chunks) {
  std::set<std::string> result;
  for (const auto& chunk : chunks) {
    result.insert(chunk.id);
  }
  return result;
}

// Chunks of `after` that `before` does not have: what a new version would upload.
std::size_t new_chunks(const std::vector<ChunkInfo>& before, const std::vector<ChunkInfo>& after) {
  const auto known = ids(before);
  std::size_t count = 0;
  for (const auto& chunk : after) {
    count += known.contains(chunk.id) ? 0 : 1;
  }
  return count;
}

std::string cut_list(const std::vector<ChunkInfo>& chunks) {
  std::string text;
  for (const auto& chunk : chunks) {
    text += (text.empty() ? "" : ",") + std::to_string(chunk.length);
  }
  return text;
}

TEST(FastCdc, GearTableMatchesTheDocumentedRule) {
  const auto& gear = mlv::chunk::gear_table();
  EXPECT_EQ(gear[0], 0x001c47e629fea773ull);
  EXPECT_EQ(gear[1], 0x6201aa86c3795f22ull);
  EXPECT_EQ(gear[255], 0x7f93ad4c45a6ac65ull);
  std::vector<std::byte> little_endian;
  for (const auto value : gear) {
    for (int i = 0; i < 8; ++i) {
      little_endian.push_back(static_cast<std::byte>(value >> (8 * i)));
    }
  }
  EXPECT_EQ(mlv::hash::sha256_hex(little_endian),
            "b1ffa5c5f99411d904b7a85c9327742b6186bb63e1f833bb304e00c0b037f38f");
}

TEST(FastCdc, CutListMatchesTheReferenceOutput) {
  // The cut points are part of the format: changing them would stop new versions from
  // deduplicating against chunks already on remotes. The expected values come from an
  // independent implementation of docs/formats-chunking.md.
  const auto data = splitmix_bytes(4 << 20, 1);
  const auto chunks = chunk_all(data, 1 << 20);
  const auto cuts = cut_list(chunks);
  EXPECT_EQ(chunks.size(), 56u);
  EXPECT_TRUE(cuts.starts_with("73528,68906,132835,78286,72018,87479,72671,83961,")) << cuts;
  EXPECT_EQ(mlv::hash::sha256_hex(cuts),
            "297de5d02c0e00591f2d98a450b23faa62ba52bb812201b7e8ccac735463a690");
}

TEST(FastCdc, ChunksCoverTheInputInOrderWithinTheSizeLimits) {
  const auto data = splitmix_bytes(8 << 20, 11);
  const auto chunks = chunk_all(data, 1 << 20);
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].offset, offset);
    EXPECT_LE(chunks[i].length, k_default_params.max_size);
    if (i + 1 < chunks.size()) {
      EXPECT_GE(chunks[i].length, k_default_params.min_size);
    }
    EXPECT_EQ(chunks[i].id,
              mlv::hash::sha256_hex(std::span(data).subspan(offset, chunks[i].length)));
    offset += chunks[i].length;
  }
  EXPECT_EQ(offset, data.size());
  // Normalized chunking keeps the average near 64 KiB: 8 MiB gives roughly 110-130 chunks.
  EXPECT_GT(chunks.size(), 80u);
  EXPECT_LT(chunks.size(), 200u);
}

TEST(FastCdc, BoundariesDoNotDependOnHowTheInputIsFed) {
  const auto data = splitmix_bytes(3 << 20, 2);
  const auto whole = chunk_all(data, data.size());
  for (const std::size_t block : {1u, 4095u, 65536u, 262145u, 300000u}) {
    const auto pieces = chunk_all(data, block);
    ASSERT_EQ(pieces.size(), whole.size()) << "block size " << block;
    for (std::size_t i = 0; i < whole.size(); ++i) {
      EXPECT_EQ(pieces[i].id, whole[i].id) << "block size " << block;
      EXPECT_EQ(pieces[i].offset, whole[i].offset) << "block size " << block;
    }
  }
  // Blocks of changing, random sizes.
  std::mt19937_64 generator(5);
  std::vector<ChunkInfo> random_fed;
  Chunker chunker(k_default_params, [&](const ChunkInfo& info, std::span<const std::byte>) {
    random_fed.push_back(info);
  });
  for (std::size_t at = 0; at < data.size();) {
    const std::size_t block = std::min<std::size_t>(generator() % 700000, data.size() - at);
    chunker.update(std::span(data).subspan(at, block));
    at += block;
  }
  chunker.finish();
  EXPECT_EQ(cut_list(random_fed), cut_list(whole));
}

TEST(FastCdc, AnInsertionChangesOnlyTheChunksNearIt) {
  const auto original = splitmix_bytes(6 << 20, 3);
  auto edited = original;
  const std::vector<std::byte> inserted(37, std::byte{0x5a});
  edited.insert(edited.begin() + (3 << 20), inserted.begin(), inserted.end());
  const auto before = chunk_all(original, 1 << 20);
  const auto after = chunk_all(edited, 1 << 20);
  // Content-defined boundaries resynchronise right after the edit: at most the chunk holding
  // the insertion and its neighbour are new, every other chunk is shared.
  const std::size_t fresh = new_chunks(before, after);
  EXPECT_GE(fresh, 1u);
  EXPECT_LE(fresh, 2u);
  EXPECT_GE(after.size() - fresh, before.size() - 3);
}

TEST(FastCdc, ADeletionAndAnOverwriteChangeOnlyTheChunksNearThem) {
  const auto original = splitmix_bytes(6 << 20, 4);
  auto deleted = original;
  deleted.erase(deleted.begin() + (2 << 20), deleted.begin() + (2 << 20) + 1000);
  auto overwritten = original;
  std::memset(overwritten.data() + (4 << 20), 0x11, 4096);
  const auto before = chunk_all(original, 1 << 20);
  EXPECT_LE(new_chunks(before, chunk_all(deleted, 1 << 20)), 2u);
  EXPECT_LE(new_chunks(before, chunk_all(overwritten, 1 << 20)), 2u);
}

TEST(FastCdc, SmallAndEmptyInputsAreOneChunkOrNone) {
  EXPECT_TRUE(chunk_all({}, 10).empty());
  const auto small = splitmix_bytes(1000, 4);
  const auto chunks = chunk_all(small, 10);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].length, 1000u);
  const auto exactly_min = splitmix_bytes(k_default_params.min_size, 5);
  EXPECT_EQ(mlv::chunk::find_cut(exactly_min, k_default_params), exactly_min.size());
}

TEST(FastCdc, ARunOfEqualBytesIsCutAtTheMaximum) {
  const std::vector<std::byte> zeros(1 << 20, std::byte{0});
  const auto chunks = chunk_all(zeros, 1 << 20);
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0].length, k_default_params.max_size);
  EXPECT_EQ(ids(chunks).size(), 1u); // identical chunks share one id
}

TEST(FastCdc, OtherParametersAreHonoured) {
  const mlv::chunk::Params small{4096, 8192, 32768};
  const auto data = splitmix_bytes(2 << 20, 6);
  std::vector<ChunkInfo> chunks;
  Chunker chunker(
      small, [&](const ChunkInfo& info, std::span<const std::byte>) { chunks.push_back(info); });
  chunker.update(data);
  chunker.finish();
  for (std::size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_GE(chunks[i].length, small.min_size);
    EXPECT_LE(chunks[i].length, small.max_size);
  }
  // About 2 MiB / 8 KiB chunks (normalized chunking lands a little above the average).
  EXPECT_GT(chunks.size(), 150u);
  EXPECT_LT(chunks.size(), 330u);
}

TEST(FastCdc, RejectsInconsistentParameters) {
  const auto rejected = [](mlv::chunk::Params params) {
    try {
      Chunker chunker(params, [](const ChunkInfo&, std::span<const std::byte>) {});
      return false;
    } catch (const mlv::Error& error) {
      return error.kind() == mlv::Failure::invalid_input;
    }
  };
  EXPECT_TRUE(rejected({0, 65536, 262144}));
  EXPECT_TRUE(rejected({16384, 65536, 32768}));
  EXPECT_TRUE(rejected({16384, 60000, 262144})) << "avg must be a power of two";
  EXPECT_FALSE(rejected(k_default_params));
}

} // namespace
