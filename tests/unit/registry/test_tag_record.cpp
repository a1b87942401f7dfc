#include <mlv/registry/tag_record.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

namespace {

using mlv::registry::parse_tag_message;
using mlv::registry::tag_message;
using mlv::registry::TagName;
using mlv::registry::TagRecord;

const std::string k_id(64, 'a');

TagRecord version_record() {
  TagRecord record;
  record.kind = TagName::Kind::version;
  record.model = "clf";
  record.version = "1.2.0";
  record.path = "models/clf v2.onnx";
  record.pointer = "models/clf v2.onnx.mlv";
  record.sha256 = k_id;
  record.size = 12345;
  record.format = "onnx";
  record.message = "Better recall: 0.93\nsecond line: \"quoted\" #not-a-comment";
  return record;
}

TEST(TagRecord, RoundTripsThroughTheMessage) {
  const auto record = version_record();
  const auto message = tag_message(record);
  EXPECT_EQ(message.substr(0, message.find('\n')), "Register clf 1.2.0: models/clf v2.onnx");
  const auto parsed = parse_tag_message("clf@1.2.0", message);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->kind, TagName::Kind::version);
  EXPECT_EQ(parsed->model, "clf");
  EXPECT_EQ(parsed->version, "1.2.0");
  EXPECT_EQ(parsed->path, record.path);
  EXPECT_EQ(parsed->pointer, record.pointer);
  EXPECT_EQ(parsed->sha256, k_id);
  EXPECT_EQ(parsed->size, 12345u);
  EXPECT_EQ(parsed->format, "onnx");
  EXPECT_EQ(parsed->message, record.message);
}

TEST(TagRecord, StageAssignmentRoundTrips) {
  auto record = version_record();
  record.kind = TagName::Kind::stage;
  record.stage = "production";
  record.number = 3;
  record.message.clear();
  const auto message = tag_message(record);
  EXPECT_EQ(message.substr(0, message.find('\n')), "Promote clf 1.2.0 to production");
  const auto parsed = parse_tag_message("clf#production#3", message);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->kind, TagName::Kind::stage);
  EXPECT_EQ(parsed->stage, "production");
  EXPECT_EQ(parsed->number, 3u);
  EXPECT_EQ(parsed->version, "1.2.0");
  EXPECT_EQ(parsed->message, "");
}

TEST(TagRecord, SomeoneElsesTagIsNotARecord) {
  EXPECT_FALSE(parse_tag_message("clf@1.2.0", "").has_value());
  EXPECT_FALSE(parse_tag_message("clf@1.2.0", "Release 1.2.0\n\nChangelog...\n").has_value());
  EXPECT_FALSE(parse_tag_message("clf@1.2.0", "Notes\n---\n- a list\n").has_value());
  EXPECT_FALSE(parse_tag_message("clf@1.2.0", "Notes\n---\n{unbalanced\n").has_value());
}

TEST(TagRecord, ARecordThatDisagreesWithItsTagIsAnError) {
  const auto message = tag_message(version_record());
  for (const char* tag : {"clf@1.3.0", "other@1.2.0", "clf#production#1"}) {
    try {
      (void)parse_tag_message(tag, message);
      FAIL() << "accepted the record under " << tag;
    } catch (const mlv::Error& error) {
      EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
      EXPECT_NE(std::string(error.what()).find(tag), std::string::npos) << error.what();
    }
  }
}

TEST(TagRecord, MalformedOrNewerRecordsAreErrors) {
  auto message = tag_message(version_record());
  auto broken = message;
  broken.replace(broken.find(k_id), 64, "xyz");
  EXPECT_THROW((void)parse_tag_message("clf@1.2.0", broken), mlv::Error);
  auto newer = message;
  newer.replace(newer.find("mlv-registry: 1"), 15, "mlv-registry: 2");
  try {
    (void)parse_tag_message("clf@1.2.0", newer);
    FAIL();
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    EXPECT_NE(error.hint().find("upgrade"), std::string::npos);
  }
  auto no_size = message;
  no_size.erase(no_size.find("size:"),
                no_size.find('\n', no_size.find("size:")) - no_size.find("size:") + 1);
  EXPECT_THROW((void)parse_tag_message("clf@1.2.0", no_size), mlv::Error);
}

} // namespace
