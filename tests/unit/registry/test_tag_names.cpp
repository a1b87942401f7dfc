#include <mlv/git/repository.hpp>
#include <mlv/registry/tag_names.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

namespace {

using mlv::registry::is_valid_model_name;
using mlv::registry::is_valid_stage_name;
using mlv::registry::parse_tag_name;
using mlv::registry::parse_version;
using mlv::registry::TagName;

TEST(TagNames, ModelNames) {
  for (const char* name : {"classifier", "Churn-Model_2", "team/classifier", "a.b", "x1/y2/z3"}) {
    EXPECT_TRUE(is_valid_model_name(name)) << name;
  }
  for (const char* name :
       {"",   "a@b", "a#b", "-x",  ".x",  "a..b", "a/",  "/a",  "a//b", "a.lock",
        "a.", "a b", "a:b", "a~b", "a^b", "a*b",  "a?b", "a[b", "a\\b", "a/.hidden"}) {
    EXPECT_FALSE(is_valid_model_name(name)) << name;
  }
  EXPECT_FALSE(is_valid_model_name(std::string(129, 'a')));
}

TEST(TagNames, StageNames) {
  for (const char* stage : {"production", "staging", "canary-eu_1", "a"}) {
    EXPECT_TRUE(is_valid_stage_name(stage)) << stage;
  }
  for (const char* stage : {"", "Production", "1st", "-x", "_x", "pro duction", "prod#1", "a.b"}) {
    EXPECT_FALSE(is_valid_stage_name(stage)) << stage;
  }
}

TEST(TagNames, CheckErrorsAreBadInput) {
  try {
    mlv::registry::check_model_name("bad@name");
    FAIL();
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find("bad@name"), std::string::npos);
  }
  EXPECT_THROW(mlv::registry::check_stage_name("Prod"), mlv::Error);
}

TEST(TagNames, FormatAndParseBack) {
  const auto version = *parse_version("1.2.0-rc.1+b5");
  const auto version_tag = mlv::registry::version_tag_name("team/clf", version);
  EXPECT_EQ(version_tag, "team/clf@1.2.0-rc.1+b5");
  const auto parsed = parse_tag_name(version_tag);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->kind, TagName::Kind::version);
  EXPECT_EQ(parsed->model, "team/clf");
  EXPECT_EQ(parsed->version.text(), "1.2.0-rc.1+b5");

  const auto stage_tag = mlv::registry::stage_tag_name("clf", "production", 12);
  EXPECT_EQ(stage_tag, "clf#production#12");
  const auto stage = parse_tag_name(stage_tag);
  ASSERT_TRUE(stage.has_value());
  EXPECT_EQ(stage->kind, TagName::Kind::stage);
  EXPECT_EQ(stage->model, "clf");
  EXPECT_EQ(stage->stage, "production");
  EXPECT_EQ(stage->number, 12u);
}

TEST(TagNames, EveryRegistryTagIsAValidGitTag) {
  EXPECT_TRUE(mlv::git::Repository::is_valid_tag_name(
      mlv::registry::version_tag_name("team/clf", *parse_version("1.0.0-rc.1+build.5"))));
  EXPECT_TRUE(mlv::git::Repository::is_valid_tag_name(
      mlv::registry::stage_tag_name("team/clf", "prod_eu-1", 3)));
}

TEST(TagNames, OtherTagsAreNotRegistryTags) {
  for (const char* tag :
       {"v1.0.0", "release-2024", "pkg@1.0", "pkg@v1.0.0", "a#production", "a#production#0",
        "a#production#01", "a#Prod#1", "#production#1", "a@1.0.0#x#1", "a#b#c#1x"}) {
    EXPECT_FALSE(parse_tag_name(tag).has_value()) << tag;
  }
}

} // namespace
