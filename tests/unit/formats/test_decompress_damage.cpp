// Damaged, truncated and random input for the decompressors: always an Error that names the
// stream (raised after the bytes decoded before the damage), or a clean end; never a crash, a
// hang or a read out of bounds. Run under -DMLV_SANITIZE=ON too.

#include "compressed_vectors.hpp"

#include <mlv/formats/decompress.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <random>

namespace {

using namespace std::string_literals;
using mlv::formats::testing::CompressedVector;
using mlv::formats::testing::CompressedVectors;
using mlv::formats::testing::le;
using mlv::formats::testing::open_bytes;
using mlv::formats::testing::read_all;

// Output beyond this from a few KiB of input would mean a decoder that does not stop.
constexpr std::size_t k_output_cap = 256 << 20;

struct Outcome {
  std::string bytes;   // everything read before the end or the error
  bool failed = false; // an Error(bad_input) naming the stream
  std::string message;
};

Outcome decode(const std::string& compressed,
               const std::string& kind,
               const std::string& name = "damaged.bin") {
  Outcome outcome;
  try {
    auto stream = open_bytes(compressed, kind, name);
    char buffer[8192];
    while (const std::size_t got = stream->read(buffer, sizeof(buffer))) {
      outcome.bytes.append(buffer, got);
      if (outcome.bytes.size() > k_output_cap) {
        ADD_FAILURE() << kind << ": no end after " << outcome.bytes.size() << " bytes";
        break;
      }
    }
  } catch (const mlv::Error& error) {
    outcome.failed = true;
    outcome.message = error.what();
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input) << error.what();
    EXPECT_NE(outcome.message.find(name), std::string::npos) << outcome.message;
    EXPECT_FALSE(error.hint().empty()) << outcome.message;
  }
  return outcome;
}

const CompressedVector& vector_named(const std::string& file) {
  const auto& all = CompressedVectors::get().all();
  const auto found =
      std::find_if(all.begin(), all.end(), [&](const auto& v) { return v.file == file; });
  if (found == all.end()) {
    throw std::runtime_error("no test vector " + file);
  }
  return *found;
}

bool has_several_streams(const CompressedVector& vector) {
  return vector.file.ends_with("_members") || vector.file.ends_with("_streams");
}

TEST(DecompressDamage, TruncatedStreamsAreErrorsAfterTheBytesBeforeTheCut) {
  const auto& vectors = CompressedVectors::get();
  std::mt19937 random(1);
  for (const auto& vector : vectors.all()) {
    if (has_several_streams(vector) ||
        !(vector.file.starts_with("text.") || vector.file.starts_with("one.") ||
          vector.file.starts_with("empty."))) {
      continue;
    }
    const std::string compressed = vectors.bytes(vector.file);
    const std::string original = vectors.bytes(vector.original);
    std::vector<std::size_t> cuts = {
        0, 1, 2, 5, 13, compressed.size() / 2, compressed.size() - 1, compressed.size() - 4};
    for (int i = 0; i < 6; ++i) {
      cuts.push_back(random() % compressed.size());
    }
    for (const std::size_t cut : cuts) {
      if (cut >= compressed.size()) {
        continue;
      }
      const Outcome outcome = decode(compressed.substr(0, cut), vector.kind, vector.file);
      EXPECT_TRUE(outcome.failed) << vector.file << " cut at " << cut;
      EXPECT_TRUE(original.starts_with(outcome.bytes)) << vector.file << " cut at " << cut;
    }
  }
}

TEST(DecompressDamage, ChecksumMismatchesAreErrorsAfterAllTheData) {
  const auto& vectors = CompressedVectors::get();
  const std::string original = vectors.bytes("data_text.bin");
  const auto damaged = [&](const std::string& file, std::size_t offset_from_end) {
    std::string bytes = vectors.bytes(file);
    bytes[bytes.size() - offset_from_end] ^= 0x20;
    return bytes;
  };
  const auto expect_mismatch = [&](const std::string& bytes, const std::string& kind,
                                   const std::string& what) {
    const Outcome outcome = decode(bytes, kind, "model.joblib");
    EXPECT_TRUE(outcome.failed) << kind;
    EXPECT_NE(outcome.message.find(what), std::string::npos) << outcome.message;
    EXPECT_NE(outcome.message.find("compressed byte"), std::string::npos) << outcome.message;
    EXPECT_TRUE(outcome.bytes == original) << kind << ": " << outcome.bytes.size() << " bytes";
  };
  expect_mismatch(damaged("text.zlib6", 1), "zlib", "incorrect data check");
  expect_mismatch(damaged("text.gz", 8), "gzip", "incorrect data check");
  expect_mismatch(damaged("text.gz", 2), "gzip", "incorrect data check (the CRC-32 or length");
  // The first (and only) block's CRC follows the 4-byte stream header and the 6-byte magic.
  std::string bz2 = vectors.bytes("text.bz2_9");
  bz2[10] ^= 0x01;
  expect_mismatch(bz2, "bz2", "CRC does not match");
  // The xz check field ends where the index begins; the footer gives the index's size.
  for (const auto& [file, check_size] :
       {std::pair{"text.xz"s, 8}, {"text.xz_crc32"s, 4}, {"text.xz_sha256"s, 32}}) {
    const std::string xz = vectors.bytes(file);
    const std::size_t footer = xz.size() - 12;
    std::size_t index_size = 0;
    for (int i = 3; i >= 0; --i) {
      index_size = index_size << 8 | static_cast<unsigned char>(xz[footer + 4 + i]);
    }
    index_size = (index_size + 1) * 4;
    expect_mismatch(damaged(file, 12 + index_size + check_size), "xz", "invalid data");
  }
}

TEST(DecompressDamage, LzmaAloneSizeMustMatchTheData) {
  const auto& vectors = CompressedVectors::get();
  const std::string stream = vectors.bytes("text.lzma");
  const std::size_t size = vectors.bytes("data_text.bin").size();
  const auto with_size = [&](std::uint64_t stated) {
    return stream.substr(0, 5) + le(stated, 8) + stream.substr(13);
  };
  EXPECT_EQ(decode(with_size(size), "lzma").bytes.size(), size);
  EXPECT_TRUE(decode(with_size(size - 1), "lzma").failed);
  EXPECT_TRUE(decode(with_size(size + 1), "lzma").failed);
}

TEST(DecompressDamage, HugeDictionariesAreRefusedClearlyAndLiblzmaFiltersDecode) {
  const std::string alone = "\x5d"s + le(0xFFFFFFFF, 4) + std::string(8, '\xff') + "\0\0\0\0\0"s;
  const Outcome dictionary = decode(alone, "lzma", "big.lzma");
  EXPECT_TRUE(dictionary.failed);
  EXPECT_NE(dictionary.message.find("dictionary larger than 1.5 GiB"), std::string::npos)
      << dictionary.message;
  // liblzma decodes the BCJ filters mlv's own decoder refused.
  const Outcome bcj = decode(CompressedVectors::get().bytes("unsupported_bcj.xz"), "xz", "bcj.xz");
  EXPECT_FALSE(bcj.failed) << bcj.message;
  EXPECT_TRUE(bcj.bytes == CompressedVectors::get().bytes("data_text.bin"));
}

TEST(DecompressDamage, DataAfterTheLastStreamIsHandledLikePython) {
  const auto& vectors = CompressedVectors::get();
  const std::string original = vectors.bytes("data_text.bin");
  // gzip: zero padding is fine, anything else is an error (Python's gzip module agrees).
  EXPECT_EQ(decode(vectors.bytes("text.gz") + std::string(5, '\0'), "gzip").bytes, original);
  const Outcome garbage = decode(vectors.bytes("text.gz") + "garbage", "gzip");
  EXPECT_TRUE(garbage.failed);
  EXPECT_EQ(garbage.bytes, original);
  // bz2, xz: data that does not start another stream is ignored, as Python's modules do.
  const Outcome bz2 = decode(vectors.bytes("text.bz2_9") + "garbage", "bz2");
  EXPECT_FALSE(bz2.failed);
  EXPECT_EQ(bz2.bytes, original);
  const Outcome lz4 = decode(vectors.bytes("text.lz4") + "garbage", "lz4");
  EXPECT_FALSE(lz4.failed);
  EXPECT_EQ(lz4.bytes, original);
  // xz: liblzma takes what follows a stream for another one, and so garbage for damage, after
  // every byte of the stream was delivered.
  const Outcome xz = decode(vectors.bytes("text.xz") + std::string(4, '\0') + "garbage", "xz");
  EXPECT_TRUE(xz.failed);
  EXPECT_EQ(xz.bytes, original);
  // xz: padding before another stream must be a multiple of four bytes.
  const std::string one = vectors.bytes("one.xz");
  EXPECT_TRUE(decode(one + std::string(3, '\0') + one, "xz").failed);
  EXPECT_EQ(decode(one + std::string(4, '\0') + one, "xz").bytes, "xx");
}

TEST(DecompressDamage, RandomBytesAfterEachHeaderNeverCrash) {
  const std::pair<std::string, std::string> headers[] = {
      {"deflate", ""},
      {"zlib", "\x78\x9c"},
      {"gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"s},
      {"bz2", "BZh91AY&SY"},
      {"xz", "\xfd"
             "7zXZ\0\0\x04\xe6\xd6\xb4\x46"s},
      {"lzma", "\x5d\x00\x00\x01\x00"s + std::string(8, '\xff') + '\0'},
      {"joblib-zfile", "ZF0x10" + std::string(15, ' ') + "\x78\x9c"},
      {"lz4", "\x04\x22\x4d\x18\x64\x40\xa7"s},
      {"zstd", "\x28\xb5\x2f\xfd\x00\x58"s},
  };
  std::mt19937 random(7);
  for (const auto& [kind, header] : headers) {
    int failures = 0;
    for (int round = 0; round < 400; ++round) {
      std::string bytes = header;
      const std::size_t length = random() % (round % 10 == 0 ? 20000 : 600);
      for (std::size_t i = 0; i < length; ++i) {
        bytes.push_back(static_cast<char>(random()));
      }
      failures += decode(bytes, kind).failed ? 1 : 0;
    }
    EXPECT_GT(failures, 300) << kind; // random data is almost never a valid stream
  }
}

// A zip LZMA member's header: 2 version bytes, a 2-byte properties size (5), then the LZMA1
// properties. Properties liblzma refuses (lc + lp > 4) with more bytes after them once made the
// header reader run past its 5-byte buffer (found by fuzz_numpy).
TEST(DecompressDamage, ZipLzmaPropertiesLiblzmaRefusesAreAnErrorWhateverFollows) {
  const std::string refused_properties = "\xff\x00\x00\x10\x00"s;
  for (const std::string& tail : {""s, "x"s, std::string(64, '\x93')}) {
    const Outcome outcome =
        decode("\x09\x14\x05\x00"s + refused_properties + tail, "zip-lzma", "model.npz");
    EXPECT_TRUE(outcome.failed) << tail.size();
    EXPECT_TRUE(outcome.bytes.empty());
  }
}

TEST(DecompressDamage, FlippedBytesAreCaughtByTheChecksumsOrNeverCrash) {
  const auto& vectors = CompressedVectors::get();
  const std::string original = vectors.bytes("data_text.bin");
  std::mt19937 random(9);
  for (const auto& file : {"text.zlib6"s, "text.gz"s, "text.bz2_1"s, "text.xz"s, "text.xz_sha256"s,
                           "text.lzma"s, "text.deflate"s, "text.zfile"s, "mixed.xz_dict64k"s,
                           "text.lzma_dict4k"s, "text.lz4_b64k_checked"s, "text.zst_19_checked"s}) {
    const auto& vector = vector_named(file);
    const std::string compressed = vectors.bytes(file);
    const std::string expected = vectors.bytes(vector.original);
    const bool checked =
        vector.kind != "lzma" && vector.kind != "deflate" && !vector.file.ends_with("_checked");
    for (int round = 0; round < 60; ++round) {
      std::string bytes = compressed;
      for (auto flips = 1 + random() % 3; flips > 0; --flips) {
        bytes[random() % bytes.size()] ^= static_cast<char>(1 + random() % 255);
      }
      const Outcome outcome = decode(bytes, vector.kind, file);
      if (checked && !outcome.failed) {
        // Only fields no check covers (gzip's time stamp, say) may change unnoticed.
        EXPECT_TRUE(outcome.bytes == expected) << file << " round " << round;
      }
    }
  }
}

} // namespace
