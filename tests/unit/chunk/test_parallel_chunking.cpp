#include "../temp_dir.hpp"

#include <mlv/chunk/fastcdc.hpp>

#include <fstream>
#include <random>

namespace mlv::chunk {
namespace {

class ParallelChunkingTest : public test::TempDirTest {};

TEST_F(ParallelChunkingTest, GivesTheSameChunksAndIdsAsTheSequentialChunker) {
  std::mt19937_64 generator(7);
  std::vector<char> data(23 * 1024 * 1024 + 12345);
  for (auto& c : data) {
    c = static_cast<char>(generator());
  }
  // A run of equal bytes too, where cuts fall at the maximum size.
  std::fill(data.begin() + 5'000'000, data.begin() + 6'000'000, 'x');
  const auto path = root_ / "model.bin";
  std::ofstream(path, std::ios::binary)
      .write(data.data(), static_cast<std::streamsize>(data.size()));

  const auto sequential = chunk_file(path, k_default_params);
  for (const unsigned threads : {1U, 2U, 5U}) {
    const auto parallel = chunk_file_parallel(path, k_default_params, threads);
    ASSERT_EQ(parallel.size(), sequential.size()) << threads << " threads";
    for (std::size_t i = 0; i < sequential.size(); ++i) {
      ASSERT_EQ(parallel[i].offset, sequential[i].offset) << "chunk " << i;
      ASSERT_EQ(parallel[i].length, sequential[i].length) << "chunk " << i;
      ASSERT_EQ(parallel[i].id, sequential[i].id) << "chunk " << i;
    }
  }
}

TEST_F(ParallelChunkingTest, PassesEveryChunkOnceInOrderWithItsIdWhileCutting) {
  std::mt19937_64 generator(11);
  std::vector<char> data(19 * 1024 * 1024 + 777);
  for (auto& c : data) {
    c = static_cast<char>(generator());
  }
  const auto path = root_ / "model.bin";
  std::ofstream(path, std::ios::binary)
      .write(data.data(), static_cast<std::streamsize>(data.size()));
  std::vector<ChunkInfo> streamed;
  std::size_t batches = 0;
  const auto chunks = chunk_file_parallel(
      path, k_default_params, 2, nullptr, [&](std::span<const ChunkInfo> batch) {
        ++batches;
        streamed.insert(streamed.end(), batch.begin(), batch.end());
      });
  EXPECT_GT(batches, 1U) << "chunks must arrive before the end, not in one final batch";
  ASSERT_EQ(streamed.size(), chunks.size());
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    ASSERT_EQ(streamed[i].offset, offset) << "chunk " << i;
    ASSERT_EQ(streamed[i].id, chunks[i].id) << "chunk " << i;
    ASSERT_EQ(streamed[i].id.size(), 64U) << "chunk " << i;
    offset += streamed[i].length;
  }
  EXPECT_EQ(offset, data.size());
}

} // namespace
} // namespace mlv::chunk
