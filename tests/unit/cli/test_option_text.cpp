// The command line shows the options that code below cli/ names with mlv::option_ref as the
// flags a user types, and leaves every other brace alone.

#include <mlv/cli/option_text.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

namespace {

using mlv::option_ref;
using mlv::cli::render_option_refs;

TEST(OptionText, OptionReferencesBecomeTheFlagsAsTyped) {
  const std::string hint = "choose another " + option_ref("-o") + " path, or pass " +
                           option_ref("--force") + " to replace it";
  EXPECT_EQ(render_option_refs(hint), "choose another -o path, or pass --force to replace it");
  EXPECT_EQ(render_option_refs(option_ref("--allow-unsafe")), "--allow-unsafe");
  EXPECT_EQ(render_option_refs("pass " + option_ref("-r") + " NAME"), "pass -r NAME");
}

TEST(OptionText, OtherBracesAndPlainTextStayAsTheyAre) {
  EXPECT_EQ(render_option_refs("stash@{0} keeps it"), "stash@{0} keeps it");
  EXPECT_EQ(render_option_refs(R"({"alg":"RS256"})"), R"({"alg":"RS256"})");
  EXPECT_EQ(render_option_refs("an unclosed {--force"), "an unclosed {--force");
  EXPECT_EQ(render_option_refs(""), "");
  EXPECT_EQ(render_option_refs("`mlv config --local KEY VALUE`"), "`mlv config --local KEY VALUE`");
}

} // namespace
