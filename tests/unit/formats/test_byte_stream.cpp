#include "test_helpers.hpp"

#include <mlv/formats/byte_stream.hpp>

#include <gtest/gtest.h>

#include <random>

namespace {

using mlv::formats::ByteStream;
using mlv::formats::MemorySource;
using mlv::formats::SourceStream;

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (auto& byte : bytes) {
    byte = static_cast<char>(random());
  }
  return bytes;
}

std::string read_in_pieces(ByteStream& stream, std::size_t piece) {
  std::string out;
  std::string buffer(piece, '\0');
  while (const std::size_t got = stream.read(buffer.data(), buffer.size())) {
    out.append(buffer.data(), got);
  }
  return out;
}

TEST(SourceStream, ReadsTheWholeSourceAcrossBufferRefills) {
  const std::string bytes = random_bytes(300000, 1); // several 64 KiB source reads
  const MemorySource source(bytes, "model.bin");
  for (const std::size_t piece : {1u, 7u, 4096u, 100000u, 1000000u}) {
    SourceStream stream(source);
    EXPECT_EQ(read_in_pieces(stream, piece), bytes) << piece;
    EXPECT_EQ(stream.name(), "model.bin");
  }
}

TEST(SourceStream, ReadsOnlyItsRegionAndNeverPastTheSourceEnd) {
  const std::string bytes = random_bytes(100000, 2);
  const MemorySource source(bytes, "archive.zip");
  SourceStream member(source, 1000, 5000);
  EXPECT_EQ(read_in_pieces(member, 999), bytes.substr(1000, 5000));
  SourceStream to_end(source, 99000, 1 << 20);
  EXPECT_EQ(read_in_pieces(to_end, 300), bytes.substr(99000));
  SourceStream past_end(source, 200000, 10);
  char byte = 0;
  EXPECT_EQ(past_end.read(&byte, 1), 0u);
  EXPECT_EQ(past_end.skip(5), 0u);
}

TEST(SourceStream, SkipMovesAheadAndCountsOnlyBytesThatExist) {
  const std::string bytes = random_bytes(200000, 3);
  const MemorySource source(bytes, "model.bin");
  SourceStream stream(source, 10);
  std::string head(100, '\0');
  ASSERT_EQ(stream.read(head.data(), head.size()), 100u);
  EXPECT_EQ(stream.skip(150000), 150000u);
  const std::string rest = read_in_pieces(stream, 5000);
  EXPECT_EQ(rest, bytes.substr(10 + 100 + 150000));
  EXPECT_EQ(stream.skip(1), 0u);

  SourceStream short_stream(source, 199990);
  EXPECT_EQ(short_stream.skip(100), 10u);
}

// A stream without a skip of its own: the default reads and discards.
class CountingStream : public ByteStream {
public:
  explicit CountingStream(std::size_t size) : left_(size) {}
  std::size_t read(char* out, std::size_t n) override {
    const std::size_t step = std::min(n, left_);
    std::fill_n(out, step, 'x');
    left_ -= step;
    return step;
  }
  const std::string& name() const override { return name_; }

private:
  std::size_t left_;
  std::string name_ = "counting";
};

TEST(ByteStream, DefaultSkipReadsAndDiscardsUpToTheEnd) {
  CountingStream stream(100000);
  EXPECT_EQ(stream.skip(60000), 60000u);
  EXPECT_EQ(stream.skip(60000), 40000u);
  EXPECT_EQ(stream.skip(1), 0u);
}

} // namespace
