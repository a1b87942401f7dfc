#include <mlv/pointer/meta_values.hpp>
#include <mlv/pointer/pointer.hpp>
#include <mlv/util/json.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using mlv::pointer::scalar_type;
using mlv::pointer::ScalarType;

ScalarType type_of(const std::string& yaml) {
  return scalar_type(YAML::Load("value: " + yaml)["value"]);
}

std::string json_of(const std::string& yaml) {
  mlv::util::JsonWriter json;
  mlv::pointer::write_json(json, YAML::Load(yaml));
  return json.str();
}

TEST(MetaValues, ScalarsAreTypedAsYamlsCoreSchemaReadsThem) {
  EXPECT_EQ(type_of("0.93"), ScalarType::real);
  EXPECT_EQ(type_of("-1e-5"), ScalarType::real);
  EXPECT_EQ(type_of(".5"), ScalarType::real);
  EXPECT_EQ(type_of(".inf"), ScalarType::real);
  EXPECT_EQ(type_of("42"), ScalarType::integer);
  EXPECT_EQ(type_of("0x1F"), ScalarType::integer);
  EXPECT_EQ(type_of("true"), ScalarType::boolean);
  EXPECT_EQ(type_of("~"), ScalarType::null);
  EXPECT_EQ(type_of(""), ScalarType::null);
  EXPECT_EQ(type_of("yes"), ScalarType::string) << "YAML 1.2: yes is a string";
  EXPECT_EQ(type_of("1.2.0"), ScalarType::string);
  EXPECT_EQ(type_of("\"0.93\""), ScalarType::string) << "quoted stays a string";
  EXPECT_EQ(type_of("'42'"), ScalarType::string);
}

TEST(MetaValues, NumbersForDeltas) {
  EXPECT_DOUBLE_EQ(*mlv::pointer::number_value(YAML::Load("0.93")), 0.93);
  EXPECT_DOUBLE_EQ(*mlv::pointer::number_value(YAML::Load("0x10")), 16.0);
  EXPECT_DOUBLE_EQ(*mlv::pointer::number_value(YAML::Load("0o10")), 8.0);
  EXPECT_FALSE(mlv::pointer::number_value(YAML::Load(".nan")).has_value());
  EXPECT_FALSE(mlv::pointer::number_value(YAML::Load("'3'")).has_value());
  EXPECT_FALSE(mlv::pointer::number_value(YAML::Load("[1, 2]")).has_value());
  EXPECT_EQ(mlv::pointer::number_text(0.93 - 0.91), "0.020000000000000018");
  EXPECT_EQ(mlv::pointer::number_text(0.02), "0.02");
}

TEST(MetaValues, FlattenUsesDottedKeysInDocumentOrder) {
  const auto leaves =
      mlv::pointer::flatten(YAML::Load("b: 1\na:\n  y: 2\n  x:\n    deep: 3\nlist: [1, 2]\n"));
  ASSERT_EQ(leaves.size(), 4u);
  EXPECT_EQ(leaves[0].first, "b");
  EXPECT_EQ(leaves[1].first, "a.y");
  EXPECT_EQ(leaves[2].first, "a.x.deep");
  EXPECT_EQ(leaves[3].first, "list");
  EXPECT_EQ(mlv::pointer::display_text(leaves[3].second), "[1, 2]");
  EXPECT_TRUE(mlv::pointer::flatten(YAML::Node()).empty());
}

TEST(MetaValues, JsonKeepsNumbersNumbersAndStringsStrings) {
  EXPECT_EQ(json_of("{a: 0.93, b: '0.93', c: true, d: ~, e: [1, x], f: {g: 1e3}}"),
            R"({"a":0.93,"b":"0.93","c":true,"d":null,"e":[1,"x"],"f":{"g":1e3}})");
  // YAML numbers JSON cannot spell are written in JSON's form.
  EXPECT_EQ(json_of("[+1, .5, 0x10, 007, .inf]"), R"([1,0.5,16,7,".inf"])");
}

TEST(MetaValues, AQuotedNumberStaysAStringWhenAPointerIsRewritten) {
  const std::string id(64, 'a');
  const auto text = "version: 1\npath: m.bin\nkind: file\nsha256: " + id +
                    "\nsize: 1\nformat: unknown\nmeta:\n  params:\n    sklearn: \"1.3\"\n"
                    "    lr: 0.01\n    flag: 'true'\n    name: plain\n";
  const auto once = mlv::pointer::serialize_pointer(mlv::pointer::parse_pointer(text, "m.mlv"));
  EXPECT_NE(once.find("sklearn: \"1.3\""), std::string::npos) << once;
  EXPECT_NE(once.find("flag: \"true\""), std::string::npos) << once;
  EXPECT_NE(once.find("lr: 0.01\n"), std::string::npos) << once;
  EXPECT_NE(once.find("name: plain\n"), std::string::npos) << once;
  const auto twice = mlv::pointer::serialize_pointer(mlv::pointer::parse_pointer(once, "m.mlv"));
  EXPECT_EQ(once, twice);
}

} // namespace
