#include <mlv/history/diff.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using mlv::history::value_changes;

TEST(ValueChanges, NumericDeltasRoundToTheInputsPrecision) {
  const auto changes = value_changes(YAML::Load("accuracy: 0.91\nloss: 0.300\nepochs: 10\n"),
                                     YAML::Load("accuracy: 0.93\nloss: 0.25\nepochs: 8\n"));
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].key, "accuracy");
  EXPECT_EQ(*changes[0].old_value, "0.91");
  EXPECT_EQ(*changes[0].new_value, "0.93");
  EXPECT_EQ(*changes[0].delta_text, "+0.02");
  EXPECT_DOUBLE_EQ(*changes[0].delta, 0.02);
  EXPECT_EQ(*changes[1].delta_text, "-0.050");
  EXPECT_EQ(*changes[2].delta_text, "-2");
  EXPECT_DOUBLE_EQ(*changes[2].delta, -2.0);
}

TEST(ValueChanges, ExponentsUseSignificantDigits) {
  const auto changes = value_changes(YAML::Load("lr: 1e-3"), YAML::Load("lr: 5e-4"));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(*changes[0].delta_text, "-0.0005");
}

TEST(ValueChanges, AddedRemovedNestedAndNonNumeric) {
  const auto changes = value_changes(YAML::Load("same: 1\ngone: 2\neval: {f1: 0.5}\nname: a\n"),
                                     YAML::Load("same: 1\neval: {f1: 0.75}\nname: b\nnew: 3\n"));
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].key, "gone");
  EXPECT_FALSE(changes[0].new_value.has_value());
  EXPECT_FALSE(changes[0].delta.has_value());
  EXPECT_EQ(changes[1].key, "eval.f1");
  EXPECT_EQ(*changes[1].delta_text, "+0.25");
  EXPECT_EQ(changes[2].key, "name");
  EXPECT_FALSE(changes[2].delta.has_value()) << "strings have no delta";
  EXPECT_EQ(changes[3].key, "new");
  EXPECT_FALSE(changes[3].old_value.has_value());
}

TEST(ValueChanges, NothingChangedIsEmpty) {
  EXPECT_TRUE(value_changes(YAML::Load("a: 1\nb: [1, 2]"), YAML::Load("a: 1\nb: [1, 2]")).empty());
  EXPECT_TRUE(value_changes(YAML::Node(), YAML::Node()).empty());
  EXPECT_EQ(value_changes(YAML::Node(), YAML::Load("a: 1")).size(), 1u);
}

} // namespace
