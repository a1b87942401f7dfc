// Objects stored in a StoreBatch: durable together at commit(), never under their final name
// before it, and gone without a trace when the batch is abandoned.

#include "../temp_dir.hpp"

#include <mlv/cache/cache.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/atomic_file.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using mlv::cache::Cache;

class StoreBatchTest : public mlv::test::TempDirTest {
protected:
  fs::path make_file(const std::string& name, const std::string& bytes) {
    mlv::util::write_file_atomic(root_ / name, bytes);
    return root_ / name;
  }
};

TEST_F(StoreBatchTest, ObjectsAppearOnlyAtCommitAndThenHoldTheirBytes) {
  Cache cache(root_ / "cache");
  std::vector<std::string> ids;
  {
    Cache::StoreBatch batch(cache);
    for (int i = 0; i < 20; ++i) {
      const auto stored = cache.store_file(
          make_file("f" + std::to_string(i),
                    std::string(static_cast<std::size_t>(i) + 1, static_cast<char>('a' + i % 26))));
      EXPECT_FALSE(cache.has_file(stored.id)) << "an object under its name before commit";
      ids.push_back(stored.id);
    }
    EXPECT_FALSE(fs::is_empty(cache.tmp_dir())); // waiting, complete, in tmp/
    batch.commit();
  }
  for (const auto& id : ids) {
    ASSERT_TRUE(cache.has_file(id));
    EXPECT_TRUE(cache.verify_file(id));
    EXPECT_EQ(fs::status(cache.file_path(id)).permissions() & fs::perms::owner_write,
              fs::perms::none);
  }
  EXPECT_TRUE(fs::is_empty(cache.tmp_dir()));
  EXPECT_EQ(cache.list_files().size(), ids.size());
}

TEST_F(StoreBatchTest, AnAbandonedBatchLeavesNoObjectAndNoTemporary) {
  Cache cache(root_ / "cache");
  std::string id;
  {
    Cache::StoreBatch batch(cache);
    id = cache.store_file(make_file("model.bin", std::string(100000, 'x'))).id;
  } // an error before commit()
  EXPECT_FALSE(cache.has_file(id));
  EXPECT_TRUE(fs::is_empty(cache.tmp_dir()));
  // Without a batch, the next store is durable at once, as always.
  EXPECT_EQ(cache.store_file(root_ / "model.bin").id, id);
  EXPECT_TRUE(cache.has_file(id));
}

TEST_F(StoreBatchTest, TheSameBytesTwiceInABatchAreOneObject) {
  Cache cache(root_ / "cache");
  Cache::StoreBatch batch(cache);
  const auto first = cache.store_file(make_file("a.bin", "same bytes"));
  const auto second = cache.store_file(make_file("b.bin", "same bytes"));
  EXPECT_EQ(first.id, second.id);
  batch.commit();
  EXPECT_EQ(cache.list_files(), std::vector<std::string>{first.id});
  EXPECT_TRUE(fs::is_empty(cache.tmp_dir()));
}

TEST_F(StoreBatchTest, ThreadsStoreIntoOneBatch) {
  Cache cache(root_ / "cache");
  std::vector<fs::path> sources;
  for (int i = 0; i < 64; ++i) {
    sources.push_back(make_file("s" + std::to_string(i), "content " + std::to_string(i % 32)));
  }
  Cache::StoreBatch batch(cache);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < sources.size(); i += 4) {
        cache.store_file(sources[i]);
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  batch.commit();
  EXPECT_EQ(cache.list_files().size(), 32U);
  for (const auto& id : cache.list_files()) {
    EXPECT_TRUE(cache.verify_file(id));
  }
  EXPECT_TRUE(fs::is_empty(cache.tmp_dir()));
}

} // namespace
