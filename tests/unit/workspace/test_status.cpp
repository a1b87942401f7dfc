#include "memory_workspace.hpp"

#include <mlv/workspace/status.hpp>

#include <algorithm>
#include <mutex>
#include <vector>

namespace {

using mlv::workspace::FileDone;
using mlv::workspace::State;
using mlv::workspace::workspace_state;

class StatusTest : public mlv::test::MemoryWorkspaceTest {};

TEST_F(StatusTest, AFileWithThePointersBytesIsUpToDate) {
  write("model.bin", "weights v1");
  EXPECT_EQ(workspace_state(cache_, at("model.bin"), file_pointer("weights v1")),
            State::up_to_date);
}

TEST_F(StatusTest, NothingAtThePathIsMissing) {
  EXPECT_EQ(workspace_state(cache_, at("model.bin"), file_pointer("weights v1")), State::missing);
  // A checked-out symbolic link whose cache object was deleted points nowhere: missing too.
  ASSERT_TRUE(
      env_->symlink(cache_.file_path(mlv::hash::sha256_hex("weights v1")), at("model.bin")));
  EXPECT_EQ(workspace_state(cache_, at("model.bin"), file_pointer("weights v1")), State::missing);
}

TEST_F(StatusTest, OtherBytesAreModifiedEvenOfTheSameSize) {
  write("model.bin", "weights v2");
  EXPECT_EQ(workspace_state(cache_, at("model.bin"), file_pointer("weights v1")), State::modified);
}

TEST_F(StatusTest, AnUnchangedStampIsTrustedWithoutReadingTheFile) {
  write("model.bin", "weights v1");
  const auto pointer = file_pointer("weights v1");
  ASSERT_EQ(workspace_state(cache_, at("model.bin"), pointer), State::up_to_date);
  // What status knows of the file now comes from its (path, inode, size, mtime) alone: a record
  // for this very stamp is believed, whatever the bytes.
  const auto stamp = mlv::util::stamp_of(*env_->stat(at("model.bin")));
  cache_.state().record_file_id(at("model.bin"), stamp, mlv::hash::sha256_hex("other"));
  EXPECT_EQ(workspace_state(cache_, at("model.bin"), pointer), State::modified);
}

TEST_F(StatusTest, ARewrittenFileIsReadAgain) {
  write("model.bin", "weights v1");
  const auto pointer = file_pointer("weights v1");
  ASSERT_EQ(workspace_state(cache_, at("model.bin"), pointer), State::up_to_date);
  write("model.bin", "weights v2"); // same size, new stamp
  EXPECT_EQ(workspace_state(cache_, at("model.bin"), pointer), State::modified);
  write("model.bin", "weights v1");
  EXPECT_EQ(workspace_state(cache_, at("model.bin"), pointer), State::up_to_date);
}

TEST_F(StatusTest, AFolderWhereAFileWasIsModified) {
  env_->make_directories(at("model.bin"));
  EXPECT_EQ(workspace_state(cache_, at("model.bin"), file_pointer("weights v1")), State::modified);
}

class FolderStatusTest : public StatusTest {
protected:
  void SetUp() override {
    write("saved/model.pb", "graph");
    write("saved/variables/data", "numbers");
    env_->make_directories(at("saved/assets"));
    mlv::cache::DirListing listing;
    listing.entries = {{"model.pb", mlv::hash::sha256_hex("graph"), 5, false},
                       {"variables/data", mlv::hash::sha256_hex("numbers"), 7, false}};
    listing.empty_dirs = {"assets"};
    pointer_ = dir_pointer(listing);
  }
  mlv::pointer::Pointer pointer_;
};

TEST_F(FolderStatusTest, TheRecordedFilesAndEmptyFoldersAreUpToDate) {
  EXPECT_EQ(workspace_state(cache_, at("saved"), pointer_), State::up_to_date);
}

TEST_F(FolderStatusTest, AnExtraFileIsModified) {
  write("saved/notes.txt", "x");
  EXPECT_EQ(workspace_state(cache_, at("saved"), pointer_), State::modified);
}

TEST_F(FolderStatusTest, AChangedFileIsModified) {
  write("saved/variables/data", "NUMBERS");
  EXPECT_EQ(workspace_state(cache_, at("saved"), pointer_), State::modified);
}

TEST_F(FolderStatusTest, ARemovedEmptyFolderIsModified) {
  ASSERT_TRUE(env_->remove(at("saved/assets")));
  EXPECT_EQ(workspace_state(cache_, at("saved"), pointer_), State::modified);
}

TEST_F(FolderStatusTest, AnExtraEmptyFolderIsIgnoredAsGitDoes) {
  env_->make_directories(at("saved/extra"));
  EXPECT_EQ(workspace_state(cache_, at("saved"), pointer_), State::up_to_date);
}

// A progress meter hears each workspace file status looks at, with its size: every file of a
// folder once (whether the state database knew it or it was read), a tracked file once.
TEST_F(FolderStatusTest, ReportsEachFileLookedAt) {
  std::vector<std::uint64_t> sizes;
  std::mutex mutex;
  const FileDone done = [&](std::uint64_t size) {
    const std::lock_guard guard(mutex);
    sizes.push_back(size);
  };
  EXPECT_EQ(workspace_state(cache_, at("saved"), pointer_, nullptr, done), State::up_to_date);
  std::sort(sizes.begin(), sizes.end());
  EXPECT_EQ(sizes, (std::vector<std::uint64_t>{5, 7}));
  sizes.clear();
  EXPECT_EQ(workspace_state(cache_, at("saved"), pointer_, nullptr, done), State::up_to_date);
  EXPECT_EQ(sizes.size(), 2U) << "files the state database knows count as done too";
  sizes.clear();
  write("model.bin", "weights v1");
  EXPECT_EQ(workspace_state(cache_, at("model.bin"), file_pointer("weights v1"), nullptr, done),
            State::up_to_date);
  EXPECT_EQ(sizes, (std::vector<std::uint64_t>{10}));
  sizes.clear();
  EXPECT_EQ(workspace_state(cache_, at("absent.bin"), file_pointer("x"), nullptr, done),
            State::missing);
  EXPECT_TRUE(sizes.empty());
}

} // namespace
