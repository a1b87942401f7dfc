#include "memory_workspace.hpp"

#include <mlv/workspace/file_ids.hpp>

#include <algorithm>
#include <atomic>

namespace {

using mlv::hash::sha256_hex;
using mlv::workspace::identify_dir;

class AddFolderTest : public mlv::test::MemoryWorkspaceTest {};

TEST_F(AddFolderTest, ListsEveryFileRecursivelySortedWithItsId) {
  write("saved/variables/data", "numbers");
  write("saved/model.pb", "graph");
  write("saved/run.sh", "#!/bin/sh", 0755);
  const auto listing = identify_dir(cache_, at("saved"), false);
  ASSERT_EQ(listing.entries.size(), 3u);
  EXPECT_EQ(listing.entries[0].path, "model.pb");
  EXPECT_EQ(listing.entries[0].id, sha256_hex("graph"));
  EXPECT_EQ(listing.entries[0].size, 5u);
  EXPECT_FALSE(listing.entries[0].executable);
  EXPECT_EQ(listing.entries[1].path, "run.sh");
  EXPECT_TRUE(listing.entries[1].executable);
  EXPECT_EQ(listing.entries[2].path, "variables/data");
  EXPECT_TRUE(listing.empty_dirs.empty());
}

// Past a few dozen files the hashing runs on several threads, and the state database is used by
// one thread only (a transaction holds it): a second look at the folder reads nothing again.
TEST_F(AddFolderTest, ManyFilesAreIdentifiedInParallelAndRememberedOnce) {
  std::atomic<int> reported = 0;
  for (int i = 0; i < 300; ++i) {
    write("data/shard" + std::to_string(i % 7) + "/f" + std::to_string(i),
          "bytes " + std::to_string(i));
  }
  const auto listing = identify_dir(cache_, at("data"), false, [&](std::uint64_t) { ++reported; });
  ASSERT_EQ(listing.entries.size(), 300u);
  EXPECT_EQ(reported.load(), 300);
  EXPECT_TRUE(std::is_sorted(listing.entries.begin(), listing.entries.end(),
                             [](const auto& a, const auto& b) { return a.path < b.path; }));
  for (const auto& entry : listing.entries) {
    const auto number = entry.path.substr(entry.path.rfind("/f") + 2);
    EXPECT_EQ(entry.id, sha256_hex("bytes " + number)) << entry.path;
  }
  // The same again from the state database: the same listing.
  EXPECT_EQ(identify_dir(cache_, at("data"), false), listing);
}

TEST_F(AddFolderTest, RecordsEmptyFoldersButNotTheirParents) {
  write("saved/model.pb", "graph");
  env_->make_directories(at("saved/assets"));
  env_->make_directories(at("saved/extra/deeper"));
  const auto listing = identify_dir(cache_, at("saved"), false);
  EXPECT_EQ(listing.empty_dirs, (std::vector<std::string>{"assets", "extra/deeper"}));
  ASSERT_EQ(listing.entries.size(), 1u);
}

TEST_F(AddFolderTest, AnEmptyFolderHasNoFiles) {
  env_->make_directories(at("saved"));
  const auto listing = identify_dir(cache_, at("saved"), false);
  EXPECT_TRUE(listing.entries.empty());
  EXPECT_TRUE(listing.empty_dirs.empty());
}

TEST_F(AddFolderTest, FollowsLinksToFilesButNotToFolders) {
  write("shared/weights", "numbers");
  write("saved/model.pb", "graph");
  ASSERT_TRUE(env_->symlink(at("shared/weights"), at("saved/weights")));
  ASSERT_TRUE(env_->symlink(at("shared"), at("saved/shared")));
  ASSERT_TRUE(env_->symlink(at("nowhere"), at("saved/dangling")));
  const auto listing = identify_dir(cache_, at("saved"), false);
  ASSERT_EQ(listing.entries.size(), 2u);
  EXPECT_EQ(listing.entries[0].path, "model.pb");
  EXPECT_EQ(listing.entries[1].path, "weights");
  EXPECT_EQ(listing.entries[1].id, sha256_hex("numbers"));
}

TEST_F(AddFolderTest, ReportsEachFileDone) {
  write("saved/a", "12");
  write("saved/b", "345");
  std::uint64_t bytes = 0;
  int files = 0;
  identify_dir(cache_, at("saved"), false, [&](std::uint64_t size) {
    bytes += size;
    ++files;
  });
  EXPECT_EQ(files, 2);
  EXPECT_EQ(bytes, 5u);
}

} // namespace
