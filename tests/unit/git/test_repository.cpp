#include "../temp_dir.hpp"

#include <mlv/git/repository.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace {

namespace fs = std::filesystem;
using mlv::git::Repository;

class GitTest : public mlv::test::TempDirTest {
protected:
  void SetUp() override {
    TempDirTest::SetUp();
    fs::create_directories(root_ / "repo");
    git("init -q -b main");
  }

  void git(const std::string& arguments) {
    const auto command = "cd '" + (root_ / "repo").string() + "' && GIT_CONFIG_NOSYSTEM=1 HOME='" +
                         root_.string() + "' git -c user.name=t -c user.email=t@example.invalid " +
                         arguments + " >/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  void write(const std::string& path, const std::string& text) {
    mlv::util::make_directories((root_ / "repo" / path).parent_path());
    mlv::util::write_file_atomic(root_ / "repo" / path, text);
  }
  void commit(const std::string& message) {
    git("add -A");
    git("commit -q -m '" + message + "'");
  }
};

TEST_F(GitTest, DiscoversTheWorkTreeFromASubfolder) {
  fs::create_directories(root_ / "repo" / "a" / "b");
  const auto repo = Repository::discover(root_ / "repo" / "a" / "b");
  EXPECT_EQ(fs::canonical(repo.work_dir()), fs::canonical(root_ / "repo"));
}

TEST_F(GitTest, OutsideARepositoryIsNotARepositoryError) {
  fs::create_directories(root_ / "plain");
  try {
    (void)Repository::discover("/");
    FAIL() << "found a repository at /";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.code(), mlv::ExitCode::not_a_repository);
    EXPECT_NE(error.hint().find("git init"), std::string::npos);
  }
}

TEST_F(GitTest, IgnoreAddsOneLineAndUnignoreRemovesIt) {
  write("models/keep.txt", "x");
  write("models/.gitignore", "*.tmp");
  auto repo = Repository::discover(root_ / "repo");
  EXPECT_EQ(repo.ignore("models/net.bin"), std::optional<std::string>("models/.gitignore"));
  EXPECT_EQ(mlv::util::read_file(root_ / "repo" / "models" / ".gitignore"), "*.tmp\n/net.bin\n");
  EXPECT_TRUE(repo.is_ignored("models/net.bin"));
  EXPECT_FALSE(repo.ignore("models/net.bin").has_value()) << "already ignored: no second line";
  EXPECT_EQ(repo.unignore("models/net.bin"), std::optional<std::string>("models/.gitignore"));
  EXPECT_EQ(mlv::util::read_file(root_ / "repo" / "models" / ".gitignore"), "*.tmp\n");
}

TEST_F(GitTest, StageAndUnstageChangeTheIndex) {
  write("m.bin.mlv", "pointer");
  auto repo = Repository::discover(root_ / "repo");
  repo.stage({"m.bin.mlv"});
  const auto listed = [&] {
    const auto command = "cd '" + (root_ / "repo").string() + "' && git ls-files --cached > '" +
                         (root_ / "ls.txt").string() + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
    return mlv::util::read_file(root_ / "ls.txt");
  };
  EXPECT_EQ(listed(), "m.bin.mlv\n");
  repo.unstage({"m.bin.mlv"});
  EXPECT_EQ(listed(), "");
}

TEST_F(GitTest, ReadsPointersOfOlderCommitsWithoutACheckout) {
  write("models/a.mlv", "version one");
  write("notes.txt", "n");
  commit("one");
  git("tag v1");
  write("models/a.mlv", "version two");
  write("deep/er/b.mlv", "b");
  commit("two");
  git("checkout -q -b exp");
  write("models/a.mlv", "version three");
  commit("three");
  git("checkout -q main");

  const auto repo = Repository::discover(root_ / "repo");
  const auto v1 = repo.resolve_commit("v1");
  EXPECT_EQ(repo.resolve_commit("main~1"), v1);
  EXPECT_EQ(repo.read_file(v1, "models/a.mlv"), std::optional<std::string>("version one"));
  EXPECT_FALSE(repo.read_file(v1, "deep/er/b.mlv").has_value());
  const auto head_files = repo.files_with_suffix(repo.resolve_commit("HEAD"), ".mlv");
  ASSERT_EQ(head_files.size(), 2u);
  EXPECT_EQ(head_files[0].path == "deep/er/b.mlv" ? head_files[1].content : head_files[0].content,
            "version two");
  EXPECT_EQ(mlv::util::read_file(root_ / "repo" / "models" / "a.mlv"), "version two")
      << "work tree untouched";
  EXPECT_EQ(repo.all_commits().size(), 3u);
  EXPECT_EQ(repo.branch_commits().size(), 2u);
  EXPECT_EQ(repo.tag_commits(), std::vector<std::string>{v1});
  EXPECT_EQ(repo.commit_info(v1).summary, "one");
  try {
    (void)repo.resolve_commit("no-such-branch");
    FAIL() << "resolved a missing revision";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.code(), mlv::ExitCode::bad_input);
    EXPECT_NE(std::string(error.what()).find("no-such-branch"), std::string::npos);
  }
}

} // namespace
