#include <mlv/util/close_matches.hpp>

#include <gtest/gtest.h>

namespace {

using mlv::util::close_matches;
using mlv::util::edit_distance;

TEST(EditDistanceTest, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("push", "push"), 0u);
  EXPECT_EQ(edit_distance("chekout", "checkout"), 1u);
  EXPECT_EQ(edit_distance("pushh", "push"), 1u);
  EXPECT_EQ(edit_distance("pusj", "push"), 1u);
  EXPECT_EQ(edit_distance("psuh", "push"), 1u); // two neighbours swapped
  EXPECT_EQ(edit_distance("", "gc"), 2u);
  EXPECT_EQ(edit_distance("frobnicate", "fetch"), 8u);
}

TEST(CloseMatchesTest, ListsWhatATypoMeantClosestFirst) {
  const std::vector<std::string> commands{"add",  "checkout", "fetch", "pull",
                                          "push", "status",   "show",  "gc"};
  EXPECT_EQ(close_matches("chekout", commands), std::vector<std::string>{"checkout"});
  EXPECT_EQ(close_matches("pusj", commands), (std::vector<std::string>{"push", "pull"}));
  EXPECT_EQ(close_matches("stat", commands), std::vector<std::string>{"status"});
  EXPECT_TRUE(close_matches("frobnicate", commands).empty());
}

} // namespace
