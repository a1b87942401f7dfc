#include <mlv/hash/sha256.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using mlv::hash::sha256_hex;

// Published test vectors (FIPS 180-2 examples and NIST CAVP short messages).
TEST(Sha256, EmptyInput) {
  EXPECT_EQ(sha256_hex(std::string_view{}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, Abc) {
  EXPECT_EQ(sha256_hex(std::string_view{"abc"}),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, TwoBlockMessage) {
  EXPECT_EQ(
      sha256_hex(std::string_view{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"}),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MillionAsStreamedInPieces) {
  mlv::hash::Sha256 hasher;
  const std::string block(1000, 'a');
  for (int i = 0; i < 1000; ++i) {
    hasher.update(block);
  }
  EXPECT_EQ(hasher.finish_hex(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FinishResetsForTheNextInput) {
  mlv::hash::Sha256 hasher;
  hasher.update(std::string_view{"garbage"});
  (void)hasher.finish();
  hasher.update(std::string_view{"abc"});
  EXPECT_EQ(hasher.finish_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, ContentIdForm) {
  EXPECT_TRUE(mlv::hash::is_content_id(sha256_hex(std::string_view{"x"})));
  EXPECT_FALSE(mlv::hash::is_content_id("ABC"));
  EXPECT_FALSE(mlv::hash::is_content_id(std::string(64, 'g')));
  EXPECT_FALSE(mlv::hash::is_content_id(std::string(64, 'A')));
}

} // namespace
