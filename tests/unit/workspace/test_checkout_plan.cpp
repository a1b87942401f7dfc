#include "memory_workspace.hpp"

#include <mlv/util/error.hpp>
#include <mlv/workspace/checkout.hpp>
#include <mlv/workspace/materialize.hpp>

namespace {

using mlv::workspace::FilePlan;
using mlv::workspace::LinkType;
using mlv::workspace::plan_file_placement;

class CheckoutPlanTest : public mlv::test::MemoryWorkspaceTest {};

TEST_F(CheckoutPlanTest, AFileThatAlreadyHoldsTheBytesIsLeftAlone) {
  const auto id = cache_object("weights v1");
  write("model.bin", "weights v1");
  EXPECT_EQ(plan_file_placement(cache_, at("model.bin"), id, false), FilePlan::unchanged);
}

TEST_F(CheckoutPlanTest, AMissingFileIsWritten) {
  const auto id = cache_object("weights v1");
  EXPECT_EQ(plan_file_placement(cache_, at("model.bin"), id, false), FilePlan::write);
}

TEST_F(CheckoutPlanTest, AModifiedFileIsNotOverwrittenWithoutForce) {
  const auto id = cache_object("weights v1");
  write("model.bin", "my unsaved training run");
  EXPECT_EQ(plan_file_placement(cache_, at("model.bin"), id, false), FilePlan::conflict);
  EXPECT_EQ(plan_file_placement(cache_, at("model.bin"), id, true), FilePlan::write);
}

TEST_F(CheckoutPlanTest, AnotherVersionTheCacheHoldsIsReplaced) {
  const auto v1 = cache_object("weights v1");
  cache_object("weights v2");
  write("model.bin", "weights v2");
  EXPECT_EQ(plan_file_placement(cache_, at("model.bin"), v1, false), FilePlan::write);
}

TEST_F(CheckoutPlanTest, AFolderInTheWayIsKeptUnlessEmpty) {
  const auto id = cache_object("weights v1");
  write("model.bin/notes.txt", "mine");
  EXPECT_EQ(plan_file_placement(cache_, at("model.bin"), id, false), FilePlan::conflict);
  ASSERT_TRUE(env_->remove(at("model.bin/notes.txt")));
  EXPECT_EQ(plan_file_placement(cache_, at("model.bin"), id, false), FilePlan::write);
}

class MaterializeTest : public mlv::test::MemoryWorkspaceTest {};

TEST_F(MaterializeTest, PlacesTheFirstLinkTypeThatWorks) {
  const auto id = cache_object("weights v1");
  write("model.bin", "old");
  const LinkType order[] = {LinkType::reflink, LinkType::copy};
  EXPECT_EQ(mlv::workspace::materialize(cache_, id, at("model.bin"), true, order),
            LinkType::reflink);
  EXPECT_EQ(env_->read_file(at("model.bin")), "weights v1");
  EXPECT_EQ(env_->stat(at("model.bin"))->mode & 0777, 0755u);
  // Only the file itself is left: the temporary was renamed into place.
  EXPECT_EQ(env_->list_directory(k_root).size(), 2u); // .mlv and model.bin
}

TEST_F(MaterializeTest, HardAndSymbolicLinksShareTheObject) {
  const auto id = cache_object("weights v1");
  const LinkType hard[] = {LinkType::hardlink};
  ASSERT_EQ(mlv::workspace::materialize(cache_, id, at("a/model.bin"), false, hard),
            LinkType::hardlink);
  EXPECT_EQ(env_->stat(at("a/model.bin"))->inode, env_->stat(cache_.file_path(id))->inode);
  const LinkType soft[] = {LinkType::symlink};
  ASSERT_EQ(mlv::workspace::materialize(cache_, id, at("b/model.bin"), false, soft),
            LinkType::symlink);
  EXPECT_EQ(env_->lstat(at("b/model.bin"))->type, mlv::util::Env::Type::symlink);
  EXPECT_EQ(env_->read_file(at("b/model.bin")), "weights v1");
}

TEST_F(MaterializeTest, ACorruptedObjectIsRefusedAndNothingIsReplaced) {
  const auto id = cache_object("weights v1");
  env_->write_file(cache_.file_path(id), "bit rot!!!", 0444);
  write("model.bin", "old");
  for (const auto type : {LinkType::reflink, LinkType::hardlink, LinkType::symlink}) {
    const LinkType order[] = {type};
    try {
      mlv::workspace::materialize(cache_, id, at("model.bin"), false, order);
      ADD_FAILURE() << "a corrupted object was placed by " << mlv::workspace::link_type_name(type);
    } catch (const mlv::Error& error) {
      EXPECT_EQ(error.kind(), mlv::Failure::corrupt);
    }
    EXPECT_EQ(env_->read_file(at("model.bin")), "old");
    EXPECT_EQ(env_->list_directory(k_root).size(), 2u); // no temporary left behind
  }
}

TEST_F(MaterializeTest, AnObjectTheCacheLacksIsMissing) {
  const LinkType order[] = {LinkType::reflink};
  try {
    mlv::workspace::materialize(cache_, mlv::hash::sha256_hex("absent"), at("model.bin"), false,
                                order);
    ADD_FAILURE() << "no error";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::not_found);
  }
}

} // namespace
