#include <mlv/cache/state_db.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <sqlite3.h>

#include <chrono>
#include <random>
#include <thread>

namespace mlv::cache {

namespace {

// Version 2: a chunk may be indexed in several cached files, so removing one of them keeps the
// chunk findable in the others (version 1 kept one file per chunk). Version 3: a remote chunk's
// stored length and encoding (compressed packs).
constexpr int k_schema_version = 3;
constexpr std::chrono::milliseconds k_busy_timeout{30'000};

constexpr const char* k_schema = R"sql(
CREATE TABLE IF NOT EXISTS workspace_files(
  path TEXT PRIMARY KEY, inode INTEGER NOT NULL, size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL, id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS local_chunks(
  chunk TEXT NOT NULL, file TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL,
  PRIMARY KEY(chunk, file));
CREATE INDEX IF NOT EXISTS local_chunks_by_file ON local_chunks(file);
CREATE TABLE IF NOT EXISTS remote_chunks(
  remote TEXT NOT NULL, chunk TEXT NOT NULL, pack TEXT NOT NULL, offset INTEGER NOT NULL,
  length INTEGER NOT NULL, stored INTEGER NOT NULL DEFAULT 0, encoding INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(remote, chunk));
CREATE INDEX IF NOT EXISTS remote_chunks_by_pack ON remote_chunks(remote, pack);
CREATE TABLE IF NOT EXISTS remote_manifests(
  remote TEXT NOT NULL, file TEXT NOT NULL, PRIMARY KEY(remote, file));
CREATE TABLE IF NOT EXISTS remote_ids(remote TEXT PRIMARY KEY, id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS descriptions(id TEXT PRIMARY KEY, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clean_scans(id TEXT PRIMARY KEY, rules INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS remote_manifest_packs(
  remote TEXT NOT NULL, file TEXT NOT NULL, pack TEXT NOT NULL, PRIMARY KEY(remote, file, pack));
)sql";

// Run before k_schema on a version 1 database: moves its local chunk index aside, to be copied
// into the version 2 table.
constexpr const char* k_migrate_from_1 = R"sql(
ALTER TABLE local_chunks RENAME TO local_chunks_v1;
DROP INDEX IF EXISTS local_chunks_by_file;
)sql";
constexpr const char* k_migrate_from_1_copy = R"sql(
INSERT OR IGNORE INTO local_chunks(chunk, file, offset, length)
  SELECT chunk, file, offset, length FROM local_chunks_v1;
DROP TABLE local_chunks_v1;
)sql";

// Run after k_schema on a version 1 or 2 database whose remote_chunks table lacks the columns:
// its remote chunks were all stored raw.
constexpr const char* k_migrate_to_3 = R"sql(
ALTER TABLE remote_chunks ADD COLUMN stored INTEGER NOT NULL DEFAULT 0;
ALTER TABLE remote_chunks ADD COLUMN encoding INTEGER NOT NULL DEFAULT 0;
)sql";

// Resets a statement when a scope ends: a statement left stepped keeps a read transaction open,
// whose stale snapshot makes this connection's next write fail with SQLITE_BUSY at once, without
// waiting for the busy timeout, when another process wrote meanwhile.
struct ResetOnExit {
  sqlite3_stmt* handle;
  ~ResetOnExit() { sqlite3_reset(handle); }
};

} // namespace

struct StateDb::Statement {
  sqlite3_stmt* handle = nullptr;
  ~Statement() { sqlite3_finalize(handle); }

  Statement& bind(int index, const std::string& text) {
    sqlite3_bind_text(handle, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int index, std::int64_t number) {
    sqlite3_bind_int64(handle, index, number);
    return *this;
  }
  Statement& bind(int index, std::uint64_t number) {
    return bind(index, static_cast<std::int64_t>(number));
  }
  std::string text(int column) const {
    const auto* value = sqlite3_column_text(handle, column);
    return value == nullptr ? std::string() : reinterpret_cast<const char*>(value);
  }
  std::int64_t number(int column) const { return sqlite3_column_int64(handle, column); }
};

StateDb::StateDb(const std::filesystem::path& db_path) : path_(db_path) {
  if (db_path.has_parent_path()) { // not for ":memory:"
    util::make_directories(db_path.parent_path());
  }
  if (sqlite3_open_v2(db_path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(Failure::failed,
                "cannot open the state database " + db_path.string() + ": " + message,
                "check permissions; the file can be deleted safely and is rebuilt");
  }
  sqlite3_busy_timeout(db_, static_cast<int>(k_busy_timeout.count()));
  // Processes that create the database at the same moment can get SQLITE_BUSY at once, without
  // the busy handler (switching a new file to WAL, or upgrading a lock, would deadlock): such a
  // set-up is tried again, for as long as the busy timeout.
  const auto deadline = std::chrono::steady_clock::now() + k_busy_timeout;
  std::mt19937 random(std::random_device{}());
  for (;;) {
    try {
      set_up();
      return;
    } catch (const Error&) {
      if ((sqlite3_errcode(db_) & 0xff) != SQLITE_BUSY ||
          std::chrono::steady_clock::now() > deadline) {
        statements_.clear();
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
      }
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 50)(random)));
    }
  }
}

void StateDb::set_up() {
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  // Chunk ids are random keys: a GiB's 16k chunk rows land all over the indexes, and with
  // SQLite's default 2 MiB page cache each insert re-reads pages. Pages are allocated only as
  // they are used, so the limit costs nothing for a small database; 16 MiB, not more, as it
  // counts against the 200 MiB a command may take on a folder of 100,000 files.
  exec("PRAGMA cache_size=-16384");
  Transaction transaction(*this);
  const int current = [&] {
    auto& version = statement("PRAGMA user_version");
    const ResetOnExit reset_version{version.handle}; // before any change of the schema
    return sqlite3_step(version.handle) == SQLITE_ROW ? static_cast<int>(version.number(0)) : 0;
  }();
  if (current > k_schema_version) {
    throw Error(Failure::failed,
                "the state database " + path_.string() + " was written by a newer mlv",
                "upgrade mlv, or delete the file (it is rebuilt)");
  }
  if (current == 1) {
    exec(k_migrate_from_1);
  }
  exec(k_schema);
  if (current == 1) {
    exec(k_migrate_from_1_copy);
  }
  // A version 1 database may have had no remote_chunks table, which k_schema just made whole.
  if ((current == 1 || current == 2) && !has_column("remote_chunks", "stored")) {
    exec(k_migrate_to_3);
  }
  exec(("PRAGMA user_version=" + std::to_string(k_schema_version)).c_str());
  transaction.commit();
}

bool StateDb::has_column(const std::string& table, const std::string& column) {
  auto& query = statement("SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name=?2");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, table).bind(2, column);
  return sqlite3_step(query.handle) == SQLITE_ROW && query.number(0) > 0;
}

StateDb::~StateDb() {
  statements_.clear();
  sqlite3_close(db_);
}

void StateDb::fail(const std::string& action) const {
  throw Error(Failure::failed,
              "state database " + path_.string() + ": " + action + ": " + sqlite3_errmsg(db_),
              "the file can be deleted safely and is rebuilt");
}

void StateDb::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    throw Error(Failure::failed, "state database " + path_.string() + ": " + text,
                "the file can be deleted safely and is rebuilt");
  }
}

StateDb::Statement& StateDb::statement(const char* sql) {
  auto& slot = statements_[sql];
  if (!slot) {
    slot = std::make_unique<Statement>();
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->handle, nullptr) !=
        SQLITE_OK) {
      slot.reset();
      fail("prepare a query");
    }
  }
  sqlite3_reset(slot->handle);
  sqlite3_clear_bindings(slot->handle);
  return *slot;
}

StateDb::Transaction::Transaction(StateDb& db) : db_(db) {
  db_.mutex_.lock();
  if (db_.transaction_depth_++ == 0) {
    try {
      db_.exec("BEGIN IMMEDIATE");
    } catch (...) {
      --db_.transaction_depth_;
      db_.mutex_.unlock();
      throw;
    }
  }
}

StateDb::Transaction::~Transaction() {
  if (!done_ && --db_.transaction_depth_ == 0) {
    sqlite3_exec(db_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  db_.mutex_.unlock();
}

void StateDb::Transaction::commit() {
  if (done_) {
    return;
  }
  done_ = true;
  if (--db_.transaction_depth_ == 0) {
    db_.exec("COMMIT");
  }
}

std::optional<std::string> StateDb::find_file_id(const std::filesystem::path& path,
                                                 const util::FileStamp& stamp) {
  const std::lock_guard lock(mutex_);
  auto& query = statement(
      "SELECT id FROM workspace_files WHERE path=?1 AND inode=?2 AND size=?3 AND mtime_ns=?4");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, path.string()).bind(2, stamp.inode).bind(3, stamp.size).bind(4, stamp.mtime_ns);
  if (sqlite3_step(query.handle) == SQLITE_ROW) {
    return query.text(0);
  }
  return std::nullopt;
}

void StateDb::record_file_id(const std::filesystem::path& path,
                             const util::FileStamp& stamp,
                             const std::string& id) {
  const std::lock_guard lock(mutex_);
  auto& query = statement("INSERT OR REPLACE INTO workspace_files(path, inode, size, mtime_ns, id) "
                          "VALUES(?1, ?2, ?3, ?4, ?5)");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, path.string())
      .bind(2, stamp.inode)
      .bind(3, stamp.size)
      .bind(4, stamp.mtime_ns)
      .bind(5, id);
  if (sqlite3_step(query.handle) != SQLITE_DONE) {
    fail("record a file id");
  }
}

std::optional<std::string> StateDb::find_description(const std::string& id) {
  const std::lock_guard lock(mutex_);
  auto& query = statement("SELECT digest FROM descriptions WHERE id=?1");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, id);
  if (sqlite3_step(query.handle) == SQLITE_ROW) {
    return query.text(0);
  }
  return std::nullopt;
}

void StateDb::record_description(const std::string& id, const std::string& digest) {
  const std::lock_guard lock(mutex_);
  auto& query = statement("INSERT OR REPLACE INTO descriptions(id, digest) VALUES(?1, ?2)");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, id).bind(2, digest);
  if (sqlite3_step(query.handle) != SQLITE_DONE) {
    fail("record a description");
  }
}

std::set<std::string> StateDb::clean_scans(const std::vector<std::string>& ids, int rules) {
  std::set<std::string> clean;
  Transaction transaction(*this); // one transaction for all the look-ups
  auto& query = statement("SELECT 1 FROM clean_scans WHERE id=?1 AND rules=?2");
  for (const auto& id : ids) {
    const ResetOnExit reset_query{query.handle};
    query.bind(1, id).bind(2, static_cast<std::int64_t>(rules));
    if (sqlite3_step(query.handle) == SQLITE_ROW) {
      clean.insert(id);
    }
  }
  transaction.commit();
  return clean;
}

void StateDb::record_clean_scans(const std::vector<std::string>& ids, int rules) {
  Transaction transaction(*this);
  auto& query = statement("INSERT OR REPLACE INTO clean_scans(id, rules) VALUES(?1, ?2)");
  for (const auto& id : ids) {
    const ResetOnExit reset_query{query.handle};
    query.bind(1, id).bind(2, static_cast<std::int64_t>(rules));
    if (sqlite3_step(query.handle) != SQLITE_DONE) {
      fail("record a clean scan");
    }
  }
  transaction.commit();
}

void StateDb::record_local_chunks(const Manifest& manifest) {
  Transaction transaction(*this);
  std::uint64_t offset = 0;
  for (const auto& chunk : manifest.chunks) {
    auto& query = statement(
        "INSERT OR IGNORE INTO local_chunks(chunk, file, offset, length) VALUES(?1, ?2, ?3, ?4)");
    const ResetOnExit reset_query{query.handle};
    query.bind(1, chunk.id)
        .bind(2, manifest.id)
        .bind(3, offset)
        .bind(4, std::uint64_t{chunk.length});
    if (sqlite3_step(query.handle) != SQLITE_DONE) {
      fail("record local chunks");
    }
    offset += chunk.length;
  }
  transaction.commit();
}

std::optional<LocalChunk> StateDb::find_local_chunk(const std::string& chunk_id) {
  const std::lock_guard lock(mutex_);
  auto& query = statement("SELECT file, offset, length FROM local_chunks WHERE chunk=?1");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, chunk_id);
  if (sqlite3_step(query.handle) == SQLITE_ROW) {
    return LocalChunk{query.text(0), static_cast<std::uint64_t>(query.number(1)),
                      static_cast<std::uint32_t>(query.number(2))};
  }
  return std::nullopt;
}

void StateDb::forget_local_file(const std::string& file_id) {
  const std::lock_guard lock(mutex_);
  auto& query = statement("DELETE FROM local_chunks WHERE file=?1");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, file_id);
  if (sqlite3_step(query.handle) != SQLITE_DONE) {
    fail("forget local chunks");
  }
}

void StateDb::record_remote_chunks(const std::string& remote, const Manifest& manifest) {
  Transaction transaction(*this);
  for (const auto& chunk : manifest.chunks) {
    if (chunk.pack.empty()) {
      continue;
    }
    auto& query =
        statement("INSERT OR REPLACE INTO remote_chunks(remote, chunk, pack, offset, length, "
                  "stored, encoding) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    const ResetOnExit reset_query{query.handle};
    query.bind(1, remote).bind(2, chunk.id).bind(3, chunk.pack).bind(4, chunk.pack_offset);
    query.bind(5, std::uint64_t{chunk.length}).bind(6, std::uint64_t{chunk.stored_length});
    query.bind(7, static_cast<std::uint64_t>(chunk.encoding));
    if (sqlite3_step(query.handle) != SQLITE_DONE) {
      fail("record remote chunks");
    }
  }
  transaction.commit();
}

std::optional<RemoteChunk> StateDb::find_remote_chunk(const std::string& remote,
                                                      const std::string& chunk_id) {
  const std::lock_guard lock(mutex_);
  auto& query =
      statement("SELECT pack, offset, length, stored, encoding FROM remote_chunks WHERE remote=?1 "
                "AND chunk=?2");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, remote).bind(2, chunk_id);
  if (sqlite3_step(query.handle) == SQLITE_ROW) {
    const auto encoding = query.number(4);
    return RemoteChunk{
        query.text(0), static_cast<std::uint64_t>(query.number(1)),
        static_cast<std::uint32_t>(query.number(2)), static_cast<std::uint32_t>(query.number(3)),
        encoding >= 0 && encoding <= 3 ? static_cast<ChunkEncoding>(encoding) : ChunkEncoding::raw};
  }
  return std::nullopt;
}

void StateDb::record_remote_manifest(const std::string& remote, const std::string& file_id) {
  const std::lock_guard lock(mutex_);
  auto& query = statement("INSERT OR IGNORE INTO remote_manifests(remote, file) VALUES(?1, ?2)");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, remote).bind(2, file_id);
  if (sqlite3_step(query.handle) != SQLITE_DONE) {
    fail("record a remote manifest");
  }
}

bool StateDb::remote_has_manifest(const std::string& remote, const std::string& file_id) {
  const std::lock_guard lock(mutex_);
  auto& query = statement("SELECT 1 FROM remote_manifests WHERE remote=?1 AND file=?2");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, remote).bind(2, file_id);
  return sqlite3_step(query.handle) == SQLITE_ROW;
}

void StateDb::forget_remote_packs(const std::string& remote,
                                  const std::vector<std::string>& packs) {
  Transaction transaction(*this);
  for (const auto& pack : packs) {
    auto& query = statement("DELETE FROM remote_chunks WHERE remote=?1 AND pack=?2");
    const ResetOnExit reset_query{query.handle};
    query.bind(1, remote).bind(2, pack);
    if (sqlite3_step(query.handle) != SQLITE_DONE) {
      fail("forget remote packs");
    }
  }
  transaction.commit();
}

void StateDb::forget_remote_manifest(const std::string& remote, const std::string& file_id) {
  Transaction transaction(*this);
  for (const char* sql : {"DELETE FROM remote_manifests WHERE remote=?1 AND file=?2",
                          "DELETE FROM remote_manifest_packs WHERE remote=?1 AND file=?2"}) {
    auto& query = statement(sql);
    const ResetOnExit reset_query{query.handle};
    query.bind(1, remote).bind(2, file_id);
    if (sqlite3_step(query.handle) != SQLITE_DONE) {
      fail("forget a remote manifest");
    }
  }
  transaction.commit();
}

void StateDb::record_manifest_packs(const std::string& remote, const Manifest& manifest) {
  Transaction transaction(*this);
  auto insert = [&](const std::string& pack) {
    auto& query = statement(
        "INSERT OR IGNORE INTO remote_manifest_packs(remote, file, pack) VALUES(?1, ?2, ?3)");
    const ResetOnExit reset_query{query.handle};
    query.bind(1, remote).bind(2, manifest.id).bind(3, pack);
    if (sqlite3_step(query.handle) != SQLITE_DONE) {
      fail("record the packs of a remote manifest");
    }
  };
  {
    auto& query = statement("DELETE FROM remote_manifest_packs WHERE remote=?1 AND file=?2");
    const ResetOnExit reset_query{query.handle};
    query.bind(1, remote).bind(2, manifest.id);
    if (sqlite3_step(query.handle) != SQLITE_DONE) {
      fail("record the packs of a remote manifest");
    }
  }
  insert(""); // says "recorded" for a manifest of no chunks too
  std::set<std::string> packs;
  for (const auto& chunk : manifest.chunks) {
    if (!chunk.pack.empty() && packs.insert(chunk.pack).second) {
      insert(chunk.pack);
    }
  }
  transaction.commit();
}

std::optional<std::set<std::string>> StateDb::manifest_packs(const std::string& remote,
                                                             const std::string& file_id) {
  const std::lock_guard lock(mutex_);
  auto& query = statement("SELECT pack FROM remote_manifest_packs WHERE remote=?1 AND file=?2");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, remote).bind(2, file_id);
  std::optional<std::set<std::string>> packs;
  while (sqlite3_step(query.handle) == SQLITE_ROW) {
    if (!packs) {
      packs.emplace();
    }
    if (auto pack = query.text(0); !pack.empty()) {
      packs->insert(std::move(pack));
    }
  }
  return packs;
}

void StateDb::forget_remote(const std::string& remote) {
  Transaction transaction(*this);
  for (const char* sql :
       {"DELETE FROM remote_chunks WHERE remote=?1", "DELETE FROM remote_manifests WHERE remote=?1",
        "DELETE FROM remote_ids WHERE remote=?1",
        "DELETE FROM remote_manifest_packs WHERE remote=?1"}) {
    auto& query = statement(sql);
    const ResetOnExit reset_query{query.handle};
    query.bind(1, remote);
    if (sqlite3_step(query.handle) != SQLITE_DONE) {
      fail("forget a remote");
    }
  }
  transaction.commit();
}

std::optional<std::string> StateDb::remote_id(const std::string& remote) {
  const std::lock_guard lock(mutex_);
  auto& query = statement("SELECT id FROM remote_ids WHERE remote=?1");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, remote);
  if (sqlite3_step(query.handle) == SQLITE_ROW) {
    return query.text(0);
  }
  return std::nullopt;
}

void StateDb::set_remote_id(const std::string& remote, const std::string& id) {
  const std::lock_guard lock(mutex_);
  auto& query = statement("INSERT OR REPLACE INTO remote_ids(remote, id) VALUES(?1, ?2)");
  const ResetOnExit reset_query{query.handle};
  query.bind(1, remote).bind(2, id);
  if (sqlite3_step(query.handle) != SQLITE_DONE) {
    fail("record a remote id");
  }
}

} // namespace mlv::cache
