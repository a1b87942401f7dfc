#include <mlv/chunk/fastcdc.hpp>
#include <mlv/hash/sha256.hpp>

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

namespace {

using mlv::chunk::Chunker;
using mlv::chunk::ChunkInfo;
using mlv::chunk::k_default_params;

std::vector<std::byte> random_bytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::vector<std::byte> bytes(size);
  for (auto& byte : bytes) {
    byte = static_cast<std::byte>(generator());
  }
  return bytes;
}

std::vector<ChunkInfo> chunk_all(const std::vector<std::byte>& data, std::size_t block_size) {
  std::vector<ChunkInfo> chunks;
  Chunker chunker(k_default_params, [&](const ChunkInfo& info, std::span<const std::byte>) {
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

TEST(FastCdc, ChunksCoverTheInputInOrderWithinTheSizeLimits) {
  const auto data = random_bytes(8 << 20, 1);
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
  // Normalized chunking keeps the average near 64 KiB: 8 MiB gives roughly 128 chunks.
  EXPECT_GT(chunks.size(), 80u);
  EXPECT_LT(chunks.size(), 200u);
}

TEST(FastCdc, BoundariesDoNotDependOnHowTheInputIsFed) {
  const auto data = random_bytes(3 << 20, 2);
  const auto whole = chunk_all(data, data.size());
  for (const std::size_t block : {1u, 4095u, 65536u, 300000u}) {
    const auto pieces = chunk_all(data, block);
    ASSERT_EQ(pieces.size(), whole.size()) << "block size " << block;
    for (std::size_t i = 0; i < whole.size(); ++i) {
      EXPECT_EQ(pieces[i].id, whole[i].id);
    }
  }
}

TEST(FastCdc, AnInsertionChangesOnlyTheChunksNearIt) {
  const auto original = random_bytes(6 << 20, 3);
  auto edited = original;
  const std::vector<std::byte> inserted(37, std::byte{0x5a});
  edited.insert(edited.begin() + (3 << 20), inserted.begin(), inserted.end());
  const auto before = chunk_all(original, 1 << 20);
  const auto after = chunk_all(edited, 1 << 20);
  const auto before_ids = ids(before);
  std::size_t new_chunks = 0;
  for (const auto& chunk : after) {
    new_chunks += before_ids.contains(chunk.id) ? 0 : 1;
  }
  // Content-defined boundaries resynchronise right after the edit.
  EXPECT_GE(new_chunks, 1u);
  EXPECT_LE(new_chunks, 3u);
}

TEST(FastCdc, OutputIsStableAcrossVersions) {
  // The cut points are part of the format (gear table mlv-gear-v1): changing them would stop
  // new versions from deduplicating against chunks already on remotes.
  const auto data = random_bytes(2 << 20, 42);
  std::string cuts;
  for (const auto& chunk : chunk_all(data, 1 << 16)) {
    cuts += std::to_string(chunk.length) + ",";
  }
  const std::string expected = "89545,71473,90159,22705,72574,29213,73153,86826,76132,73163,";
  EXPECT_EQ(cuts.substr(0, expected.size()), expected);
}

TEST(FastCdc, SmallAndEmptyInputs) {
  EXPECT_TRUE(chunk_all({}, 10).empty());
  const auto small = random_bytes(1000, 4);
  const auto chunks = chunk_all(small, 10);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].length, 1000u);
}

TEST(FastCdc, ARunOfEqualBytesIsCutAtTheMaximum) {
  const std::vector<std::byte> zeros(1 << 20, std::byte{0});
  const auto chunks = chunk_all(zeros, 1 << 20);
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0].length, k_default_params.max_size);
  EXPECT_EQ(ids(chunks).size(), 1u); // identical chunks share one id
}

} // namespace
