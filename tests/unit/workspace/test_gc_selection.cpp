#include "memory_workspace.hpp"

#include <mlv/workspace/gc.hpp>

namespace {

using mlv::workspace::select_garbage;

class GcSelectionTest : public mlv::test::MemoryWorkspaceTest {
protected:
  // A manifest object for cached file `id` (gc goes by its name only).
  void cache_manifest(const std::string& id) {
    env_->write_file(cache_.root() / "manifests" / id.substr(0, 2) / id, "manifest", 0444);
  }
};

TEST_F(GcSelectionTest, KeepsWhatAPointerNamesAndSelectsTheRest) {
  const auto kept = cache_object("weights v2");
  const auto old = cache_object("weights v1 (longer)");
  cache_manifest(kept);
  cache_manifest(old);
  const auto plan = select_garbage(cache_, {tracked("model.bin", file_pointer("weights v2"))});
  EXPECT_EQ(plan.files, (std::vector<std::string>{old}));
  EXPECT_EQ(plan.manifests, (std::vector<std::string>{old}));
  EXPECT_TRUE(plan.dirs.empty());
  EXPECT_EQ(plan.bytes, std::string("weights v1 (longer)").size());
}

TEST_F(GcSelectionTest, AKeptFolderKeepsItsListingAndEveryFileItLists) {
  const auto graph = cache_object("graph");
  const auto data = cache_object("numbers");
  const auto stray = cache_object("stray");
  mlv::cache::DirListing kept;
  kept.entries = {{"model.pb", graph, 5, false}, {"variables/data", data, 7, false}};
  mlv::cache::DirListing old;
  old.entries = {{"model.pb", stray, 5, false}};
  const auto pointer = dir_pointer(kept);
  const auto old_id = cache_.write_dir(old);
  const auto plan = select_garbage(cache_, {tracked("saved", pointer)});
  EXPECT_EQ(plan.files, (std::vector<std::string>{stray}));
  EXPECT_EQ(plan.dirs, (std::vector<std::string>{old_id}));
}

TEST_F(GcSelectionTest, NoPointersSelectsEverythingAndNothingIsRemovedYet) {
  const auto a = cache_object("a");
  const auto b = cache_object("b");
  const auto plan = select_garbage(cache_, {});
  EXPECT_EQ(plan.files.size(), 2u);
  EXPECT_EQ(plan.bytes, 2u);
  EXPECT_TRUE(cache_.has_file(a));
  EXPECT_TRUE(cache_.has_file(b));
}

TEST_F(GcSelectionTest, AnEmptyCacheSelectsNothing) {
  EXPECT_TRUE(select_garbage(cache_, {tracked("model.bin", file_pointer("x"))}).empty());
}

} // namespace
