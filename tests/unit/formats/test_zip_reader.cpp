#include "test_helpers.hpp"

#include <mlv/formats/zip_reader.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace {

namespace fs = std::filesystem;
using mlv::formats::MemorySource;
using mlv::formats::read_zip_directory;
using mlv::formats::read_zip_local_headers;
using mlv::formats::walk_zip_local_headers;
using mlv::formats::zip_member_data_offset;
using mlv::formats::testing::read_bytes;
using mlv::formats::testing::ZipBuilder;

const fs::path k_fixtures = MLV_FIXTURES_DIR;

// Reads the directory and every member's data offset; only mlv::Error may escape.
void read_everything(const MemorySource& source) {
  for (const auto& entry : read_zip_directory(source)) {
    zip_member_data_offset(source, entry);
  }
}

void expect_bad_input(const MemorySource& source) {
  try {
    read_zip_directory(source);
    ADD_FAILURE() << "read " << source.name() << " without complaint";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find(source.name()), std::string::npos) << error.what();
  }
}

TEST(ZipReader, ListsMembersOfABuiltArchiveWithTheirData) {
  const MemorySource source(
      ZipBuilder().add("model/data.pkl", "PICKLE").add("model/data/0", "0123456789").build(),
      "built.zip");
  const auto entries = read_zip_directory(source);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "model/data.pkl");
  EXPECT_EQ(entries[0].compression_method, 0);
  EXPECT_EQ(entries[0].uncompressed_size, 6u);
  EXPECT_EQ(entries[0].crc32, 0x12345678u);
  EXPECT_EQ(entries[1].name, "model/data/0");
  EXPECT_EQ(entries[1].compressed_size, 10u);
  EXPECT_EQ(source.read_at(zip_member_data_offset(source, entries[1]), 10), "0123456789");
}

TEST(ZipReader, ReadsZip64RecordsAndExtraFields) {
  ZipBuilder builder;
  builder.zip64 = true;
  builder.add("a.npy", "AAAA").add("b.npy", "BBBBBBBB");
  const MemorySource source(builder.build(), "zip64.zip");
  const auto entries = read_zip_directory(source);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].name, "b.npy");
  EXPECT_EQ(entries[1].uncompressed_size, 8u);
  EXPECT_EQ(source.read_at(zip_member_data_offset(source, entries[1]), 8), "BBBBBBBB");
}

TEST(ZipReader, FindsTheDirectoryBehindAnArchiveComment) {
  ZipBuilder builder;
  builder.comment = std::string(300, 'c') + "PK\x05\x06 not a record";
  builder.add("config.json", "{}");
  const auto entries = read_zip_directory(MemorySource(builder.build(), "commented.zip"));
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "config.json");
}

TEST(ZipReader, ReadsNumpyAndPytorchArchivesWrittenByThoseLibraries) {
  const MemorySource npz(read_bytes(k_fixtures / "weights.npz"), "weights.npz");
  const auto arrays = read_zip_directory(npz);
  ASSERT_EQ(arrays.size(), 2u);
  EXPECT_EQ(arrays[0].name, "a.npy");
  EXPECT_EQ(arrays[1].name, "b.npy");
  EXPECT_EQ(npz.read_at(zip_member_data_offset(npz, arrays[1]), 6), "\x93NUMPY");

  const MemorySource pt(read_bytes(k_fixtures / "mlp_state_dict.pt"), "mlp_state_dict.pt");
  const auto members = read_zip_directory(pt);
  ASSERT_FALSE(members.empty());
  EXPECT_EQ(members[0].name, "mlp_state_dict/data.pkl");
  EXPECT_EQ(pt.read_at(zip_member_data_offset(pt, members[0]), 2), "\x80\x02");
}

TEST(ZipReader, RefusesBytesThatAreNoZip) {
  expect_bad_input(MemorySource("", "empty.zip"));
  expect_bad_input(MemorySource("PK\x03\x04", "stub.zip"));
  expect_bad_input(MemorySource(std::string(100000, 'x'), "text.zip"));
}

TEST(ZipReader, RefusesEveryTruncationOfARealArchive) {
  const std::string bytes = read_bytes(k_fixtures / "weights.npz");
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    expect_bad_input(MemorySource(bytes.substr(0, length), "cut.npz"));
  }
}

TEST(ZipReader, RefusesADirectoryThatClaimsMoreMembersThanItHolds) {
  std::string bytes = ZipBuilder().add("a.npy", "A").build();
  // The end record's two entry counts sit at 8 and 10 bytes into its 22.
  bytes[bytes.size() - 22 + 8] = '\x50';
  bytes[bytes.size() - 22 + 10] = '\x50';
  expect_bad_input(MemorySource(bytes, "overcount.zip"));
}

TEST(ZipReader, SurvivesCorruptionOfEveryDirectoryByte) {
  const std::string original = read_bytes(k_fixtures / "mlp_state_dict.pt");
  const MemorySource intact(original, "intact.pt");
  const auto members = read_zip_directory(intact);
  const std::size_t directory_start = original.size() - 22 - 46 * members.size() - 2000;
  std::mt19937 random(7);
  int refused = 0;
  for (std::size_t pos = directory_start; pos < original.size(); ++pos) {
    for (const char value : {'\x00', '\xff', '\x7f', static_cast<char>(random())}) {
      std::string bytes = original;
      bytes[pos] = value;
      try {
        read_everything(MemorySource(bytes, "corrupt.pt"));
      } catch (const mlv::Error& error) {
        EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
        ++refused;
      }
    }
  }
  EXPECT_GT(refused, 0); // some corruptions are noticed; none crashes
}

TEST(ZipReader, WalksLocalHeadersWhenTheDirectoryIsCutOff) {
  const std::string bytes = read_bytes(k_fixtures / "weights.npz");
  const MemorySource cut(bytes.substr(0, bytes.size() / 2 + 200), "cut.npz");
  const auto entries = read_zip_local_headers(cut);
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries[0].name, "a.npy");
  EXPECT_EQ(entries[0].local_header_offset, 0u);
  EXPECT_EQ(cut.read_at(zip_member_data_offset(cut, entries[0]), 6), "\x93NUMPY");
}

TEST(ZipReader, LocalHeaderWalkStopsAtDataDescriptorsAndGarbage) {
  // PyTorch defers sizes to data descriptors: only the first member can be known.
  const MemorySource pt(read_bytes(k_fixtures / "mlp_state_dict.pt"), "mlp_state_dict.pt");
  const auto entries = read_zip_local_headers(pt);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "mlp_state_dict/data.pkl");

  EXPECT_TRUE(read_zip_local_headers(MemorySource("PK\x03\x04garbage", "g.zip")).empty());
  std::mt19937 random(11);
  for (int round = 0; round < 200; ++round) {
    std::string bytes = "PK\x03\x04";
    for (int i = 0; i < 200; ++i) {
      bytes.push_back(static_cast<char>(random()));
    }
    read_zip_local_headers(MemorySource(bytes, "random.zip")); // must not crash or throw
  }
}

TEST(ZipReader, WalkPastDataDescriptorsFindsEveryPyTorchMember) {
  // With the directory as a hint, and without it (sizes from the data descriptors).
  const std::string bytes = read_bytes(k_fixtures / "mlp_state_dict.pt");
  const MemorySource pt(bytes, "mlp_state_dict.pt");
  const auto directory = read_zip_directory(pt);
  const auto hinted = walk_zip_local_headers(pt, directory);
  ASSERT_EQ(hinted.size(), directory.size());
  const MemorySource cut(bytes.substr(0, bytes.find("PK\x01\x02")), "cut.pt");
  const auto walked = walk_zip_local_headers(cut, {});
  ASSERT_EQ(walked.size(), directory.size());
  for (std::size_t i = 0; i < directory.size(); ++i) {
    EXPECT_EQ(hinted[i].name, directory[i].name);
    EXPECT_EQ(walked[i].name, directory[i].name);
    EXPECT_EQ(walked[i].compressed_size, directory[i].compressed_size) << walked[i].name;
    EXPECT_EQ(walked[i].local_header_offset, directory[i].local_header_offset);
  }
}

TEST(ZipReader, WalkReadsZip64SizesAndSkipsGarbageBetweenMembers) {
  ZipBuilder builder;
  builder.zip64 = true;
  builder.add("a.bin", std::string(1000, 'a')).add("b.bin", "bb");
  std::string bytes = builder.build();
  // Bytes that are no header, between the two members.
  const auto second = bytes.find("PK\x03\x04", 1);
  bytes.insert(second, "garbage");
  const auto entries = walk_zip_local_headers(MemorySource(bytes, "z.zip"), {});
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].compressed_size, 1000u);
  EXPECT_EQ(entries[1].name, "b.bin");
  EXPECT_EQ(entries[1].local_header_offset, second + 7);
  EXPECT_EQ(entries[1].compressed_size, 2u);
}

} // namespace
