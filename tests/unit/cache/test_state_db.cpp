#include "../temp_dir.hpp"

#include <mlv/cache/state_db.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <unistd.h>

#include <cstdio>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

namespace {

using mlv::cache::Manifest;
using mlv::cache::StateDb;

std::string id_of(const std::string& text) {
  return mlv::hash::sha256_hex(text);
}

// A manifest of `count` chunks of 1000 bytes named "<prefix><i>"; packed into `pack` if given.
Manifest make_manifest(const std::string& prefix, int count, const std::string& pack = {}) {
  Manifest manifest;
  manifest.id = id_of(prefix + "file");
  for (int i = 0; i < count; ++i) {
    manifest.chunks.push_back(
        {id_of(prefix + std::to_string(i)), 1000, pack, pack.empty() ? 0u : 1000u * i});
    manifest.size += 1000;
  }
  return manifest;
}

void run_sql(const std::filesystem::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

class StateDbTest : public mlv::test::TempDirTest {
protected:
  std::filesystem::path db_path() const { return root_ / "state.db"; }
};

TEST_F(StateDbTest, LocalChunksAreFoundAtTheirOffsets) {
  StateDb db(db_path());
  const auto manifest = make_manifest("a", 300);
  db.record_local_chunks(manifest);
  for (const int i : {0, 1, 299}) {
    const auto found = db.find_local_chunk(manifest.chunks[i].id);
    ASSERT_TRUE(found.has_value()) << i;
    EXPECT_EQ(found->file_id, manifest.id);
    EXPECT_EQ(found->offset, 1000u * i);
    EXPECT_EQ(found->length, 1000u);
  }
  EXPECT_FALSE(db.find_local_chunk(id_of("never recorded")).has_value());
  db.forget_local_file(manifest.id);
  EXPECT_FALSE(db.find_local_chunk(manifest.chunks[0].id).has_value());
}

TEST_F(StateDbTest, AChunkSharedByTwoFilesSurvivesTheRemovalOfOne) {
  StateDb db(db_path());
  const auto old_version = make_manifest("v", 3);
  auto new_version = old_version;
  new_version.id = id_of("new version");
  db.record_local_chunks(old_version);
  db.record_local_chunks(new_version);
  db.forget_local_file(old_version.id);
  const auto found = db.find_local_chunk(old_version.chunks[2].id);
  ASSERT_TRUE(found.has_value()) << "the newer file still holds the chunk";
  EXPECT_EQ(found->file_id, new_version.id);
  EXPECT_EQ(found->offset, 2000u);
}

TEST_F(StateDbTest, RemoteChunksAndManifestsAreKeptPerRemote) {
  StateDb db(db_path());
  const auto pack = id_of("pack");
  const auto manifest = make_manifest("r", 4, pack);
  db.record_remote_chunks("s3://bucket/models", manifest);
  db.record_remote_manifest("s3://bucket/models", manifest.id);
  const auto found = db.find_remote_chunk("s3://bucket/models", manifest.chunks[3].id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->pack, pack);
  EXPECT_EQ(found->offset, 3000u);
  EXPECT_EQ(found->length, 1000u);
  EXPECT_TRUE(db.remote_has_manifest("s3://bucket/models", manifest.id));
  EXPECT_FALSE(db.find_remote_chunk("/mnt/other", manifest.chunks[3].id).has_value());
  EXPECT_FALSE(db.remote_has_manifest("/mnt/other", manifest.id));

  // Chunks without a pack location are not claimed to be on the remote.
  db.record_remote_chunks("/mnt/other", make_manifest("unpacked", 2));
  EXPECT_FALSE(db.find_remote_chunk("/mnt/other", id_of("unpacked0")).has_value());

  db.forget_remote_packs("s3://bucket/models", {pack});
  EXPECT_FALSE(db.find_remote_chunk("s3://bucket/models", manifest.chunks[0].id).has_value());
  db.forget_remote_manifest("s3://bucket/models", manifest.id);
  EXPECT_FALSE(db.remote_has_manifest("s3://bucket/models", manifest.id));

  db.record_remote_chunks("s3://bucket/models", manifest);
  db.record_remote_manifest("s3://bucket/models", manifest.id);
  db.forget_remote("s3://bucket/models");
  EXPECT_FALSE(db.find_remote_chunk("s3://bucket/models", manifest.chunks[0].id).has_value());
  EXPECT_FALSE(db.remote_has_manifest("s3://bucket/models", manifest.id));
}

TEST_F(StateDbTest, ARemoteIdIsKeptPerRemoteAndForgottenWithTheRemote) {
  StateDb db(db_path());
  EXPECT_FALSE(db.remote_id("/mnt/models").has_value());
  db.set_remote_id("/mnt/models", "0123456789abcdef0123456789abcdef");
  db.set_remote_id("/mnt/other", "ffff");
  EXPECT_EQ(db.remote_id("/mnt/models"), "0123456789abcdef0123456789abcdef");
  db.set_remote_id("/mnt/models", "aaaa");
  EXPECT_EQ(db.remote_id("/mnt/models"), "aaaa");
  db.forget_remote("/mnt/models");
  EXPECT_FALSE(db.remote_id("/mnt/models").has_value());
  EXPECT_EQ(db.remote_id("/mnt/other"), "ffff");
}

TEST_F(StateDbTest, EverythingSurvivesReopening) {
  const auto manifest = make_manifest("p", 5, id_of("pack"));
  {
    StateDb db(db_path());
    db.record_local_chunks(manifest);
    db.record_remote_chunks("r", manifest);
    db.record_remote_manifest("r", manifest.id);
  }
  StateDb db(db_path());
  EXPECT_TRUE(db.find_local_chunk(manifest.chunks[4].id).has_value());
  EXPECT_TRUE(db.find_remote_chunk("r", manifest.chunks[4].id).has_value());
  EXPECT_TRUE(db.remote_has_manifest("r", manifest.id));
}

TEST_F(StateDbTest, AnUncommittedTransactionLeavesNothing) {
  StateDb db(db_path());
  const auto manifest = make_manifest("t", 3);
  {
    StateDb::Transaction transaction(db);
    db.record_local_chunks(manifest); // nested: commits only with the outer transaction
    db.record_remote_manifest("r", manifest.id);
  }
  EXPECT_FALSE(db.find_local_chunk(manifest.chunks[0].id).has_value());
  EXPECT_FALSE(db.remote_has_manifest("r", manifest.id));
  {
    StateDb::Transaction transaction(db);
    db.record_local_chunks(manifest);
    transaction.commit();
  }
  EXPECT_TRUE(db.find_local_chunk(manifest.chunks[0].id).has_value());
}

TEST_F(StateDbTest, ADatabaseFromANewerMlvIsRefused) {
  { StateDb create(db_path()); }
  run_sql(db_path(), "PRAGMA user_version=99");
  try {
    StateDb db(db_path());
    FAIL() << "opened a database of an unknown schema";
  } catch (const mlv::Error& error) {
    EXPECT_NE(std::string(error.what()).find(db_path().string()), std::string::npos);
    EXPECT_NE(error.hint().find("upgrade"), std::string::npos);
  }
}

TEST_F(StateDbTest, AVersion1DatabaseIsMigratedKeepingItsLocalChunks) {
  run_sql(db_path(), "CREATE TABLE local_chunks(chunk TEXT PRIMARY KEY, file TEXT NOT NULL, "
                     "offset INTEGER NOT NULL, length INTEGER NOT NULL);"
                     "CREATE INDEX local_chunks_by_file ON local_chunks(file);"
                     "INSERT INTO local_chunks VALUES('" +
                         id_of("c") + "', '" + id_of("f") +
                         "', 4096, 100);"
                         "PRAGMA user_version=1;");
  StateDb db(db_path());
  const auto found = db.find_local_chunk(id_of("c"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->file_id, id_of("f"));
  EXPECT_EQ(found->offset, 4096u);
  auto shared = make_manifest("x", 1);
  shared.chunks[0].id = id_of("c");
  db.record_local_chunks(shared); // the version 2 table takes a second file for the same chunk
  db.forget_local_file(id_of("f"));
  EXPECT_TRUE(db.find_local_chunk(id_of("c")).has_value());
}

TEST_F(StateDbTest, AVersion2DatabaseKeepsItsRemoteChunksAsRawAndRecordsEncodings) {
  run_sql(db_path(), "CREATE TABLE remote_chunks(remote TEXT NOT NULL, chunk TEXT NOT NULL, "
                     "pack TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL, "
                     "PRIMARY KEY(remote, chunk));"
                     "INSERT INTO remote_chunks VALUES('r', '" +
                         id_of("c") + "', '" + id_of("p") +
                         "', 100, 5000);"
                         "PRAGMA user_version=2;");
  StateDb db(db_path());
  const auto old = db.find_remote_chunk("r", id_of("c"));
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->offset, 100u);
  EXPECT_EQ(old->encoding, mlv::cache::ChunkEncoding::raw);
  auto manifest = make_manifest("x", 1);
  manifest.chunks[0].pack = id_of("p");
  manifest.chunks[0].stored_length = 77;
  manifest.chunks[0].encoding = mlv::cache::ChunkEncoding::zstd_grouped2;
  db.record_remote_chunks("r", manifest);
  const auto found = db.find_remote_chunk("r", manifest.chunks[0].id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->stored_length, 77u);
  EXPECT_EQ(found->encoding, mlv::cache::ChunkEncoding::zstd_grouped2);
}

// Two connections writing at once, as two mlv processes or two threads do: both must wait for
// each other (busy timeout, BEGIN IMMEDIATE), never fail.
void write_many(const std::filesystem::path& path, const std::string& prefix) {
  StateDb db(path);
  for (int round = 0; round < 20; ++round) {
    const auto manifest = make_manifest(prefix + std::to_string(round), 200, id_of(prefix));
    db.record_local_chunks(manifest);
    (void)db.find_local_chunk(manifest.chunks[0].id); // reads between writes
    db.record_remote_chunks("r", manifest);
    (void)db.find_remote_chunk("r", manifest.chunks[1].id);
    mlv::util::FileStamp stamp;
    stamp.inode = static_cast<std::uint64_t>(round);
    db.record_file_id("/w/" + prefix + std::to_string(round), stamp, manifest.id);
  }
}

void expect_all_written(const std::filesystem::path& path, const std::string& prefix) {
  StateDb db(path);
  for (int round = 0; round < 20; ++round) {
    const auto manifest = make_manifest(prefix + std::to_string(round), 200, id_of(prefix));
    EXPECT_TRUE(db.find_local_chunk(manifest.chunks[199].id).has_value()) << prefix << round;
    EXPECT_TRUE(db.find_remote_chunk("r", manifest.chunks[199].id).has_value()) << prefix << round;
  }
}

TEST_F(StateDbTest, TwoThreadsWithTheirOwnConnectionsWriteAtOnce) {
  std::exception_ptr failure;
  std::thread other([&] {
    try {
      write_many(db_path(), "thread");
    } catch (...) {
      failure = std::current_exception();
    }
  });
  EXPECT_NO_THROW(write_many(db_path(), "main"));
  other.join();
  EXPECT_FALSE(failure) << "the second connection failed";
  expect_all_written(db_path(), "thread");
  expect_all_written(db_path(), "main");
}

TEST_F(StateDbTest, ThreeProcessesCreateAndWriteTheSameDatabaseAtOnce) {
  std::vector<pid_t> children;
  for (const char* prefix : {"first", "second"}) {
    const pid_t child = ::fork();
    if (child == 0) {
      try {
        write_many(db_path(), prefix);
      } catch (const std::exception& error) {
        std::fprintf(stderr, "%s: %s\n", prefix, error.what());
        ::_exit(1);
      }
      ::_exit(0);
    }
    children.push_back(child);
  }
  EXPECT_NO_THROW(write_many(db_path(), "parent"));
  for (const pid_t child : children) {
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a child process failed";
  }
  for (const char* prefix : {"first", "second", "parent"}) {
    expect_all_written(db_path(), prefix);
  }
}

} // namespace
