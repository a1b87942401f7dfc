#include "../../../src/mlv/transfer/frontier_hasher.hpp"
#include "../temp_dir.hpp"

#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

class FrontierHasherTest : public mlv::test::TempDirTest {
protected:
  int open_file() {
    const auto path = root_ / "assembled";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    EXPECT_GE(fd, 0);
    return fd;
  }
  static void put(int fd, const std::string& bytes, std::uint64_t offset, std::uint64_t length) {
    ASSERT_EQ(::pwrite(fd, bytes.data() + offset, length, static_cast<off_t>(offset)),
              static_cast<ssize_t>(length));
  }
};

std::string random_bytes(std::size_t size) {
  std::mt19937_64 generator(7);
  std::string bytes(size, '\0');
  for (auto& byte : bytes) {
    byte = static_cast<char>(generator());
  }
  return bytes;
}

TEST_F(FrontierHasherTest, HashesRangesWrittenOutOfOrderFromSeveralThreads) {
  const auto bytes = random_bytes(5 << 20);
  const int fd = open_file();
  mlv::transfer::FrontierHasher hasher(fd, root_ / "assembled", bytes.size());
  // Pieces of uneven sizes, written in shuffled order by four threads.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pieces;
  for (std::uint64_t at = 0; at < bytes.size();) {
    const std::uint64_t length = std::min<std::uint64_t>(bytes.size() - at, 1000 + at % 77777);
    pieces.emplace_back(at, length);
    at += length;
  }
  std::shuffle(pieces.begin(), pieces.end(), std::mt19937_64(3));
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (std::size_t i = static_cast<std::size_t>(w); i < pieces.size(); i += 4) {
        put(fd, bytes, pieces[i].first, pieces[i].second);
        hasher.written(pieces[i].first, pieces[i].second);
      }
    });
  }
  for (auto& writer : writers) {
    writer.join();
  }
  EXPECT_EQ(hasher.finish(), mlv::hash::sha256_hex(bytes));
  ::close(fd);
}

TEST_F(FrontierHasherTest, HashesWhatIsOnDiskNotWhatWasReported) {
  const auto bytes = random_bytes(300000);
  const int fd = open_file();
  {
    mlv::transfer::FrontierHasher hasher(fd, root_ / "assembled", bytes.size());
    auto damaged = bytes;
    damaged[123456] ^= 1;
    put(fd, damaged, 0, damaged.size());
    hasher.written(0, damaged.size());
    EXPECT_NE(hasher.finish(), mlv::hash::sha256_hex(bytes));
  }
  ::close(fd);
}

TEST_F(FrontierHasherTest, AHoleLeftInTheFileIsAnErrorNotAHash) {
  const auto bytes = random_bytes(200000);
  const int fd = open_file();
  mlv::transfer::FrontierHasher hasher(fd, root_ / "assembled", bytes.size());
  put(fd, bytes, 0, 1000);
  hasher.written(0, 1000);
  put(fd, bytes, 2000, bytes.size() - 2000);
  hasher.written(2000, bytes.size() - 2000);
  EXPECT_THROW(hasher.finish(), mlv::Error);
  ::close(fd);
}

TEST_F(FrontierHasherTest, AnEmptyFileHashesAtOnceAndAnAbandonedOneStopsCleanly) {
  const int fd = open_file();
  {
    mlv::transfer::FrontierHasher hasher(fd, root_ / "assembled", 0);
    EXPECT_EQ(hasher.finish(), mlv::hash::sha256_hex(std::string()));
  }
  {
    mlv::transfer::FrontierHasher abandoned(fd, root_ / "assembled", 1 << 20);
    abandoned.written(4096, 100); // a fetch that fails part-way destroys its hasher unfinished
  }
  ::close(fd);
}

} // namespace
