#include "../temp_dir.hpp"

#include <mlv/util/atomic_file.hpp>
#include <mlv/util/env.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

namespace {

namespace fs = std::filesystem;
using mlv::util::Env;

// The same contract, checked on the real filesystem and on the in-memory one the workspace
// tests rely on: what the memory Env answers must be what a real disk would.
class EnvTest : public mlv::test::TempDirTest, public ::testing::WithParamInterface<bool> {
protected:
  void SetUp() override {
    mlv::test::TempDirTest::SetUp();
    if (GetParam()) {
      env_ = &Env::posix();
      base_ = root_;
    } else {
      memory_ = mlv::util::make_memory_env();
      env_ = memory_.get();
      base_ = "/work";
      env_->make_directories(base_);
    }
  }

  Env& env() { return *env_; }
  fs::path at(const std::string& relative) const { return base_ / relative; }

  std::unique_ptr<Env> memory_;
  Env* env_ = nullptr;
  fs::path base_;
};

TEST_P(EnvTest, WritesReadsAndStatsAFile) {
  EXPECT_EQ(env().stat(at("a.bin")), std::nullopt);
  env().write_file(at("models/a.bin"), "hello", 0755);
  EXPECT_EQ(env().read_file(at("models/a.bin")), "hello");
  const auto info = env().stat(at("models/a.bin"));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->type, Env::Type::file);
  EXPECT_EQ(info->size, 5u);
  EXPECT_EQ(info->mode & 0777, 0755u);
  EXPECT_TRUE(mlv::util::stamp_of(*info).executable);
  EXPECT_EQ(env().stat(at("models"))->type, Env::Type::directory);
}

TEST_P(EnvTest, ReplacingAFileChangesItsStamp) {
  env().write_file(at("a.bin"), "one");
  const auto before = mlv::util::stamp_of(*env().stat(at("a.bin")));
  env().write_file(at("a.bin"), "two");
  const auto after = mlv::util::stamp_of(*env().stat(at("a.bin")));
  EXPECT_EQ(env().read_file(at("a.bin")), "two");
  // A new inode (the atomic replace), so the state database never mistakes it for the old one.
  EXPECT_NE(before, after);
}

TEST_P(EnvTest, ReadsBlocksInOrder) {
  env().write_file(at("a.bin"), "abcdefg");
  std::string seen;
  std::size_t blocks = 0;
  env().read_blocks(at("a.bin"), 3, [&](std::span<const std::byte> block) {
    seen.append(reinterpret_cast<const char*>(block.data()), block.size());
    ++blocks;
  });
  EXPECT_EQ(seen, "abcdefg");
  EXPECT_EQ(blocks, 3u);
}

TEST_P(EnvTest, ListsAFolderSortedWithTypes) {
  env().write_file(at("d/b.bin"), "b");
  env().write_file(at("d/a.bin"), "a");
  env().make_directories(at("d/sub/empty"));
  ASSERT_TRUE(env().symlink(at("d/a.bin"), at("d/link")));
  const auto entries = env().list_directory(at("d"));
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].name, "a.bin");
  EXPECT_EQ(entries[1].name, "b.bin");
  EXPECT_EQ(entries[2].name, "link");
  EXPECT_EQ(entries[2].type, Env::Type::symlink);
  EXPECT_EQ(entries[3].name, "sub");
  EXPECT_EQ(entries[3].type, Env::Type::directory);
  EXPECT_TRUE(env().list_directory(at("d/sub/empty")).empty());
  EXPECT_THROW(env().list_directory(at("none")), mlv::Error);
}

TEST_P(EnvTest, FollowsSymlinksOnlyInStat) {
  env().write_file(at("a.bin"), "abc");
  ASSERT_TRUE(env().symlink(at("a.bin"), at("link")));
  EXPECT_EQ(env().lstat(at("link"))->type, Env::Type::symlink);
  EXPECT_EQ(env().stat(at("link"))->type, Env::Type::file);
  EXPECT_EQ(env().stat(at("link"))->size, 3u);
  EXPECT_EQ(env().read_file(at("link")), "abc");
  ASSERT_TRUE(env().symlink(at("gone"), at("dangling")));
  EXPECT_EQ(env().stat(at("dangling")), std::nullopt);
  EXPECT_TRUE(env().lstat(at("dangling")));
}

TEST_P(EnvTest, HardlinksShareBytesAndRefuseAnExistingName) {
  env().write_file(at("a.bin"), "abc");
  ASSERT_TRUE(env().hardlink(at("a.bin"), at("b.bin")));
  EXPECT_EQ(env().stat(at("a.bin"))->inode, env().stat(at("b.bin"))->inode);
  EXPECT_EQ(env().read_file(at("b.bin")), "abc");
  EXPECT_FALSE(env().hardlink(at("a.bin"), at("b.bin")));
  EXPECT_FALSE(env().symlink(at("a.bin"), at("b.bin")));
  EXPECT_FALSE(env().hardlink(at("none"), at("c.bin")));
}

TEST_P(EnvTest, RenameReplacesAndRemoveReportsWhatWasThere) {
  env().write_file(at("a.bin"), "new");
  env().write_file(at("b.bin"), "old");
  env().rename(at("a.bin"), at("b.bin"));
  EXPECT_EQ(env().read_file(at("b.bin")), "new");
  EXPECT_EQ(env().stat(at("a.bin")), std::nullopt);
  EXPECT_TRUE(env().remove(at("b.bin")));
  EXPECT_FALSE(env().remove(at("b.bin")));
  env().make_directories(at("full/inner"));
  EXPECT_THROW(env().remove(at("full")), mlv::Error);
  EXPECT_TRUE(env().remove(at("full/inner")));
  EXPECT_TRUE(env().remove(at("full")));
}

TEST_P(EnvTest, AReflinkIsAnIndependentCopyWhereItWorks) {
  env().write_file(at("a.bin"), "abc");
  if (!env().reflink(at("a.bin"), at("b.bin"))) {
    // This filesystem cannot clone (ext4, tmpfs): nothing may be left under the name.
    EXPECT_EQ(env().lstat(at("b.bin")), std::nullopt);
    return;
  }
  EXPECT_EQ(env().read_file(at("b.bin")), "abc");
  EXPECT_NE(env().stat(at("a.bin"))->inode, env().stat(at("b.bin"))->inode);
}

TEST_P(EnvTest, SetsAMode) {
  env().write_file(at("a.bin"), "abc", 0644);
  env().set_mode(at("a.bin"), 0444);
  EXPECT_EQ(env().stat(at("a.bin"))->mode & 0777, 0444u);
}

// A named function, not a lambda: gtest's macro already has a parameter called `info`.
std::string env_name(const ::testing::TestParamInfo<bool>& param) {
  return param.param ? "posix" : "memory";
}

INSTANTIATE_TEST_SUITE_P(RealAndMemory, EnvTest, ::testing::Bool(), env_name);

TEST(TemporaryPath, IsRecognisedAsATemporaryOfItsTarget) {
  const auto path = mlv::util::temporary_path("/some/folder", "model.bin");
  EXPECT_EQ(path.parent_path(), "/some/folder");
  EXPECT_EQ(mlv::util::temporary_target(path.filename().string()), "model.bin");
  EXPECT_NE(path, mlv::util::temporary_path("/some/folder", "model.bin"));
}

} // namespace
