#include "../temp_dir.hpp"

#include <mlv/cache/cache.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>

namespace {

namespace fs = std::filesystem;
using mlv::cache::Cache;

class CacheTest : public mlv::test::TempDirTest {
protected:
  fs::path make_file(const std::string& name, std::size_t size, std::uint64_t seed) {
    std::mt19937_64 generator(seed);
    std::string bytes(size, '\0');
    for (auto& c : bytes) {
      c = static_cast<char>(generator());
    }
    mlv::util::write_file_atomic(root_ / name, bytes);
    return root_ / name;
  }
};

TEST_F(CacheTest, StoresAFileUnderItsIdReadOnly) {
  Cache cache(root_ / "cache");
  const auto source = make_file("model.bin", 3 << 20, 1);
  const auto stored = cache.store_file(source);
  EXPECT_EQ(stored.id, mlv::hash::sha256_file_hex(source));
  EXPECT_EQ(stored.size, 3u << 20);
  ASSERT_TRUE(cache.has_file(stored.id));
  EXPECT_EQ(mlv::hash::sha256_file_hex(cache.file_path(stored.id)), stored.id);
  EXPECT_EQ(fs::status(cache.file_path(stored.id)).permissions() & fs::perms::owner_write,
            fs::perms::none);
  EXPECT_TRUE(fs::is_empty(cache.tmp_dir())) << "no temporary file left behind";
  EXPECT_EQ(cache.list_files(), std::vector<std::string>{stored.id});
  // Storing the same content again changes nothing.
  EXPECT_EQ(cache.store_file(source).id, stored.id);
  EXPECT_TRUE(fs::is_empty(cache.tmp_dir()));
}

TEST_F(CacheTest, HasAllFilesListsSharedShardsAndStatsTheRest) {
  Cache cache(root_ / "cache");
  std::vector<std::string> ids;
  for (std::uint64_t i = 0; i < 600; ++i) { // about 2 ids per shard, some shards many more
    ids.push_back(cache.store_file(make_file("f" + std::to_string(i), 100, i)).id);
  }
  EXPECT_TRUE(cache.has_all_files(ids));
  EXPECT_TRUE(cache.has_all_files({}));
  // Enough ids in one shard that it is listed, and one of them missing.
  std::vector<std::string> one_shard;
  for (int i = 0; i < 20; ++i) {
    one_shard.push_back(ids.front().substr(0, 2) +
                        mlv::hash::sha256_hex(std::to_string(i)).substr(2));
  }
  EXPECT_FALSE(cache.has_all_files(one_shard));
  cache.remove_file(ids[300]);
  EXPECT_FALSE(cache.has_all_files(ids));
  // A shard folder that does not exist at all.
  std::vector<std::string> absent(20, std::string(64, 'f'));
  fs::remove_all(root_ / "cache" / "files" / "ff");
  EXPECT_FALSE(cache.has_all_files(absent));
}

TEST_F(CacheTest, VerifyDetectsACorruptedObject) {
  Cache cache(root_ / "cache");
  const auto stored = cache.store_file(make_file("m", 100000, 2));
  EXPECT_TRUE(cache.verify_file(stored.id));
  const auto object = cache.file_path(stored.id);
  fs::permissions(object, fs::perms::owner_write, fs::perm_options::add);
  auto bytes = mlv::util::read_file(object);
  bytes[5000] = static_cast<char>(bytes[5000] ^ 1);
  mlv::util::write_file_atomic(object, bytes);
  EXPECT_FALSE(cache.verify_file(stored.id));
}

TEST_F(CacheTest, FileWriterRefusesBytesThatDoNotMatchTheId) {
  Cache cache(root_ / "cache");
  const std::string good = "the right bytes";
  const auto id = mlv::hash::sha256_hex(good);
  {
    Cache::FileWriter writer(cache, id, good.size());
    writer.write(std::as_bytes(std::span(std::string_view("the wrong bytes"))));
    try {
      writer.commit();
      FAIL() << "a wrong file was accepted";
    } catch (const mlv::Error& error) {
      EXPECT_EQ(error.kind(), mlv::Failure::corrupt);
      EXPECT_NE(std::string(error.what()).find(id), std::string::npos);
    }
  }
  EXPECT_FALSE(cache.has_file(id)) << "nothing under the final name";
  EXPECT_TRUE(fs::is_empty(cache.tmp_dir()));
  Cache::FileWriter writer(cache, id, good.size());
  writer.write(std::as_bytes(std::span(good.data(), good.size())));
  writer.commit();
  EXPECT_TRUE(cache.verify_file(id));
}

TEST_F(CacheTest, EnsureManifestChunksOnceAndIndexesLocalChunks) {
  Cache cache(root_ / "cache");
  const auto stored = cache.store_file(make_file("m", 2 << 20, 3));
  const auto manifest = cache.ensure_manifest(stored.id, mlv::chunk::k_default_params);
  EXPECT_EQ(manifest.size, stored.size);
  ASSERT_FALSE(manifest.chunks.empty());
  EXPECT_EQ(cache.read_manifest(stored.id), manifest);
  const auto local = cache.state().find_local_chunk(manifest.chunks[1].id);
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(local->file_id, stored.id);
  EXPECT_EQ(local->offset, manifest.chunks[0].length);
  cache.remove_file(stored.id);
  EXPECT_FALSE(cache.state().find_local_chunk(manifest.chunks[1].id).has_value())
      << "a removed file's chunks are forgotten";
}

TEST_F(CacheTest, AdoptFileRejectsAWrongAssembly) {
  Cache cache(root_ / "cache");
  mlv::util::write_file_atomic(cache.tmp_dir() / "assembled", "abc");
  const auto wrong_id = mlv::hash::sha256_hex(std::string_view("abd"));
  EXPECT_THROW(cache.adopt_file(cache.tmp_dir() / "assembled", wrong_id), mlv::Error);
  EXPECT_FALSE(cache.has_file(wrong_id));
  EXPECT_FALSE(fs::exists(cache.tmp_dir() / "assembled"));
}

TEST_F(CacheTest, StateDatabaseRemembersWorkspaceIdsByStamp) {
  Cache cache(root_ / "cache");
  const auto file = make_file("w", 10, 4);
  const auto stamp = *mlv::util::stat_file(file);
  cache.state().record_file_id(file, stamp, std::string(64, 'a'));
  EXPECT_EQ(cache.state().find_file_id(file, stamp), std::string(64, 'a'));
  auto changed = stamp;
  changed.mtime_ns += 1;
  EXPECT_FALSE(cache.state().find_file_id(file, changed).has_value());
}

TEST_F(CacheTest, TwoProcessesWritingTheStateDatabaseAtOnceBothSucceed) {
  { Cache create(root_ / "cache"); }
  const auto writer = [&](char letter) {
    Cache cache(root_ / "cache");
    for (int i = 0; i < 200; ++i) {
      mlv::util::FileStamp stamp;
      stamp.inode = static_cast<std::uint64_t>(i);
      cache.state().record_file_id(root_ / (std::string(1, letter) + std::to_string(i)), stamp,
                                   std::string(64, letter));
    }
  };
  const pid_t child = ::fork();
  if (child == 0) {
    try {
      writer('b');
    } catch (...) {
      ::_exit(1);
    }
    ::_exit(0);
  }
  writer('c');
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  Cache cache(root_ / "cache");
  mlv::util::FileStamp stamp;
  stamp.inode = 199;
  EXPECT_EQ(cache.state().find_file_id(root_ / "b199", stamp), std::string(64, 'b'));
  EXPECT_EQ(cache.state().find_file_id(root_ / "c199", stamp), std::string(64, 'c'));
}

// Nanoseconds since the epoch, as Env::Info::mtime_ns, `offset` from now.
std::int64_t now_ns(std::chrono::seconds offset = {}) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             (std::chrono::system_clock::now() + offset).time_since_epoch())
      .count();
}

// Sets a path's modification time `age` ago (as `touch -d` would).
void make_old(const fs::path& path, std::chrono::seconds age) {
  const auto ns = now_ns(-age);
  const timespec times[2] = {{ns / 1'000'000'000, ns % 1'000'000'000},
                             {ns / 1'000'000'000, ns % 1'000'000'000}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << path;
}

// What a kill -9 during `mlv add` leaves: a StoreBatch's closed temporaries in tmp/, under no
// object's name. Once older than the grace period they are listed and removed with their bytes;
// younger ones (a command may still be using them) and the objects are not touched.
TEST_F(CacheTest, OldTemporariesLeftByAKilledAddAreSwept) {
  const auto kept = make_file("kept.bin", 10'000, 7);
  const auto lost = make_file("lost.bin", 12'345, 8);
  {
    Cache cache(root_ / "cache");
    cache.store_file(kept);
  }
  const pid_t child = ::fork();
  if (child == 0) {
    try {
      Cache cache(root_ / "cache");
      Cache::StoreBatch batch(cache);
      cache.store_file(lost);
      ::_exit(0); // no commit, no destructor: as a kill -9 would leave it
    } catch (...) {
      ::_exit(1);
    }
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  Cache cache(root_ / "cache");
  const auto grace = std::chrono::hours(24);
  const auto young = cache.old_temporaries(now_ns(-grace));
  EXPECT_TRUE(young.empty()) << "a temporary younger than the grace period is listed";
  std::vector<fs::path> left;
  for (const auto& entry : fs::directory_iterator(cache.tmp_dir())) {
    left.push_back(entry.path());
  }
  ASSERT_EQ(left.size(), 1U);
  make_old(left[0], grace + std::chrono::hours(1));
  // Another command's temporary, just written, and an old folder with an old file inside.
  mlv::util::write_file_atomic(cache.tmp_dir() / ".incoming.tmp-running", "busy");
  fs::create_directories(cache.tmp_dir() / "sub");
  mlv::util::write_file_atomic(cache.tmp_dir() / "sub/part", "12345");
  make_old(cache.tmp_dir() / "sub/part", grace * 2);
  make_old(cache.tmp_dir() / "sub", grace * 2);

  const auto before = now_ns(-grace);
  const auto old = cache.old_temporaries(before);
  ASSERT_EQ(old.size(), 3U);
  EXPECT_EQ(old[0].path, left[0].filename().string());
  EXPECT_EQ(old[0].size, 12'345U);
  EXPECT_EQ(old[1].path, "sub/part");
  EXPECT_EQ(old[1].size, 5U);
  EXPECT_EQ(old[2].path, "sub");
  EXPECT_TRUE(old[2].folder);

  std::uint64_t freed = 0;
  for (const auto& temporary : old) {
    freed += cache.remove_temporary(temporary, before);
  }
  EXPECT_EQ(freed, 12'345U + 5U);
  EXPECT_FALSE(fs::exists(left[0]));
  EXPECT_FALSE(fs::exists(cache.tmp_dir() / "sub"));
  EXPECT_TRUE(fs::exists(cache.tmp_dir() / ".incoming.tmp-running"));
  EXPECT_TRUE(cache.has_file(mlv::hash::sha256_file_hex(kept)));
  EXPECT_TRUE(cache.verify_file(mlv::hash::sha256_file_hex(kept)));
  // A re-run stores the file the killed command had not.
  EXPECT_EQ(cache.store_file(lost).id, mlv::hash::sha256_file_hex(lost));
}

// A temporary that a command took up again after the plan (written to since) is not removed.
TEST_F(CacheTest, ATemporaryModifiedSinceThePlanIsKept) {
  Cache cache(root_ / "cache");
  const auto path = cache.tmp_dir() / ".pack.tmp-abc";
  mlv::util::write_file_atomic(path, "partial pack");
  make_old(path, std::chrono::hours(48));
  const auto before = now_ns(-std::chrono::hours(24));
  const auto old = cache.old_temporaries(before);
  ASSERT_EQ(old.size(), 1U);
  make_old(path, std::chrono::seconds(0));
  EXPECT_EQ(cache.remove_temporary(old[0], before), 0U);
  EXPECT_TRUE(fs::exists(path));
  make_old(path, std::chrono::hours(48));
  EXPECT_EQ(cache.remove_temporary(old[0], before), 12U);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(cache.remove_temporary(old[0], before), 0U) << "gone already";
}

} // namespace
