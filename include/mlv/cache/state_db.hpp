#pragma once

#include <mlv/cache/manifest.hpp>
#include <mlv/util/fs.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

struct sqlite3;

namespace mlv::cache {

// Where a chunk can be read from a file already in the cache.
struct LocalChunk {
  std::string file_id;
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
};

// Where a chunk lives on a remote.
struct RemoteChunk {
  std::string pack;
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
  std::uint32_t stored_length = 0; // as in ChunkEntry: 0 when stored raw
  ChunkEncoding encoding = ChunkEncoding::raw;
};

// The SQLite database (WAL mode, busy timeout so concurrent mlv processes wait rather than fail)
// keeping what is expensive to recompute. Its methods may be called from several threads.
class StateDb {
public:
  explicit StateDb(const std::filesystem::path& db_path);
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  // Workspace file ids by (absolute path, inode, size, mtime_ns).
  std::optional<std::string> find_file_id(const std::filesystem::path& path,
                                          const util::FileStamp& stamp);
  void record_file_id(const std::filesystem::path& path,
                      const util::FileStamp& stamp,
                      const std::string& id);

  // The digest of the description (format, summary, safety record) that this machine's `mlv add`
  // made of the content `id`: a pointer whose description has this digest was described here,
  // by the scanner rules the digest covers, so a re-add of the same bytes need not read them
  // again. A description edited in a pointer does not match and is made anew.
  std::optional<std::string> find_description(const std::string& id);
  void record_description(const std::string& id, const std::string& digest);

  // Which of `ids` this machine's scanner found clean (no finding) by scanner rules `rules`.
  std::set<std::string> clean_scans(const std::vector<std::string>& ids, int rules);
  // Remembers `ids` as found clean by `rules`, in one transaction.
  void record_clean_scans(const std::vector<std::string>& ids, int rules);

  // Local chunk index: chunk id -> (cached file, offset, length), from a file's manifest.
  void record_local_chunks(const Manifest& manifest);
  std::optional<LocalChunk> find_local_chunk(const std::string& chunk_id);
  void forget_local_file(const std::string& file_id);

  // Per remote (keyed by its URL): chunks known to be there and manifests known to be there.
  void record_remote_chunks(const std::string& remote, const Manifest& manifest);
  std::optional<RemoteChunk> find_remote_chunk(const std::string& remote,
                                               const std::string& chunk_id);
  void record_remote_manifest(const std::string& remote, const std::string& file_id);
  bool remote_has_manifest(const std::string& remote, const std::string& file_id);
  // The packs a manifest on the remote points into, from the manifest as written or read.
  // Nothing when none was recorded.
  void record_manifest_packs(const std::string& remote, const Manifest& manifest);
  std::optional<std::set<std::string>> manifest_packs(const std::string& remote,
                                                      const std::string& file_id);
  // After a remote gc or a failed read: drop what we believed about these packs/manifests.
  void forget_remote_packs(const std::string& remote, const std::vector<std::string>& packs);
  void forget_remote_manifest(const std::string& remote, const std::string& file_id);
  // Drops everything recorded about a remote, its id included.
  void forget_remote(const std::string& remote);
  // The id of the remote (from its mlv-remote.yaml) that the records above describe.
  std::optional<std::string> remote_id(const std::string& remote);
  void set_remote_id(const std::string& remote, const std::string& id);

  // Groups many writes into one transaction (much faster); nestable, commits at the outermost.
  class Transaction {
  public:
    explicit Transaction(StateDb& db);
    ~Transaction(); // rolls back unless committed
    void commit();

  private:
    StateDb& db_;
    bool done_ = false;
  };

private:
  struct Statement;
  void exec(const char* sql);
  // A prepared statement, cached by its SQL text, reset and ready for binding.
  Statement& statement(const char* sql);
  [[noreturn]] void fail(const std::string& action) const;
  void set_up(); // WAL mode, then the schema created or migrated in one transaction
  bool has_column(const std::string& table, const std::string& column);

  sqlite3* db_ = nullptr;
  int transaction_depth_ = 0;
  std::filesystem::path path_;
  std::recursive_mutex mutex_;
  std::map<const char*, std::unique_ptr<Statement>> statements_;
};

} // namespace mlv::cache
