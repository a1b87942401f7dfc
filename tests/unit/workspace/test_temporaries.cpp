#include "../temp_dir.hpp"

#include <mlv/workspace/materialize.hpp>

#include <gtest/gtest.h>

#include <fstream>

namespace {

using mlv::workspace::sweep_temporaries;
using mlv::workspace::temporary_target;

TEST(Temporaries, RecogniseOnlyMlvsOwnNames) {
  EXPECT_EQ(temporary_target(".model.bin.tmp-0a1b2c3d4e5f"), "model.bin");
  EXPECT_EQ(temporary_target(".model.bin.mlv-tmp-123456789"), "model.bin");
  EXPECT_EQ(temporary_target(".a.tmp-b.tmp-abcdefghijkl"), "a.tmp-b");
  EXPECT_EQ(temporary_target(".model.bin.tmp-short"), std::nullopt);
  EXPECT_EQ(temporary_target(".model.bin.tmp-ABCDEFGHIJKL"), std::nullopt);
  EXPECT_EQ(temporary_target(".model.bin.mlv-tmp-12x"), std::nullopt);
  EXPECT_EQ(temporary_target("model.bin.tmp-0a1b2c3d4e5f"), std::nullopt);
  EXPECT_EQ(temporary_target(".tmp-0a1b2c3d4e5f"), std::nullopt);
  EXPECT_EQ(temporary_target("notes.txt"), std::nullopt);
}

class SweepTest : public mlv::test::TempDirTest {
protected:
  void touch(const std::string& name) { std::ofstream(root_ / name) << "x"; }
};

TEST_F(SweepTest, RemovesTemporariesOfTheTargetsOnly) {
  touch("model.bin");
  touch(".model.bin.tmp-0a1b2c3d4e5f");
  touch(".model.bin.mlv-tmp-42");
  touch(".model.bin.tmp-mine");         // not mlv's pattern
  touch(".other.bin.tmp-0a1b2c3d4e5f"); // a file that is not a target
  sweep_temporaries({root_ / "model.bin"});
  EXPECT_TRUE(std::filesystem::exists(root_ / "model.bin"));
  EXPECT_FALSE(std::filesystem::exists(root_ / ".model.bin.tmp-0a1b2c3d4e5f"));
  EXPECT_FALSE(std::filesystem::exists(root_ / ".model.bin.mlv-tmp-42"));
  EXPECT_TRUE(std::filesystem::exists(root_ / ".model.bin.tmp-mine"));
  EXPECT_TRUE(std::filesystem::exists(root_ / ".other.bin.tmp-0a1b2c3d4e5f"));
}

} // namespace
