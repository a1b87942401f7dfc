#include "../temp_dir.hpp"

#include <mlv/git/repository.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;
using mlv::git::Repository;

class GitHistoryTest : public mlv::test::TempDirTest {
protected:
  void SetUp() override {
    TempDirTest::SetUp();
    fs::create_directories(repo_dir());
    git("init -q -b main");
    git("config user.name Tagger");
    git("config user.email tagger@example.invalid");
  }
  fs::path repo_dir() const { return root_ / "repo"; }
  void git(const std::string& arguments) {
    const auto command = "cd '" + repo_dir().string() + "' && GIT_CONFIG_NOSYSTEM=1 HOME='" +
                         root_.string() + "' git " + arguments + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  std::string git_output(const std::string& arguments) {
    const auto out = root_ / "out.txt";
    const auto command = "cd '" + repo_dir().string() + "' && GIT_CONFIG_NOSYSTEM=1 HOME='" +
                         root_.string() + "' git " + arguments + " > '" + out.string() + "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    auto text = mlv::util::read_file(out);
    while (!text.empty() && text.back() == '\n') {
      text.pop_back();
    }
    return text;
  }
  void commit_file(const std::string& path, const std::string& text, const std::string& message) {
    mlv::util::make_directories((repo_dir() / path).parent_path());
    mlv::util::write_file_atomic(repo_dir() / path, text);
    git("add -A");
    git("commit -q -m '" + message + "'");
  }
};

TEST_F(GitHistoryTest, PathChangesFollowTheFirstParentLine) {
  commit_file("m.mlv", "v1", "add v1");
  const auto v1 = git_output("rev-parse HEAD");
  commit_file("other.txt", "x", "unrelated");
  commit_file("m.mlv", "v2", "v2");
  const auto v2 = git_output("rev-parse HEAD");
  // A side branch changes the file twice; main merges it: main's line sees the merge only.
  git("checkout -q -b side");
  commit_file("m.mlv", "side-a", "side a");
  commit_file("m.mlv", "side-b", "side b");
  git("checkout -q main");
  git("merge -q --no-ff -m merge side");
  const auto merge = git_output("rev-parse HEAD");
  git("rm -q m.mlv");
  git("commit -q -m remove");
  const auto removal = git_output("rev-parse HEAD");

  const auto repo = Repository::open(repo_dir());
  const auto changes = repo.path_changes(removal, "m.mlv");
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].commit, removal);
  EXPECT_FALSE(changes[0].blob.has_value());
  EXPECT_EQ(changes[1].commit, merge);
  EXPECT_EQ(repo.read_blob(*changes[1].blob), "side-b");
  EXPECT_EQ(changes[2].commit, v2);
  EXPECT_EQ(repo.read_blob(*changes[2].blob), "v2");
  EXPECT_EQ(changes[3].commit, v1);
  EXPECT_EQ(repo.read_blob(*changes[3].blob), "v1");
  EXPECT_TRUE(repo.path_changes(removal, "never.mlv").empty());
  EXPECT_TRUE(repo.is_ancestor(v1, merge));
  EXPECT_FALSE(repo.is_ancestor(merge, v1));
  EXPECT_TRUE(repo.is_ancestor(v2, v2));
}

TEST_F(GitHistoryTest, CreatedTagsArePlainAnnotatedGitTags) {
  commit_file("a.txt", "1", "first");
  const auto head = git_output("rev-parse HEAD");
  auto repo = Repository::open(repo_dir());
  const auto created = repo.create_tag("clf@1.0.0", head, "Subject\n\n---\nkey: value\n");
  EXPECT_EQ(created.commit, head);
  EXPECT_TRUE(created.annotated);
  EXPECT_EQ(created.tagger, "Tagger");
  EXPECT_EQ(git_output("cat-file -t clf@1.0.0"), "tag");
  EXPECT_EQ(git_output("rev-parse clf@1.0.0^{commit}"), head);
  const auto listed = git_output("tag -l -n1 clf@1.0.0");
  EXPECT_TRUE(listed.starts_with("clf@1.0.0 ") && listed.ends_with(" Subject")) << listed;

  try {
    repo.create_tag("clf@1.0.0", head, "again");
    FAIL() << "an existing tag was replaced";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::conflict);
  }
  EXPECT_THROW(repo.create_tag("bad..name", head, "x"), mlv::Error);
  EXPECT_FALSE(Repository::is_valid_tag_name("a@{1}"));
  EXPECT_TRUE(Repository::is_valid_tag_name("clf#production#1"));
}

TEST_F(GitHistoryTest, ListsTagsPeeledWithTheirMessages) {
  commit_file("a.txt", "1", "first");
  const auto first = git_output("rev-parse HEAD");
  git("tag light");
  git("tag -a -m 'annotated message' heavy");
  commit_file("a.txt", "2", "second");
  git("tag -a -m 'skip me' other");
  const auto repo = Repository::open(repo_dir());
  auto tags = repo.tags([](const std::string& name) { return name != "other"; });
  ASSERT_EQ(tags.size(), 2u);
  std::sort(tags.begin(), tags.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  EXPECT_EQ(tags[0].name, "heavy");
  EXPECT_TRUE(tags[0].annotated);
  EXPECT_EQ(tags[0].commit, first);
  EXPECT_EQ(tags[0].message, "annotated message\n");
  EXPECT_EQ(tags[1].name, "light");
  EXPECT_FALSE(tags[1].annotated);
  EXPECT_EQ(tags[1].commit, first);
  EXPECT_TRUE(repo.find_tag("heavy").has_value());
  EXPECT_FALSE(repo.find_tag("missing").has_value());
}

} // namespace
