#include <mlv/registry/semver.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using mlv::registry::compare_precedence;
using mlv::registry::parse_version;
using mlv::registry::parse_version_argument;

TEST(Semver, ParsesEveryPart) {
  const auto version = parse_version("12.3.45-rc.1.x-y+build.7.sha-9");
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(version->major, 12u);
  EXPECT_EQ(version->minor, 3u);
  EXPECT_EQ(version->patch, 45u);
  EXPECT_EQ(version->prerelease, (std::vector<std::string>{"rc", "1", "x-y"}));
  EXPECT_EQ(version->build, "build.7.sha-9");
  EXPECT_EQ(version->text(), "12.3.45-rc.1.x-y+build.7.sha-9");
}

TEST(Semver, RejectsWhatTheSpecForbids) {
  for (const char* text :
       {"",           "1",          "1.0",       "1.0.0.0",     "01.0.0",
        "1.02.0",     "1.0.00",     "1.0.0-",    "1.0.0+",      "1.0.0-01",
        "1.0.0-a..b", "1.0.0+a..b", "1.0.0-a_b", "v1.0.0",      " 1.0.0",
        "1.0.0 ",     "a.b.c",      "-1.0.0",    "1.0.0-rc.1+", "18446744073709551616.0.0"}) {
    EXPECT_FALSE(parse_version(text).has_value()) << "accepted '" << text << "'";
  }
  for (const char* text :
       {"0.0.0", "1.0.0-0", "1.0.0-0a", "1.0.0-alpha-1", "1.0.0+001", "18446744073709551615.0.0"}) {
    EXPECT_TRUE(parse_version(text).has_value()) << "rejected '" << text << "'";
  }
}

TEST(Semver, ArgumentsMayStartWithV) {
  EXPECT_EQ(parse_version_argument("v1.4.0").text(), "1.4.0");
  EXPECT_EQ(parse_version_argument("V2.0.0-rc.1").text(), "2.0.0-rc.1");
  try {
    (void)parse_version_argument("1.4");
    FAIL() << "1.4 was accepted";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find("'1.4'"), std::string::npos);
    EXPECT_NE(error.hint().find("MAJOR.MINOR.PATCH"), std::string::npos);
  }
  EXPECT_THROW((void)parse_version_argument("v"), mlv::Error);
  EXPECT_THROW((void)parse_version_argument("version"), mlv::Error);
}

// The precedence chain given as the example in semver.org 2.0.0, item 11.
TEST(Semver, OrdersAsTheSpecExample) {
  const std::vector<std::string> ascending = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                              "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                                              "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                                              "1.9.0",       "1.10.0",        "1.11.0",
                                              "2.0.0",       "10.0.0"};
  for (std::size_t i = 0; i + 1 < ascending.size(); ++i) {
    const auto lower = *parse_version(ascending[i]);
    const auto higher = *parse_version(ascending[i + 1]);
    EXPECT_TRUE(compare_precedence(lower, higher) < 0) << ascending[i] << " < " << ascending[i + 1];
    EXPECT_TRUE(compare_precedence(higher, lower) > 0) << ascending[i + 1] << " > " << ascending[i];
  }
}

TEST(Semver, BuildMetadataDoesNotCount) {
  EXPECT_TRUE(compare_precedence(*parse_version("1.0.0+a"), *parse_version("1.0.0+b")) == 0);
  EXPECT_TRUE(compare_precedence(*parse_version("1.0.0-rc.1+x"), *parse_version("1.0.0-rc.1")) ==
              0);
}

TEST(Semver, NumericIdentifiersCompareAsNumbers) {
  EXPECT_TRUE(compare_precedence(*parse_version("1.0.0-9"), *parse_version("1.0.0-10")) < 0);
  // Numeric identifiers sort before alphanumeric ones.
  EXPECT_TRUE(compare_precedence(*parse_version("1.0.0-999"), *parse_version("1.0.0-a")) < 0);
}

} // namespace
