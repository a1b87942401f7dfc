#include "../temp_dir.hpp"

#include <mlv/git/repository.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

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
  // What `git` itself prints for a command run in the repository.
  std::string git_output(const std::string& arguments) {
    const auto out = root_ / "git-output.txt";
    const auto command = "cd '" + (root_ / "repo").string() + "' && GIT_CONFIG_NOSYSTEM=1 HOME='" +
                         root_.string() + "' git " + arguments + " > '" + out.string() + "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return mlv::util::read_file(out);
  }
  fs::path repo_dir() const { return root_ / "repo"; }
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
    EXPECT_EQ(error.kind(), mlv::Failure::not_a_repository);
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
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find("no-such-branch"), std::string::npos);
  }
}

TEST_F(GitTest, ABareRepositoryIsNotAWorkTree) {
  fs::create_directories(root_ / "bare.git");
  const auto command = "git init -q --bare '" + (root_ / "bare.git").string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0);
  for (const auto& start : {root_ / "bare.git", root_ / "bare.git" / "refs"}) {
    try {
      (void)Repository::discover(start);
      FAIL() << "accepted a bare repository at " << start;
    } catch (const mlv::Error& error) {
      EXPECT_EQ(error.kind(), mlv::Failure::not_a_repository);
      EXPECT_NE(std::string(error.what()).find("bare"), std::string::npos) << error.what();
    }
  }
}

TEST_F(GitTest, IgnoreCreatesTheGitignoreBesideTheDataAndGitAgrees) {
  write("models/deep/keep.txt", "x");
  write("top.bin", "t");
  write("models/deep/net.bin", "n");
  auto repo = Repository::discover(repo_dir());
  EXPECT_EQ(repo.ignore("models/deep/net.bin"),
            std::optional<std::string>("models/deep/.gitignore"));
  EXPECT_EQ(mlv::util::read_file(repo_dir() / "models/deep/.gitignore"), "/net.bin\n");
  EXPECT_EQ(repo.ignore("top.bin"), std::optional<std::string>(".gitignore"));
  EXPECT_EQ(git_output("status --porcelain --untracked-files=all"),
            "?? .gitignore\n?? models/deep/.gitignore\n?? models/deep/keep.txt\n")
      << "git itself no longer sees the data files";
  EXPECT_EQ(repo.unignore("top.bin"), std::optional<std::string>(".gitignore"));
  EXPECT_FALSE(fs::exists(repo_dir() / ".gitignore")) << "emptied, so removed (as DVC does)";
  EXPECT_FALSE(repo.unignore("top.bin").has_value()) << "nothing left to remove";
  EXPECT_FALSE(repo.unignore("models/other/x.bin").has_value()) << "no .gitignore there";
}

TEST_F(GitTest, IgnoreMatchesNamesWithGlobCharactersLiterally) {
  write("m/model[1].bin", "a");
  write("m/model1.bin", "b");
  write("m/star*.bin", "c");
  write("m/stars.bin", "d");
  auto repo = Repository::discover(repo_dir());
  ASSERT_TRUE(repo.ignore("m/model[1].bin").has_value());
  ASSERT_TRUE(repo.ignore("m/star*.bin").has_value());
  EXPECT_TRUE(repo.is_ignored("m/model[1].bin"));
  EXPECT_TRUE(repo.is_ignored("m/star*.bin"));
  EXPECT_FALSE(repo.is_ignored("m/model1.bin")) << "a glob would have matched this one";
  EXPECT_FALSE(repo.is_ignored("m/stars.bin"));
  EXPECT_EQ(git_output("status --porcelain --untracked-files=all"),
            "?? m/.gitignore\n?? m/model1.bin\n?? m/stars.bin\n");
  ASSERT_TRUE(repo.unignore("m/model[1].bin").has_value());
  ASSERT_TRUE(repo.unignore("m/star*.bin").has_value());
  EXPECT_FALSE(fs::exists(repo_dir() / "m/.gitignore"));
}

TEST_F(GitTest, UnignoreKeepsEveryOtherLine) {
  write(".gitignore", "# build output\r\n/build/\r\n/net.bin\r\n*.log\r\n");
  auto repo = Repository::discover(repo_dir());
  EXPECT_FALSE(repo.ignore("net.bin").has_value()) << "already ignored by the existing line";
  EXPECT_EQ(repo.unignore("net.bin"), std::optional<std::string>(".gitignore"));
  EXPECT_EQ(mlv::util::read_file(repo_dir() / ".gitignore"), "# build output\n/build/\n*.log\n");
}

TEST_F(GitTest, UnignoreDeletesAGitignoreThatOnlyMlvWrote) {
  auto repo = Repository::discover(repo_dir());
  EXPECT_EQ(repo.ignore("models/a.bin"), std::optional<std::string>("models/.gitignore"));
  EXPECT_EQ(repo.unignore("models/a.bin"), std::optional<std::string>("models/.gitignore"));
  EXPECT_FALSE(fs::exists(repo_dir() / "models" / ".gitignore"));
}

TEST_F(GitTest, IndexedUnderListsWhatGitTracksAtOrBelowEachPath) {
  write("a.bin", "a");
  write("ab.bin", "ab");
  write("dir/x.bin", "x");
  write("dir/sub/y.bin", "y");
  write("dirx/z.bin", "z");
  commit("files");
  const auto repo = Repository::discover(repo_dir());
  EXPECT_EQ(repo.indexed_under({"a.bin", "dir", "missing.bin"}),
            (std::vector<std::string>{"a.bin", "dir/sub/y.bin", "dir/x.bin"}));
  EXPECT_TRUE(repo.indexed_under({"nothing"}).empty());
}

TEST_F(GitTest, StagingADeletedFileStagesItsRemoval) {
  write("a.mlv", "one");
  commit("one");
  fs::remove(repo_dir() / "a.mlv");
  auto repo = Repository::discover(repo_dir());
  repo.stage({"a.mlv"});
  EXPECT_EQ(git_output("status --porcelain"), "D  a.mlv\n");
}

TEST_F(GitTest, ResolvesRelativeRevisionsBranchesAndTags) {
  write("a.mlv", "one");
  commit("one");
  git("tag light");
  write("a.mlv", "two");
  commit("two");
  git("tag -a v2 -m release");
  git("branch side HEAD~1");
  const auto blob = git_output("hash-object -w a.mlv");
  git("tag blob-tag " + blob.substr(0, 40));
  write("a.mlv", "three");
  commit("three");

  const auto repo = Repository::discover(repo_dir());
  const auto head = repo.resolve_commit("HEAD");
  EXPECT_EQ(repo.head_commit(), std::optional<std::string>(head));
  EXPECT_EQ(head + "\n", git_output("rev-parse HEAD"));
  const auto one = repo.resolve_commit("HEAD~2");
  EXPECT_EQ(repo.resolve_commit("light"), one);
  EXPECT_EQ(repo.resolve_commit("side"), one);
  EXPECT_EQ(repo.resolve_commit(one.substr(0, 10)), one) << "a short id";
  const auto two = repo.resolve_commit("v2");
  EXPECT_EQ(two, repo.resolve_commit("HEAD~1")) << "an annotated tag peels to its commit";
  EXPECT_EQ(repo.resolve_commit("main"), head);
  auto tags = repo.tag_commits();
  auto expected_tags = std::vector<std::string>{one, two};
  std::sort(expected_tags.begin(), expected_tags.end());
  EXPECT_EQ(tags, expected_tags) << "the tag on a blob is skipped";
  auto branches = repo.branch_commits();
  auto expected_branches = std::vector<std::string>{one, head};
  std::sort(expected_branches.begin(), expected_branches.end());
  EXPECT_EQ(branches, expected_branches);
  try {
    (void)repo.resolve_commit("blob-tag");
    FAIL() << "a tag on a blob resolved to a commit";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    EXPECT_NE(std::string(error.what()).find("blob-tag"), std::string::npos);
  }
  try {
    (void)repo.resolve_commit("HEAD~9");
    FAIL() << "resolved beyond the first commit";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::invalid_input);
    EXPECT_FALSE(error.hint().empty());
  }
}

TEST_F(GitTest, FilesWithSuffixReadsAnOlderCommitWithoutACheckout) {
  write("models/a.bin.mlv", "old pointer");
  write("models/a.bin", "data");
  write("top.mlv", "top");
  commit("old");
  const auto repo = Repository::discover(repo_dir());
  const auto old = repo.resolve_commit("HEAD");
  write("models/a.bin.mlv", "new pointer");
  fs::remove(repo_dir() / "top.mlv");
  fs::create_symlink("models/a.bin.mlv", repo_dir() / "link.mlv");
  commit("new");

  const auto at_old = repo.files_with_suffix(old, ".mlv");
  ASSERT_EQ(at_old.size(), 2u);
  std::map<std::string, std::string> by_path;
  for (const auto& file : at_old) {
    by_path[file.path] = file.content;
  }
  EXPECT_EQ(by_path["models/a.bin.mlv"], "old pointer");
  EXPECT_EQ(by_path["top.mlv"], "top");
  const auto at_head = repo.files_with_suffix(repo.resolve_commit("HEAD"), ".mlv");
  ASSERT_EQ(at_head.size(), 1u) << "the symbolic link is not a pointer of its own";
  EXPECT_EQ(at_head[0].path, "models/a.bin.mlv");
  EXPECT_EQ(at_head[0].content, "new pointer");
  EXPECT_EQ(mlv::util::read_file(repo_dir() / "models/a.bin.mlv"), "new pointer");
  EXPECT_FALSE(fs::exists(repo_dir() / "top.mlv")) << "the work tree is untouched";
  EXPECT_FALSE(repo.read_file(old, "models").has_value()) << "a folder is not a file";
}

TEST_F(GitTest, AllCommitsCoversEveryRefOnce) {
  write("a", "1");
  commit("c1");
  write("a", "2");
  commit("c2");
  git("checkout -q -b side");
  write("a", "side");
  commit("c3 on side");
  git("tag -a only-tagged -m t");
  git("checkout -q main");
  git("branch -q -D side");
  write("a", "3");
  commit("c4");
  git("branch copy-of-main");

  const auto repo = Repository::discover(repo_dir());
  const auto commits = repo.all_commits();
  EXPECT_EQ(commits.size(), 4u) << "the commit kept only by a tag counts, shared ones once";
  std::set<std::string> unique(commits.begin(), commits.end());
  EXPECT_EQ(unique.size(), commits.size());
  const auto info = repo.commit_info(repo.resolve_commit("only-tagged"));
  EXPECT_EQ(info.summary, "c3 on side");
  EXPECT_EQ(info.author, "t");
  EXPECT_GT(info.time, 1600000000);
}

TEST_F(GitTest, BranchesAreNamedWithTheirTips) {
  write("a", "1");
  commit("c1");
  git("branch exp");
  write("a", "2");
  commit("c2");

  const auto repo = Repository::discover(repo_dir());
  const auto branches = repo.branches();
  ASSERT_EQ(branches.size(), 2u);
  EXPECT_EQ(branches[0].name, "exp");
  EXPECT_EQ(branches[0].commit, repo.resolve_commit("HEAD~1"));
  EXPECT_EQ(branches[1].name, "main");
  EXPECT_EQ(branches[1].commit, repo.resolve_commit("HEAD"));
}

TEST_F(GitTest, StashCommitsNameEveryEntryWithItsIndexAndUntrackedFiles) {
  write("a", "1");
  commit("c1");
  EXPECT_TRUE(Repository::discover(repo_dir()).stash_commits().empty());
  write("a", "older stash");
  git("stash -q");
  write("a", "newer stash");
  write("new.mlv", "untracked");
  git("stash -q -u");

  const auto repo = Repository::discover(repo_dir());
  const auto stashed = repo.stash_commits();
  std::set<std::string> newest;
  std::set<std::string> older;
  for (const auto& entry : stashed) {
    (entry.name == "stash@{0}" ? newest : older).insert(entry.commit);
  }
  // The newest entry: work tree, index and untracked-files commits; the older: work tree, index.
  EXPECT_EQ(newest.size(), 3u);
  EXPECT_EQ(older.size(), 2u);
  EXPECT_TRUE(newest.contains(repo.resolve_commit("stash@{0}")));
  EXPECT_TRUE(older.contains(repo.resolve_commit("stash@{1}")));
  EXPECT_EQ(repo.read_file(repo.resolve_commit("stash@{0}^3"), "new.mlv"), "untracked");
}

} // namespace
