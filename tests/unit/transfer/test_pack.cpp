#include "transfer_fixture.hpp"

#include <mlv/hash/sha256.hpp>
#include <mlv/remote/local_store.hpp>
#include <mlv/transfer/pack.hpp>
#include <mlv/transfer/transfer.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

namespace mlv::transfer {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> bytes_of(const std::string& text) {
  const auto view = std::as_bytes(std::span(text.data(), text.size()));
  return {view.begin(), view.end()};
}

class PackTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mlv-pack-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A finished pack with three chunks, copied to `dir_/pack` (the writer removes its own file).
  std::string write_pack(std::vector<std::string>& chunks) {
    chunks = {std::string(1000, 'a'), "second chunk", std::string(70000, 'z')};
    PackWriter writer(dir_ / "tmp");
    for (const auto& chunk : chunks) {
      writer.add(hash::sha256_hex(chunk), bytes_of(chunk));
    }
    EXPECT_EQ(writer.chunk_count(), 3u);
    EXPECT_EQ(writer.data_size(), 1000u + 12u + 70000u);
    const auto id = writer.finish();
    fs::copy_file(writer.path(), dir_ / "pack");
    return id;
  }

  fs::path dir_;
};

TEST_F(PackTest, IdIsTheSha256OfThePackFileAndTheIndexRoundTrips) {
  std::vector<std::string> chunks;
  const auto id = write_pack(chunks);
  EXPECT_EQ(id, hash::sha256_file_hex(dir_ / "pack"));

  auto store = remote::make_local_store(dir_ / "remote", {});
  store->put_file(pack_key(id), dir_ / "pack");
  const auto entries = read_pack_index(*store, pack_key(id), fs::file_size(dir_ / "pack"));
  ASSERT_EQ(entries.size(), 3u);
  const auto data = testing::read_all(dir_ / "pack");
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(entries[i].chunk_id, hash::sha256_hex(chunks[i]));
    EXPECT_EQ(entries[i].length, chunks[i].size());
    // Each entry locates exactly its chunk's bytes.
    EXPECT_EQ(data.substr(entries[i].offset, entries[i].length), chunks[i]);
  }
  // The data section comes first, then the index, then the footer.
  EXPECT_EQ(data.size(), 71012u + 3u * 49u + pack_footer_size());
  EXPECT_EQ(data.substr(71012 + 3 * 49, 8), "MLVPACK1");
}

TEST_F(PackTest, AnAbandonedWriterLeavesNoTemporaryFile) {
  {
    PackWriter writer(dir_ / "tmp");
    writer.add(hash::sha256_hex("x"), bytes_of("x"));
  }
  EXPECT_TRUE(fs::is_empty(dir_ / "tmp"));
}

TEST_F(PackTest, DamagedFootersAndIndexesAreRejected) {
  std::vector<std::string> chunks;
  write_pack(chunks);
  const auto good = testing::read_all(dir_ / "pack");
  auto store = remote::make_local_store(dir_ / "remote", {});
  auto index_of = [&](std::string bytes) {
    store->remove("packs/00/bad");
    store->put("packs/00/bad", bytes_of(bytes));
    return read_pack_index(*store, "packs/00/bad", bytes.size());
  };
  auto expect_integrity = [&](std::string bytes, const char* what) {
    try {
      index_of(std::move(bytes));
      ADD_FAILURE() << what << " was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), Failure::corrupt) << what;
      EXPECT_NE(std::string(error.what()).find("packs/00/bad"), std::string::npos) << what;
    }
  };
  EXPECT_EQ(index_of(good).size(), 3u);

  const auto footer_at = good.size() - pack_footer_size();
  auto bad_magic = good;
  bad_magic[footer_at] = 'X';
  expect_integrity(bad_magic, "a wrong magic");

  auto bad_version = good;
  bad_version[footer_at + 8] = 9;
  expect_integrity(bad_version, "an unknown version");

  auto bad_count = good;
  bad_count[footer_at + 12] = 4;
  expect_integrity(bad_count, "an entry count that disagrees with the index length");

  auto bad_index = good;
  bad_index[71012 + 40] ^= 0x01; // a chunk length in the index
  expect_integrity(bad_index, "an index that does not match its checksum");

  expect_integrity(good.substr(0, good.size() - 1), "a truncated pack");
  expect_integrity("short", "an object shorter than a footer");
}

// An index entry whose offset plus length wraps past 2^64 points past the data just the same
// (seen while writing fuzz_pack_index: the sum used to wrap and pass the check).
TEST(PackIndex, AnEntryWhoseOffsetWrapsAroundIsRejected) {
  std::vector<std::byte> index(32 + 8 + 4 + 4 + 1, std::byte{0});
  for (std::size_t i = 32; i < 40; ++i) {
    index[i] = std::byte{0xff}; // offset 2^64 - 1
  }
  index[40] = std::byte{16}; // length 16
  index[44] = std::byte{16}; // stored length 16, raw
  const auto sha = hash::sha256(index);
  std::vector<std::byte> footer(pack_footer_size(), std::byte{0});
  std::memcpy(footer.data(), "MLVPACK1", 8);
  footer[8] = std::byte{2};                          // version 2
  footer[12] = std::byte{1};                         // one entry
  footer[16] = std::byte{100};                       // index at 100: data is 100 bytes
  footer[24] = static_cast<std::byte>(index.size()); // index length
  std::memcpy(footer.data() + 32, sha.data(), sha.size());
  const auto location = parse_pack_footer(footer, "packs/00/wrap");
  try {
    (void)parse_pack_index(index, location, "packs/00/wrap");
    ADD_FAILURE() << "an entry at offset 2^64 - 1 was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::corrupt);
    EXPECT_NE(std::string(error.what()).find("points past the data"), std::string::npos)
        << error.what();
  }
}

// float32 weights as training leaves them: normal(0, 0.02).
std::string float_weights(std::size_t count) {
  std::mt19937 random(7);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::string bytes(count * 4, '\0');
  for (std::size_t i = 0; i < count; ++i) {
    const float value = normal(random);
    std::memcpy(bytes.data() + 4 * i, &value, 4);
  }
  return bytes;
}

std::string random_bytes(std::size_t count) {
  std::mt19937 random(11);
  std::string bytes(count, '\0');
  for (auto& byte : bytes) {
    byte = static_cast<char>(random());
  }
  return bytes;
}

TEST_F(PackTest, ChunksAreStoredCompressedRawOrByteGroupedWhicheverIsSmallest) {
  const std::vector<std::string> chunks = {
      std::string(60000, 'a') + "text that compresses", // zstd
      random_bytes(65536),                              // incompressible: raw
      float_weights(16384),                             // float32: byte grouping wins
      "tiny",                                           // too small to try
  };
  PackWriter writer(dir_ / "tmp", k_default_compression_level);
  for (const auto& chunk : chunks) {
    writer.add(hash::sha256_hex(chunk), bytes_of(chunk));
  }
  const auto id = writer.finish();
  fs::copy_file(writer.path(), dir_ / "pack");
  EXPECT_EQ(id, hash::sha256_file_hex(dir_ / "pack"));

  auto store = remote::make_local_store(dir_ / "remote", {});
  store->put_file(pack_key(id), dir_ / "pack");
  const auto entries = read_pack_index(*store, pack_key(id), fs::file_size(dir_ / "pack"));
  ASSERT_EQ(entries, writer.entries());
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].encoding, cache::ChunkEncoding::zstd);
  EXPECT_LT(entries[0].stored_length, 1000u);
  EXPECT_EQ(entries[1].encoding, cache::ChunkEncoding::raw);
  EXPECT_EQ(entries[1].pack_length(), 65536u);
  EXPECT_EQ(entries[2].encoding, cache::ChunkEncoding::zstd_grouped4);
  // The exponent bytes of normal(0, 0.02) weights carry about 3 of their 8 bits.
  EXPECT_LT(entries[2].stored_length, 65536u * 92 / 100);
  EXPECT_EQ(entries[3].encoding, cache::ChunkEncoding::raw);

  // Each entry's stored bytes decode to exactly the chunk, whose id they hash to.
  const auto data = testing::read_all(dir_ / "pack");
  std::uint64_t expected_offset = 0;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(entries[i].offset, expected_offset);
    expected_offset += entries[i].pack_length();
    const auto stored = bytes_of(data.substr(entries[i].offset, entries[i].pack_length()));
    std::vector<std::byte> decoded;
    ASSERT_TRUE(decode_chunk(entries[i].encoding, stored, entries[i].length, decoded));
    EXPECT_EQ(hash::sha256_hex(decoded), entries[i].chunk_id);
    EXPECT_EQ(decoded, bytes_of(chunks[i]));
  }
}

TEST_F(PackTest, EncoderFollowsTheDataWhenItChangesAfterSettlingOnAForm) {
  // An encoder settles on the form a run of chunks agrees on and then tries only that one; a
  // file whose content changes kind must still get each kind's best form soon after.
  ChunkEncoder encoder(k_default_compression_level);
  const auto stored_size = [&](const std::string& chunk, cache::ChunkEncoding encoding) {
    return encoding == cache::ChunkEncoding::raw ? chunk.size() : encoder.encoded().size();
  };
  std::vector<cache::ChunkEncoding> forms;
  const auto run = [&](const std::vector<std::string>& chunks) {
    forms.clear();
    std::size_t stored = 0, raw = 0;
    for (const auto& chunk : chunks) {
      forms.push_back(encoder.encode(bytes_of(chunk)));
      stored += stored_size(chunk, forms.back());
      raw += chunk.size();
      if (forms.back() != cache::ChunkEncoding::raw) {
        std::vector<std::byte> decoded;
        EXPECT_TRUE(decode_chunk(forms.back(), encoder.encoded(),
                                 static_cast<std::uint32_t>(chunk.size()), decoded));
        EXPECT_EQ(decoded, bytes_of(chunk));
      }
    }
    return static_cast<double>(stored) / static_cast<double>(raw);
  };
  std::vector<std::string> weights, random, text;
  for (int i = 0; i < 24; ++i) {
    weights.push_back(float_weights(16384));
    random.push_back(random_bytes(65536));
    text.push_back(std::string(30000, static_cast<char>('a' + i)) + std::to_string(i));
  }
  // Weights: every chunk byte-grouped, as small as when each chunk tries every form.
  EXPECT_LT(run(weights), 0.92);
  EXPECT_EQ(std::count(forms.begin(), forms.end(), cache::ChunkEncoding::zstd_grouped4), 24);
  // Random bytes right after: raw from the first chunk (the settled form saves nothing).
  EXPECT_EQ(run(random), 1.0);
  // Weights after a run of raw chunks: byte-grouped again by the next probe (every 16 chunks).
  run(weights);
  EXPECT_GE(std::count(forms.begin(), forms.end(), cache::ChunkEncoding::zstd_grouped4), 24 - 16);
  EXPECT_EQ(forms.back(), cache::ChunkEncoding::zstd_grouped4);
  // Text after weights: compressed from the first chunk, plain zstd once probed.
  EXPECT_LT(run(text), 0.05);
  EXPECT_EQ(forms.back(), cache::ChunkEncoding::zstd);
}

TEST_F(PackTest, DamagedCompressedBytesDoNotDecode) {
  const std::string chunk = std::string(50000, 'q') + "end";
  ChunkEncoder encoder(3);
  ASSERT_EQ(encoder.encode(bytes_of(chunk)), cache::ChunkEncoding::zstd);
  std::vector<std::byte> stored(encoder.encoded().begin(), encoder.encoded().end());
  std::vector<std::byte> decoded;
  // A frame declaring another size than the manifest's length is refused before decoding.
  EXPECT_FALSE(decode_chunk(cache::ChunkEncoding::zstd, stored, 1 << 30, decoded));
  auto truncated = stored;
  truncated.resize(truncated.size() / 2);
  EXPECT_FALSE(decode_chunk(cache::ChunkEncoding::zstd, truncated, 50003, decoded));
  EXPECT_TRUE(decode_chunk(cache::ChunkEncoding::zstd, stored, 50003, decoded));
}

TEST_F(PackTest, CompressionNoneKeepsEveryChunkRaw) {
  PackWriter writer(dir_ / "tmp", 0);
  const std::string chunk(100000, 'a');
  writer.add(hash::sha256_hex(chunk), bytes_of(chunk));
  writer.finish();
  EXPECT_EQ(writer.entries().at(0).encoding, cache::ChunkEncoding::raw);
  EXPECT_EQ(writer.data_size(), 100000u);
}

TEST_F(PackTest, PacksOfFormatVersion1AreStillRead) {
  const std::vector<std::string> chunks = {std::string(3000, 'a'), "old chunk"};
  const auto pack = testing::version1_pack(chunks);
  auto store = remote::make_local_store(dir_ / "remote", {});
  store->put("packs/00/old", bytes_of(pack));
  const auto entries = read_pack_index(*store, "packs/00/old", pack.size());
  ASSERT_EQ(entries.size(), 2u);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(entries[i].chunk_id, hash::sha256_hex(chunks[i]));
    EXPECT_EQ(entries[i].encoding, cache::ChunkEncoding::raw);
    EXPECT_EQ(pack.substr(entries[i].offset, entries[i].pack_length()), chunks[i]);
  }
}

} // namespace
} // namespace mlv::transfer
