#include "compressed_vectors.hpp"
#include "test_helpers.hpp"

#include <mlv/formats/byte_source.hpp>
#include <mlv/formats/decompress.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;
using mlv::formats::ByteStream;
using mlv::formats::Compression;
using mlv::formats::compression_name;
using mlv::formats::detect_compression;
using mlv::formats::FileSource;
using mlv::formats::open_decompressed;
using mlv::formats::SourceStream;
using mlv::formats::testing::CompressedVector;
using mlv::formats::testing::CompressedVectors;
using mlv::formats::testing::open_bytes;
using mlv::formats::testing::open_kind;
using mlv::formats::testing::read_all;
using mlv::formats::testing::read_bytes;

const fs::path k_fixtures = MLV_FIXTURES_DIR;

std::string detected_name(const std::string& bytes) {
  return std::string(compression_name(detect_compression(bytes)));
}

// What detect_compression should say: raw DEFLATE has no header, and an lzma header counts only
// in the form Python writes by default.
std::string expected_detection(const CompressedVector& vector) {
  if (vector.kind == "deflate" || vector.file.ends_with(".lzma_dict4k") ||
      vector.file.ends_with(".lzma_lc4") || vector.file.ends_with(".lzma_known_size")) {
    return "none";
  }
  return vector.kind;
}

TEST(Decompress, EveryPythonWrittenStreamDecodesToItsOriginalBytes) {
  const auto& vectors = CompressedVectors::get();
  ASSERT_GT(vectors.all().size(), 100u);
  std::set<std::string> kinds;
  for (const auto& vector : vectors.all()) {
    const std::string compressed = vectors.bytes(vector.file);
    EXPECT_EQ(detected_name(compressed), expected_detection(vector)) << vector.file;
    // Through a file, as the inspector reads it.
    const FileSource source(vectors.dir() / vector.file);
    auto stream = open_kind(std::make_unique<SourceStream>(source), vector.kind);
    const std::string expected = vectors.bytes(vector.original);
    const std::string actual = read_all(*stream);
    EXPECT_EQ(actual.size(), expected.size()) << vector.file;
    EXPECT_TRUE(actual == expected) << vector.file;
    EXPECT_EQ(stream->read(nullptr, 0), 0u);
    kinds.insert(vector.kind);
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"zlib", "gzip", "bz2", "xz", "lzma", "joblib-zfile",
                                          "deflate", "lz4", "zstd"}));
}

TEST(Decompress, ReadsOfAnySizeAndSkipsYieldTheSameBytes) {
  const auto& vectors = CompressedVectors::get();
  std::mt19937 random(11);
  for (const auto& name :
       {"text.zlib9"s, "text.gz_fields"s, "text.bz2_1"s, "text.xz_sha256"s, "text.lzma_dict4k"s,
        "mixed.xz_dict64k"s, "mixed.gz_members"s, "mixed.lz4_streams"s, "text.zst_19_checked"s}) {
    const auto vector = *std::find_if(vectors.all().begin(), vectors.all().end(),
                                      [&](const auto& v) { return v.file == name; });
    const std::string expected = vectors.bytes(vector.original);
    auto stream = open_bytes(vectors.bytes(name), vector.kind, name);
    std::string actual;
    char buffer[5000];
    while (true) {
      if (random() % 4 == 0) {
        const std::uint64_t skipped = stream->skip(random() % 3000);
        actual.append(expected, actual.size(), skipped); // skipped bytes are the original's
        continue;
      }
      const std::size_t got = stream->read(buffer, 1 + random() % sizeof(buffer));
      if (got == 0) {
        break;
      }
      actual.append(buffer, got);
    }
    EXPECT_TRUE(actual == expected) << name;
    EXPECT_EQ(stream->skip(10), 0u) << name;
  }
}

TEST(Decompress, CompressedJoblibFixtureHoldsAPickle) {
  const FileSource source(k_fixtures / "rf_small_zlib3.joblib");
  const std::string head = source.read_at(0, 64);
  ASSERT_EQ(detect_compression(head), Compression::zlib);
  auto stream = open_decompressed(std::make_unique<SourceStream>(source), Compression::zlib);
  const std::string pickle = read_all(*stream);
  ASSERT_GT(pickle.size(), source.size());
  EXPECT_EQ(static_cast<unsigned char>(pickle[0]), 0x80); // PROTO
  EXPECT_NE(pickle.find("joblib.numpy_pickle"), std::string::npos);
  EXPECT_EQ(pickle.back(), '.'); // STOP ends the last pickle
}

TEST(Decompress, MagicNumbersNameTheCompression) {
  EXPECT_EQ(detected_name("\x78\x9c"), "zlib");
  EXPECT_EQ(detected_name("\x78\x01"), "zlib");
  EXPECT_EQ(detected_name("\x1f\x8b\x08\x00"), "gzip");
  EXPECT_EQ(detected_name("BZh9"), "bz2");
  EXPECT_EQ(detected_name("BZh0"), "none");
  EXPECT_EQ(detected_name("\xfd"
                          "7zXZ\0\0\x04"s),
            "xz");
  EXPECT_EQ(detected_name("\x5d\x00\x00\x80\x00\xff\xff\xff\xff\xff\xff\xff\xff"s), "lzma");
  EXPECT_EQ(detected_name("\x04\x22\x4d\x18"), "lz4");
  EXPECT_EQ(detected_name("\x28\xb5\x2f\xfd"), "zstd");
  EXPECT_EQ(detected_name("ZF0x1a" + std::string(15, ' ') + "\x78\x9c"), "joblib-zfile");
  EXPECT_EQ(detected_name("\x80\x04\x95"), "none");
  EXPECT_EQ(detected_name(""), "none");
  EXPECT_EQ(detected_name("\x78\x9d"), "none"); // fails the header check
}

TEST(Decompress, UnknownKindsAreErrorsAndNoneIsTheStreamItself) {
  const mlv::formats::MemorySource source("\x04\x22\x4d\x18\x64\x40\xa7", "model.joblib.lz4");
  EXPECT_THROW(open_decompressed(std::make_unique<SourceStream>(source), Compression{42}),
               mlv::Error);
  // No compression: the stream itself.
  auto plain = open_decompressed(std::make_unique<SourceStream>(source), Compression::none);
  EXPECT_EQ(read_all(*plain), "\x04\x22\x4d\x18\x64\x40\xa7");
}

TEST(Decompress, EmptyAndTinyStreamsWrittenByHand) {
  // A stored final block of length zero, and fixed-code blocks of one literal.
  EXPECT_EQ(read_all(*open_bytes("\x01\x00\x00\xff\xff"s, "deflate")), "");
  EXPECT_EQ(read_all(*open_bytes("\x78\x9c\x03\x00\x00\x00\x00\x01"s, "zlib")), "");
  EXPECT_EQ(read_all(*open_bytes("\x78\x9c\x4b\x04\x00\x00\x62\x00\x62"s, "zlib")), "a");
}

} // namespace
