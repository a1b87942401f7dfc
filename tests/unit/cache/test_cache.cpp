#include "../temp_dir.hpp"

#include <mlv/cache/cache.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <random>
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

} // namespace
