#include <mlv/remote/text_codec.hpp>

#include <gtest/gtest.h>

namespace mlv::remote {
namespace {

std::string hex(std::string_view bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out += k_digits[static_cast<unsigned char>(c) >> 4];
    out += k_digits[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

TEST(TextCodec, Base64RoundTripsWithAndWithoutPadding) {
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm8"), "fo");
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_FALSE(base64_decode("Zm9vY").has_value());
  EXPECT_FALSE(base64_decode("Zm*v").has_value());
  EXPECT_FALSE(base64_decode("Zm 9v").has_value());
  EXPECT_EQ(base64url("\xfb\xff"), "-_8");
}

TEST(TextCodec, HmacSha256MatchesRfc4231) {
  // RFC 4231, test case 2.
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(TextCodec, PercentDecodingKeepsWhatIsNotAnEscape) {
  EXPECT_EQ(percent_decode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
  EXPECT_EQ(lower("X-Amz-Date"), "x-amz-date");
  EXPECT_EQ(trim(" \tvalue\r\n"), "value");
}

} // namespace
} // namespace mlv::remote
