#include <mlv/formats/content.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace {

using namespace std::string_literals;
using mlv::formats::classify_content;
using mlv::formats::Compression;
using mlv::formats::PickleKind;

// A ustar header block for one regular member, checksum included.
std::string tar_header(const std::string& name, std::size_t size) {
  std::string block(512, '\0');
  block.replace(0, name.size(), name);
  block.replace(100, 8, "0000644\0"s);
  char number[13];
  std::snprintf(number, sizeof number, "%011zo", size);
  block.replace(124, 12, std::string(number) + '\0');
  block.replace(136, 12, "00000000000\0"s);
  block[156] = '0';
  block.replace(257, 8,
                "ustar\0"s
                "00");
  block.replace(148, 8, std::string(8, ' '));
  unsigned sum = 0;
  for (const char c : block) {
    sum += static_cast<unsigned char>(c);
  }
  std::snprintf(number, sizeof number, "%06o", sum);
  block.replace(148, 8, std::string(number) + '\0' + ' ');
  return block;
}

TEST(ClassifyContent, TellsArchivesAndArraysByTheirMagic) {
  EXPECT_TRUE(classify_content("PK\x03\x04rest").zip);
  EXPECT_TRUE(classify_content("PK\x05\x06rest").empty_zip);
  EXPECT_FALSE(classify_content("PK\x05\x06rest").zip);
  EXPECT_TRUE(classify_content("GGUF\x03\0\0\0"s).gguf);
  const auto npy = classify_content("\x93NUMPY\x01\x00v\x00{'descr'"s);
  EXPECT_TRUE(npy.numpy);
  EXPECT_TRUE(npy.numpy_file());
  // numpy.load only tests the magic; a file of format version 0 is no .npy file.
  const auto version_zero = classify_content("\x93NUMPY\x00\x00v\x00"s);
  EXPECT_TRUE(version_zero.numpy);
  EXPECT_FALSE(version_zero.numpy_file());
}

TEST(ClassifyContent, TakesABlockWithARightChecksumForATarHeader) {
  const std::string header = tar_header("archive/data.pkl", 10);
  EXPECT_TRUE(classify_content(header).tar);
  std::string wrong = header;
  wrong[0] = 'b';
  EXPECT_FALSE(classify_content(wrong).tar);
  EXPECT_FALSE(classify_content(header.substr(0, 511)).tar);
}

TEST(ClassifyContent, ReportsEveryKindTheBytesFit) {
  // PROTO 2, EMPTY_DICT, STOP: a pickle, and only that.
  const auto pickle = classify_content("\x80\x02}q\x00."s);
  EXPECT_EQ(pickle.pickle, PickleKind::pickle);
  EXPECT_TRUE(pickle.pickle_opcodes);
  EXPECT_TRUE(pickle.runs_as_pickle);
  EXPECT_EQ(pickle.compression, Compression::none);
  // gzip's magic: compressed data whose first byte is no opcode.
  const auto gzip = classify_content("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"s);
  EXPECT_EQ(gzip.compression, Compression::gzip);
  EXPECT_EQ(gzip.pickle, PickleKind::none);
  EXPECT_FALSE(gzip.runs_as_pickle);
  // "BZh" is bzip2's magic and opcodes an unpickler starts to run.
  const auto bzip2 = classify_content("BZh91AY&SY"s);
  EXPECT_EQ(bzip2.compression, Compression::bz2);
  EXPECT_TRUE(bzip2.runs_as_pickle);
  EXPECT_FALSE(bzip2.pickle_opcodes);
  // PROTO 1 is no protocol pickle.dump writes with a PROTO, yet the bytes still start like one.
  const auto proto1 = classify_content("\x80\x01}."s);
  EXPECT_EQ(proto1.pickle, PickleKind::none);
  EXPECT_TRUE(proto1.pickle_opcodes);
}

TEST(ClassifyContent, FindsNothingInJsonOrEmptyBytes) {
  // Not text in general: "hello" starts with BINGET ('h'), which an unpickler runs.
  for (const std::string& head : {""s, "{\"key\": 1}\n"s, "\x00\x00\x00\x00"s}) {
    const auto kinds = classify_content(head);
    EXPECT_FALSE(kinds.zip || kinds.empty_zip || kinds.numpy || kinds.gguf || kinds.tar ||
                 kinds.pickle_opcodes || kinds.runs_as_pickle)
        << head;
    EXPECT_EQ(kinds.pickle, PickleKind::none);
    EXPECT_EQ(kinds.compression, Compression::none);
  }
}

} // namespace
