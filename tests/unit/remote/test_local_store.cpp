#include <mlv/remote/local_store.hpp>
#include <mlv/remote/object_store.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using mlv::Error;
using mlv::Failure;
using mlv::remote::ObjectStore;

namespace {

class LocalStoreTest : public ::testing::Test {
protected:
  void SetUp() override {
    root_ =
        fs::temp_directory_path() / ("mlv-local-store-" + std::to_string(std::random_device{}()));
    fs::remove_all(root_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::permissions(root_, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(root_, ignored);
  }

  static std::span<const std::byte> bytes_of(const std::string& text) {
    return std::as_bytes(std::span(text.data(), text.size()));
  }

  static std::string get(ObjectStore& store, const std::string& key) {
    std::string text;
    const bool found = store.get(key, [&](std::span<const std::byte> block) {
      text.append(reinterpret_cast<const char*>(block.data()), block.size());
    });
    return found ? text : "<missing>";
  }

  static std::string get_range(ObjectStore& store,
                               const std::string& key,
                               std::uint64_t offset,
                               std::uint64_t length) {
    std::string text;
    const bool found =
        store.get_range(key, {offset, length}, [&](std::span<const std::byte> block) {
          text.append(reinterpret_cast<const char*>(block.data()), block.size());
        });
    return found ? text : "<missing>";
  }

  fs::path root_;
};

TEST_F(LocalStoreTest, PutCreatesTheMissingRootAndGetReadsItBack) {
  auto store = mlv::remote::open_store(root_.string(), {});
  EXPECT_FALSE(store->exists("manifests/ab/abc"));
  store->put("manifests/ab/abc", bytes_of("hello manifest"));
  EXPECT_TRUE(fs::is_regular_file(root_ / "manifests/ab/abc"));
  EXPECT_TRUE(store->exists("manifests/ab/abc"));
  EXPECT_EQ(get(*store, "manifests/ab/abc"), "hello manifest");
  EXPECT_EQ(get(*store, "manifests/ab/nothing"), "<missing>");
}

TEST_F(LocalStoreTest, ItsLocationExistsOnlyOnceTheFolderDoes) {
  auto store = mlv::remote::open_store(root_.string(), {});
  EXPECT_FALSE(store->location_exists());
  store->put("mlv-remote.yaml", bytes_of("layout: 1\n"));
  EXPECT_TRUE(store->location_exists());
}

TEST_F(LocalStoreTest, PutFileCopiesALargeFileExactly) {
  fs::create_directories(root_ / "src");
  std::string data(3 * 1024 * 1024 + 17, '\0');
  std::mt19937 random(7);
  std::generate(data.begin(), data.end(), [&] { return static_cast<char>(random()); });
  std::ofstream(root_ / "src/big", std::ios::binary) << data;
  auto store = mlv::remote::make_local_store(root_ / "remote", {});
  store->put_file("packs/12/1234", root_ / "src/big");
  EXPECT_EQ(get(*store, "packs/12/1234"), data);
  EXPECT_EQ(get_range(*store, "packs/12/1234", 1024 * 1024 - 5, 2 * 1024 * 1024 + 9),
            data.substr(1024 * 1024 - 5, 2 * 1024 * 1024 + 9));
}

TEST_F(LocalStoreTest, GetRangeReadsOnlyThatRangeAndReportsMissingObjects) {
  auto store = mlv::remote::make_local_store(root_, {});
  store->put("packs/aa/aa1", bytes_of("0123456789"));
  EXPECT_EQ(get_range(*store, "packs/aa/aa1", 3, 4), "3456");
  EXPECT_EQ(get_range(*store, "packs/aa/aa1", 0, 10), "0123456789");
  EXPECT_EQ(get_range(*store, "packs/aa/missing", 0, 1), "<missing>");
  // A range past the end means the object is shorter than its index says.
  try {
    get_range(*store, "packs/aa/aa1", 8, 5);
    FAIL() << "a truncated range must fail";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::corrupt);
    EXPECT_NE(std::string(error.what()).find("packs/aa/aa1"), std::string::npos);
  }
}

TEST_F(LocalStoreTest, ListWalksByPrefixAndSkipsTemporaryFiles) {
  auto store = mlv::remote::make_local_store(root_, {});
  store->put("packs/aa/aa1", bytes_of("12345"));
  store->put("packs/bb/bb2", bytes_of("1"));
  store->put("manifests/aa/aa3", bytes_of("m"));
  store->put("mlv-remote.yaml", bytes_of("layout: 1\n"));
  fs::create_directories(root_ / "tmp");
  std::ofstream(root_ / "tmp/.partial-pack") << "half";

  auto keys_of = [](const std::vector<mlv::remote::ObjectInfo>& objects) {
    std::vector<std::string> keys;
    for (const auto& object : objects) {
      keys.push_back(object.key);
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  };
  EXPECT_EQ(keys_of(store->list("packs/")),
            (std::vector<std::string>{"packs/aa/aa1", "packs/bb/bb2"}));
  EXPECT_EQ(keys_of(store->list("packs/a")), (std::vector<std::string>{"packs/aa/aa1"}));
  EXPECT_EQ(keys_of(store->list("")),
            (std::vector<std::string>{"manifests/aa/aa3", "mlv-remote.yaml", "packs/aa/aa1",
                                      "packs/bb/bb2"}));
  EXPECT_TRUE(store->list("dirs/").empty());
  const auto packs = store->list("packs/aa/");
  ASSERT_EQ(packs.size(), 1u);
  EXPECT_EQ(packs[0].size, 5u);
  EXPECT_GT(packs[0].mtime, 0);
}

TEST_F(LocalStoreTest, RemoveDeletesAndToleratesMissingObjects) {
  auto store = mlv::remote::make_local_store(root_, {});
  store->put("dirs/cc/cc1", bytes_of("listing"));
  store->remove("dirs/cc/cc1");
  EXPECT_FALSE(store->exists("dirs/cc/cc1"));
  EXPECT_NO_THROW(store->remove("dirs/cc/cc1"));
}

TEST_F(LocalStoreTest, ObjectsAreReadOnlyAndOnlyAppearWhenComplete) {
  auto store = mlv::remote::make_local_store(root_, {});
  // While a put is in flight, readers see either nothing or the whole object.
  const std::string big(8 * 1024 * 1024, 'x');
  std::thread writer([&] { store->put("packs/ff/ff1", bytes_of(big)); });
  bool saw_partial = false;
  for (int i = 0; i < 2000 && !saw_partial; ++i) {
    std::error_code error;
    const auto size = fs::file_size(root_ / "packs/ff/ff1", error);
    saw_partial = !error && size != big.size();
  }
  writer.join();
  EXPECT_FALSE(saw_partial);
  EXPECT_EQ(fs::file_size(root_ / "packs/ff/ff1"), big.size());
  const auto perms = fs::status(root_ / "packs/ff/ff1").permissions();
  EXPECT_EQ(perms & fs::perms::owner_write, fs::perms::none);
  // Nothing is left behind in tmp/.
  EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
}

TEST_F(LocalStoreTest, KeysCannotEscapeTheRoot) {
  auto store = mlv::remote::make_local_store(root_ / "remote", {});
  EXPECT_THROW(store->put("../outside", bytes_of("x")), Error);
  EXPECT_THROW(store->put("/etc/outside", bytes_of("x")), Error);
  EXPECT_FALSE(fs::exists(root_ / "outside"));
}

TEST_F(LocalStoreTest, AWriteFailureIsARemoteErrorNamingTheRemote) {
  fs::create_directories(root_.parent_path());
  std::ofstream(root_) << "a file where the remote folder should be";
  auto store = mlv::remote::make_local_store(root_, {});
  try {
    store->put("manifests/ab/abc", bytes_of("x"));
    FAIL() << "writing below a regular file must fail";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::remote);
    EXPECT_NE(std::string(error.what()).find(root_.string()), std::string::npos);
    EXPECT_FALSE(error.hint().empty());
  }
  fs::remove(root_);
}

} // namespace
