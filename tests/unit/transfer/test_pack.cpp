#include "transfer_fixture.hpp"

#include <mlv/hash/sha256.hpp>
#include <mlv/remote/local_store.hpp>
#include <mlv/transfer/pack.hpp>
#include <mlv/transfer/transfer.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

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
  EXPECT_EQ(data.size(), 71012u + 3u * 44u + pack_footer_size());
  EXPECT_EQ(data.substr(71012 + 132, 8), "MLVPACK1");
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
      EXPECT_EQ(error.code(), ExitCode::integrity) << what;
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

} // namespace
} // namespace mlv::transfer
