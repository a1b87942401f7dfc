#include "../temp_dir.hpp"

#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/util/json.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

namespace {

namespace fs = std::filesystem;

using TempDir = mlv::test::TempDirTest;

using AtomicFileTest = TempDir;

TEST_F(AtomicFileTest, NothingAppearsUnderTheFinalNameUntilCommit) {
  const auto target = root_ / "model.bin";
  {
    mlv::util::AtomicFile file(target);
    file.write(std::string_view("partial"));
    EXPECT_FALSE(fs::exists(target));
  }
  // Abandoned: no final file and no temporary left behind.
  EXPECT_FALSE(fs::exists(target));
  EXPECT_TRUE(fs::is_empty(root_));
}

TEST_F(AtomicFileTest, CommitRenamesWithTheRequestedMode) {
  const auto target = root_ / "object";
  mlv::util::AtomicFile file(target, root_ / "tmp");
  file.write(std::string_view("bytes"));
  file.commit(0444);
  EXPECT_EQ(mlv::util::read_file(target), "bytes");
  EXPECT_EQ(fs::status(target).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
}

TEST_F(AtomicFileTest, ReplacesAnExistingFileWhole) {
  const auto target = root_ / "config";
  mlv::util::write_file_atomic(target, "old contents that are longer");
  mlv::util::write_file_atomic(target, "new");
  EXPECT_EQ(mlv::util::read_file(target), "new");
}

using FsTest = TempDir;

TEST_F(FsTest, StatOfAMissingPathIsEmptyNotAnError) {
  EXPECT_FALSE(mlv::util::stat_file(root_ / "nope").has_value());
}

TEST_F(FsTest, StampChangesWhenTheFileIsRewritten) {
  const auto path = root_ / "f";
  mlv::util::write_file_atomic(path, "one");
  const auto before = mlv::util::stat_file(path);
  mlv::util::write_file_atomic(path, "two!");
  const auto after = mlv::util::stat_file(path);
  ASSERT_TRUE(before && after);
  EXPECT_NE(*before, *after);
  EXPECT_EQ(after->size, 4u);
}

TEST_F(FsTest, ReadingAMissingFileNamesIt) {
  try {
    (void)mlv::util::read_file(root_ / "absent.bin");
    FAIL() << "expected an error";
  } catch (const mlv::Error& error) {
    EXPECT_NE(std::string(error.what()).find("absent.bin"), std::string::npos);
    EXPECT_EQ(error.kind(), mlv::Failure::not_found);
  }
}

TEST_F(FsTest, RelativeInsideRejectsEscapes) {
  EXPECT_EQ(mlv::util::relative_inside(root_ / "a" / "b", root_)->generic_string(), "a/b");
  EXPECT_FALSE(mlv::util::relative_inside(root_ / ".." / "x", root_).has_value());
  EXPECT_FALSE(mlv::util::relative_inside("/etc/passwd", root_).has_value());
}

TEST(Json, EscapesAndNestsCorrectly) {
  mlv::util::JsonWriter json;
  json.begin_object().key("path").value("a\"b\\c\n").key("n").value(std::uint64_t{3});
  json.key("list").begin_array().value(true).null().value(1.5).end_array().end_object();
  EXPECT_EQ(json.str(), R"({"path":"a\"b\\c\n","n":3,"list":[true,null,1.5]})");
}

} // namespace
