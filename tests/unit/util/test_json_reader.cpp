#include <mlv/util/json_reader.hpp>

#include <gtest/gtest.h>

#include <string>

using mlv::util::JsonError;
using mlv::util::JsonValue;
using mlv::util::parse_json;

namespace {

TEST(JsonReader, ReadsAnObjectListingAsGcsSendsIt) {
  const auto listing = parse_json(R"({
    "kind": "storage#objects",
    "nextPageToken": "CgRhL2Iv",
    "items": [
      {"name": "packs/ab/ab01", "size": "1048576", "updated": "2024-05-01T10:20:30.123Z"},
      {"name": "mlv-remote.yaml", "size": 42, "metadata": {"x": [1, 2.5e3, -0.5, true, null]}}
    ]
  })");
  ASSERT_TRUE(listing.is_object());
  EXPECT_EQ(listing.string_at("nextPageToken"), "CgRhL2Iv");
  const auto* items = listing.find("items");
  ASSERT_NE(items, nullptr);
  ASSERT_EQ(items->items.size(), 2u);
  EXPECT_EQ(items->items[0].string_at("name"), "packs/ab/ab01");
  EXPECT_EQ(items->items[0].unsigned_at("size"), 1048576u);
  EXPECT_EQ(items->items[1].unsigned_at("size"), 42u);
  const auto& numbers = items->items[1].find("metadata")->find("x")->items;
  ASSERT_EQ(numbers.size(), 5u);
  EXPECT_EQ(numbers[1].text, "2.5e3");
  EXPECT_EQ(numbers[2].text, "-0.5");
  EXPECT_TRUE(numbers[3].boolean);
  EXPECT_EQ(numbers[4].type, JsonValue::Type::null);
  EXPECT_EQ(listing.find("absent"), nullptr);
  EXPECT_EQ(listing.string_at("items"), std::nullopt);
}

TEST(JsonReader, DecodesEveryStringEscape) {
  // A PEM key arrives with \n escapes; names may use \u escapes, surrogate pairs included.
  const auto value = parse_json(
      R"({"k": "-----BEGIN-----\nMII\/x\"\\\t\b\f\r", "u": "\u00e9\u20ac\ud83d\ude00"})");
  EXPECT_EQ(value.string_at("k"), "-----BEGIN-----\nMII/x\"\\\t\b\f\r");
  EXPECT_EQ(value.string_at("u"), "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(JsonReader, NumbersThatAreNotUnsignedIntegersAreNotSizes) {
  const auto value =
      parse_json(R"({"a": -1, "b": "12x", "c": 1.5, "d": "", "e": "18446744073709551616"})");
  for (const char* key : {"a", "b", "c", "d", "e"}) {
    EXPECT_EQ(value.unsigned_at(key), std::nullopt) << key;
  }
}

TEST(JsonReader, RefusesMalformedDocumentsWithoutQuotingThem) {
  const char* bad[] = {"",
                       "{",
                       R"({"a": 1,})",
                       R"([1 2])",
                       R"({"a" 1})",
                       R"({a: 1})",
                       R"("unterminated)",
                       "\"raw\ncontrol\"",
                       R"("\x")",
                       R"("\u12")",
                       R"("\ud800")",
                       R"("\udc00")",
                       R"(01)",
                       R"(1.)",
                       R"(-)",
                       R"(1e)",
                       R"(tru)",
                       R"({} extra)",
                       R"('single')"};
  for (const char* text : bad) {
    EXPECT_THROW(parse_json(text), JsonError) << text;
  }
  try {
    parse_json(R"({"private_key": "SECRETVALUE)");
    FAIL();
  } catch (const JsonError& error) {
    EXPECT_EQ(std::string(error.what()).find("SECRETVALUE"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("byte"), std::string::npos);
  }
}

TEST(JsonReader, RefusesDocumentsNestedTooDeeply) {
  EXPECT_THROW(parse_json(std::string(1000, '[') + std::string(1000, ']')), JsonError);
  EXPECT_NO_THROW(parse_json(std::string(20, '[') + std::string(20, ']')));
}

TEST(JsonReader, ArrayItemsAsUnsignedSizes) {
  // A safetensors shape: sizes must be plain non-negative integers of at most 64 bits.
  const auto shape = parse_json(R"([0, 18446744073709551615, 18446744073709551616, -1, 2.0, "7"])");
  ASSERT_EQ(shape.items.size(), 6u);
  EXPECT_EQ(shape.items[0].as_unsigned(), 0u);
  EXPECT_EQ(shape.items[1].as_unsigned(), 18446744073709551615u);
  EXPECT_EQ(shape.items[2].as_unsigned(), std::nullopt);
  EXPECT_EQ(shape.items[3].as_unsigned(), std::nullopt);
  EXPECT_EQ(shape.items[4].as_unsigned(), std::nullopt);
  EXPECT_EQ(shape.items[5].as_unsigned(), 7u);
}

TEST(JsonReader, RefusesMoreValuesThanAllowed) {
  EXPECT_NO_THROW(parse_json("[1, 2, 3]", 4));
  EXPECT_THROW(parse_json("[1, 2, 3, 4]", 4), JsonError);
}

TEST(JsonReader, RefusesRepeatedMemberNames) {
  // Readers disagree on which of two equal names wins (a safetensors header could show mlv one
  // tensor and the loader another), so a repeat is an error, at any depth.
  EXPECT_THROW(parse_json(R"({"a": "1", "a": "2"})"), JsonError);
  EXPECT_THROW(parse_json(R"({"t": {"dtype": "F32", "dtype": "I8"}})"), JsonError);
  EXPECT_NO_THROW(parse_json(R"({"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]})"));
}

TEST(JsonReader, ErrorsNameTheByte) {
  try {
    parse_json("{\"a\": 1,, \"b\": 2}");
    FAIL();
  } catch (const JsonError& error) {
    EXPECT_NE(std::string(error.what()).find("at byte 8"), std::string::npos) << error.what();
  }
}

} // namespace
