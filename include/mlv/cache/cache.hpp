#pragma once

#include <mlv/cache/dir_listing.hpp>
#include <mlv/cache/manifest.hpp>
#include <mlv/cache/state_db.hpp>
#include <mlv/util/env.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace mlv::cache {

// A file stored in the cache: its id and size.
struct StoredFile {
  std::string id;
  std::uint64_t size = 0;
};

// The content-addressed object store on disk (docs/formats.md, "Local cache"):
//   <root>/files/<2 hex>/<id>       whole files, read-only
//   <root>/manifests/<2 hex>/<id>   a file's chunk list, named by the file's id
//   <root>/dirs/<2 hex>/<id>        dir listings, named by the listing's id
//   <root>/tmp/                     temporary files (garbage after a crash, never an object)
//   <root>/state.db                 the SQLite state (StateDb)
// Every object is written to tmp/, verified, made durable (an fsync, or a StoreBatch's syncfs
// for objects `add` stores) and renamed into place; fetched objects skip the fsync (adopt_file).
// Looking up, listing, reading small objects, placing and removing go through `env`; the data
// paths (store_file, FileWriter, adopt_file, copy_out, ensure_manifest) use real files.
class Cache {
public:
  explicit Cache(std::filesystem::path root);
  // For unit tests: the objects in `env`, the state database at `state_db` (":memory:").
  Cache(std::filesystem::path root, util::Env& env, const std::filesystem::path& state_db);

  const std::filesystem::path& root() const noexcept { return root_; }
  util::Env& env() const noexcept { return env_; }
  std::filesystem::path tmp_dir() const;
  StateDb& state() noexcept { return *state_; }

  std::filesystem::path file_path(const std::string& id) const;
  bool has_file(const std::string& id) const;
  // Whether every one of `ids` is in the cache: a shard folder that many of them share is
  // listed once instead of a stat per id (a folder of 10,000 files costs 256 listings, not
  // 10,000 stats).
  bool has_all_files(const std::vector<std::string>& ids) const;

  // Reads `source` once, hashing it while copying it into the cache (a reflink when the
  // filesystem can). When the id is already cached the copy is dropped. Returns id and size.
  // Safe to call from several threads at once.
  StoredFile store_file(const std::filesystem::path& source);

  // Makes the objects store_file writes while it is open durable together. Without a batch each
  // object costs an fsync of its own and one of its folder (about 8 ms each on a disk: 80 s for
  // 10,000 small files). In a batch an object stays complete under its temporary name in tmp/,
  // unsynced; commit() makes them all durable with one syncfs(2), renames them into place and
  // syncs again, so no object is ever under its name before its bytes are durable, and the
  // renames are durable before the caller writes a pointer that names them. A batch destroyed
  // without commit() (an error, Ctrl-C) removes its temporaries; after kill -9 they are garbage
  // in tmp/ and a re-run stores the files again. One batch at a time per Cache.
  class StoreBatch {
  public:
    explicit StoreBatch(Cache& cache);
    ~StoreBatch();
    StoreBatch(const StoreBatch&) = delete;
    StoreBatch& operator=(const StoreBatch&) = delete;
    void commit();

  private:
    friend class Cache;
    void add(std::filesystem::path temporary, const std::string& id);

    Cache& cache_;
    std::mutex mutex_;
    // id -> its complete temporary (as text: an fs::path also holds its components, and a
    // folder may bring 100,000 files)
    std::map<std::string, std::string> pending_;
  };

  // Streams a file with a known id into the cache: write() the bytes in order, then commit(),
  // which verifies size and SHA-256 before the rename and throws Error(integrity) on mismatch.
  class FileWriter {
  public:
    FileWriter(Cache& cache, std::string expected_id, std::uint64_t expected_size);
    ~FileWriter();
    FileWriter(const FileWriter&) = delete;
    FileWriter& operator=(const FileWriter&) = delete;
    void write(std::span<const std::byte> data);
    void commit();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
  };

  // Moves a complete file from tmp_dir() into the cache as object `expected_id`, after hashing
  // it; a mismatch deletes it and throws Error(integrity). For files assembled out of order.
  void adopt_file(const std::filesystem::path& temp_file, const std::string& expected_id);
  // The same for a file whose bytes the caller hashed as they were written: `actual_id`.
  void adopt_file(const std::filesystem::path& temp_file,
                  const std::string& expected_id,
                  const std::string& actual_id);

  // Copies cached file `id` to `destination` (replacing it only when complete), hashing the
  // object while it copies; Error(integrity) naming the object if its bytes no longer match its
  // id, and then nothing is written. An object this process has just verified whole (fetched)
  // is copied without hashing it again. The copy is not fsynced: the cache holds
  // the durable bytes.
  void copy_out(const std::string& id, const std::filesystem::path& destination, unsigned mode);
  // Whether this process verified object `id` whole since it was written (adopt_file).
  bool verified_here(const std::string& id) const;

  // Re-hashes a cached file; false when it is missing or its bytes no longer match its id.
  bool verify_file(const std::string& id) const;

  std::optional<Manifest> read_manifest(const std::string& file_id) const;
  void write_manifest(const Manifest& manifest);
  // The manifest of a cached file, chunking it (and recording it) when there is none yet.
  // `same_content`, if given, is a file that probably holds the same bytes (the workspace file
  // that was added, still in the page cache, where the cache object was written past it): it is
  // chunked instead when its whole-file hash proves it equal, else the cache object is.
  // `on_chunks`, if given, receives every chunk of the returned manifest once, in order, with its
  // id: while the chunking goes on where the bytes are trusted as they are cut (a workspace file
  // the state database knows), else all at once at the end, once the whole-file hash taken in
  // the same pass proves them right. A cache object whose bytes do not hash to its id is
  // Error(integrity) naming it, before on_chunks sees any chunk of it.
  // A new manifest's chunks go into the local chunk index unless `index_chunks` is false (the
  // caller then records them itself, e.g. while its uploads run).
  Manifest ensure_manifest(const std::string& file_id,
                           const chunk::Params& params,
                           const std::filesystem::path& same_content = {},
                           const chunk::BatchSink& on_chunks = {},
                           bool index_chunks = true);

  std::optional<DirListing> read_dir(const std::string& dir_id) const;
  // Writes the listing and returns its id.
  std::string write_dir(const DirListing& listing);

  std::vector<std::string> list_files() const;
  std::vector<std::string> list_manifests() const;
  std::vector<std::string> list_dirs() const;
  // Removes an object and everything the state database derived from it. Returns bytes freed.
  std::uint64_t remove_file(const std::string& id);
  void remove_manifest(const std::string& file_id);
  void remove_dir(const std::string& dir_id);

  // What interrupted commands left in tmp/ (a kill -9 during add, fetch or push): every entry
  // last modified before `before_ns` (nanoseconds since the epoch, as Env::Info::mtime_ns), with
  // its path relative to tmp/ and its size, sorted by path. Files inside a folder of tmp/ come
  // before the folder, which is listed when it is that old too. A younger entry may belong to a
  // running mlv (one sharing this cache from another repository too) and is not listed.
  struct Temporary {
    std::string path; // relative to tmp_dir(), '/'-separated
    std::uint64_t size = 0;
    bool folder = false;
  };
  std::vector<Temporary> old_temporaries(std::int64_t before_ns) const;
  // Removes a temporary old_temporaries listed, unless a command has taken it up since (it was
  // modified at or after `before_ns`), or it is a folder that is not empty. Returns the bytes
  // freed.
  std::uint64_t remove_temporary(const Temporary& temporary, std::int64_t before_ns);

private:
  std::filesystem::path object_path(const char* kind, const std::string& id) const;

  std::filesystem::path root_;
  util::Env& env_;
  std::unique_ptr<StateDb> state_;
  StoreBatch* batch_ = nullptr;                  // the open StoreBatch, if any
  std::atomic<bool> reflink_unsupported_{false}; // the filesystem refused a clone: copy
  mutable std::mutex verified_mutex_;
  std::set<std::string> verified_; // objects adopted (and so hashed whole) by this process
};

// The id (SHA-256) of a file read through `env`, in blocks as large as hash::sha256_file_hex's.
std::string hash_file(util::Env& env, const std::filesystem::path& path);

// How a cached object is placed in the workspace (config `cache.type`, tried in order).
enum class LinkType { reflink, hardlink, symlink, copy };

// Puts cached file `id` at `destination`, replacing whatever is there, with the first link type
// in `order` that works (a copy when none does). The bytes are verified against the id first (a
// corrupted object is Error(integrity) naming it), and the destination appears only complete
// (a util::temporary_path beside it, then a rename). Returns the link type used.
LinkType materialize(Cache& cache,
                     const std::string& id,
                     const std::filesystem::path& destination,
                     bool executable,
                     std::span<const LinkType> order);

} // namespace mlv::cache
