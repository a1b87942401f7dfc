// The files of a tracked folder that status and diff name: added, modified and deleted, in path
// order, from two listings.

#include <mlv/workspace/status.hpp>

#include <gtest/gtest.h>

namespace mlv::workspace {
namespace {

using Kind = FolderChange::Kind;

cache::DirListing listing(std::vector<cache::DirEntry> entries,
                          std::vector<std::string> empty_dirs = {}) {
  return {std::move(entries), std::move(empty_dirs)};
}

TEST(FolderChanges, NamesEachAddedModifiedAndDeletedFileInPathOrder) {
  const auto recorded = listing({{"a.bin", "id-a", 1, false},
                                 {"b/c.bin", "id-c", 2, false},
                                 {"b/d.bin", "id-d", 3, false},
                                 {"z.sh", "id-z", 4, false}});
  const auto actual = listing({{"a.bin", "id-a", 1, false},
                               {"b/c.bin", "id-c2", 2, false},
                               {"b/e f.bin", "id-e", 5, false},
                               {"z.sh", "id-z", 4, true}});
  EXPECT_EQ(folder_changes(recorded, actual),
            (std::vector<FolderChange>{{"b/c.bin", Kind::modified},
                                       {"b/d.bin", Kind::deleted},
                                       {"b/e f.bin", Kind::added},
                                       {"z.sh", Kind::modified}}));
}

TEST(FolderChanges, TheSameListingHasNoChange) {
  const auto same = listing({{"x", "1", 1, false}, {"y", "2", 2, false}}, {"empty"});
  EXPECT_TRUE(folder_changes(same, same).empty());
}

TEST(FolderChanges, EmptyFoldersAndWholeSidesCount) {
  const auto none = listing({});
  const auto some = listing({{"ü/ß.bin", "1", 1, false}}, {"assets"});
  EXPECT_EQ(folder_changes(none, some),
            (std::vector<FolderChange>{{"assets/", Kind::added}, {"ü/ß.bin", Kind::added}}));
  EXPECT_EQ(folder_changes(some, none),
            (std::vector<FolderChange>{{"assets/", Kind::deleted}, {"ü/ß.bin", Kind::deleted}}));
}

TEST(FolderChanges, KeysAreTheJsonWords) {
  EXPECT_EQ(change_key(Kind::added), "added");
  EXPECT_EQ(change_key(Kind::modified), "modified");
  EXPECT_EQ(change_key(Kind::deleted), "deleted");
}

} // namespace
} // namespace mlv::workspace
