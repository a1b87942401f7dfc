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

} // namespace
} // namespace mlv::chunk
