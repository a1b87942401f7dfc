#include "hashing_copy.hpp"

#include <mlv/cache/cache.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <map>
#include <optional>
#include <set>
#include <sys/stat.h>

namespace mlv::cache {

namespace {

namespace fs = std::filesystem;

constexpr unsigned k_object_mode = 0444;

// A copy-on-write clone where the filesystem supports it (btrfs, XFS): no bytes are copied.
// Whether `source` was cloned into `target_fd`; `unsupported` is set when the cache's filesystem
// cannot clone at all (not when only this source could not be cloned, from another filesystem).
bool try_reflink(const fs::path& source, int target_fd, std::atomic<bool>& unsupported) {
  const int source_fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (source_fd < 0) {
    return false;
  }
  const bool cloned = util::clone_file(source_fd, target_fd);
  const int error = errno;
  ::close(source_fd);
  if (!cloned && (error == EOPNOTSUPP || error == ENOTTY || error == ENOSYS)) {
    unsupported = true;
  }
  return cloned;
}

std::vector<std::string> list_objects(util::Env& env, const fs::path& folder) {
  std::vector<std::string> ids;
  if (!env.stat(folder)) {
    return ids;
  }
  for (const auto& prefix : env.list_directory(folder)) {
    if (prefix.type != util::Env::Type::directory) {
      continue;
    }
    for (const auto& object : env.list_directory(folder / prefix.name)) {
      if (hash::is_content_id(object.name) && object.name.starts_with(prefix.name)) {
        ids.push_back(object.name);
      }
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

} // namespace

Cache::Cache(fs::path root) : Cache(root, util::Env::posix(), root / "state.db") {}

Cache::Cache(fs::path root, util::Env& env, const fs::path& state_db)
    : root_(std::move(root)), env_(env) {
  for (const char* folder : {"files", "manifests", "dirs", "tmp"}) {
    env_.make_directories(root_ / folder);
  }
  state_ = std::make_unique<StateDb>(state_db);
}

fs::path Cache::tmp_dir() const {
  return root_ / "tmp";
}

fs::path Cache::object_path(const char* kind, const std::string& id) const {
  if (!hash::is_content_id(id)) {
    throw Error(Failure::invalid_input, "'" + id + "' is not a content id");
  }
  return root_ / kind / id.substr(0, 2) / id;
}

fs::path Cache::file_path(const std::string& id) const {
  return object_path("files", id);
}

bool Cache::has_file(const std::string& id) const {
  const auto info = env_.stat(file_path(id));
  return info && info->type == util::Env::Type::file;
}

bool Cache::has_all_files(const std::vector<std::string>& ids) const {
  // Listing a shard costs about as much as a few stats; below this many ids it is not worth it.
  constexpr std::size_t k_ids_worth_a_listing = 16;
  std::map<std::string, std::vector<const std::string*>> by_shard;
  for (const auto& id : ids) {
    if (!hash::is_content_id(id)) {
      throw Error(Failure::invalid_input, "'" + id + "' is not a content id");
    }
    by_shard[id.substr(0, 2)].push_back(&id);
  }
  for (const auto& [shard, shard_ids] : by_shard) {
    if (shard_ids.size() < k_ids_worth_a_listing) {
      for (const auto* id : shard_ids) {
        if (!has_file(*id)) {
          return false;
        }
      }
      continue;
    }
    std::set<std::string> present;
    try {
      for (auto& entry : env_.list_directory(root_ / "files" / shard)) {
        if (entry.type == util::Env::Type::file) {
          present.insert(std::move(entry.name));
        }
      }
    } catch (const Error& error) {
      if (error.kind() != Failure::not_found) {
        throw;
      }
      return false; // no object of this shard at all
    }
    for (const auto* id : shard_ids) {
      if (!present.contains(*id)) {
        return false;
      }
    }
  }
  return true;
}

StoredFile Cache::store_file(const fs::path& source) {
  util::AtomicFile file(tmp_dir() / "incoming", tmp_dir());
  StoredFile stored;
  // Not tried again once the filesystem said it cannot clone: three system calls per file of a
  // folder of 10,000.
  if (!reflink_unsupported_ && try_reflink(source, file.fd(), reflink_unsupported_)) {
    // Hash the clone, not the source: the id then names exactly the bytes that are kept.
    stored.id = hash::sha256_file_hex(file.temp_path());
    stored.size = util::stat_file(file.temp_path())->size;
  } else {
    stored = copy_hashing(source, file);
  }
  if (has_file(stored.id)) {
    return stored; // the temporary copy goes with `file`
  }
  if (batch_ != nullptr) {
    batch_->add(file.close_unsynced(k_object_mode), stored.id);
  } else {
    file.commit_as(file_path(stored.id), k_object_mode);
  }
  return stored;
}

Cache::StoreBatch::StoreBatch(Cache& cache) : cache_(cache) {
  if (cache_.batch_ != nullptr) {
    throw std::logic_error("a StoreBatch is already open on this cache");
  }
  cache_.batch_ = this;
}

Cache::StoreBatch::~StoreBatch() {
  cache_.batch_ = nullptr;
  // Those renamed by a commit() that failed part-way are gone from tmp/ already (ENOENT).
  for (const auto& [id, temporary] : pending_) {
    ::unlink(temporary.c_str());
  }
}

void Cache::StoreBatch::add(fs::path temporary, const std::string& id) {
  const std::lock_guard lock(mutex_);
  if (!pending_.emplace(id, temporary.string()).second) {
    ::unlink(temporary.c_str()); // the same bytes are already waiting
  }
}

void Cache::StoreBatch::commit() {
  const std::lock_guard lock(mutex_);
  if (pending_.empty()) {
    return;
  }
  util::sync_filesystem(cache_.tmp_dir()); // the bytes first: then no name points at lost ones
  std::set<fs::path> folders;
  for (const auto& [id, temporary] : pending_) {
    const auto target = cache_.file_path(id);
    if (folders.insert(target.parent_path()).second) {
      util::make_directories(target.parent_path());
    }
    if (::rename(temporary.c_str(), target.c_str()) != 0) {
      throw Error(Failure::failed, errno_message("cannot rename into", target.string(), errno),
                  "check free space and permissions of " + cache_.root().string() +
                      ", then run the command again: what is missing is stored again");
    }
  }
  pending_.clear();
  util::sync_filesystem(cache_.root()); // the renames, before a pointer names the objects
}

struct Cache::FileWriter::Impl {
  Cache& cache;
  std::string expected_id;
  std::uint64_t expected_size;
  util::AtomicFile file;
  hash::Sha256 hasher;
  std::uint64_t written = 0;

  Impl(Cache& owner, std::string id, std::uint64_t size)
      : cache(owner), expected_id(std::move(id)), expected_size(size),
        file(owner.file_path(expected_id), owner.tmp_dir()) {}
};

Cache::FileWriter::FileWriter(Cache& cache, std::string expected_id, std::uint64_t expected_size)
    : impl_(std::make_unique<Impl>(cache, std::move(expected_id), expected_size)) {}

Cache::FileWriter::~FileWriter() = default;

void Cache::FileWriter::write(std::span<const std::byte> data) {
  impl_->hasher.update(data);
  impl_->file.write(data);
  impl_->written += data.size();
}

void Cache::FileWriter::commit() {
  const auto actual = impl_->hasher.finish_hex();
  if (impl_->written != impl_->expected_size || actual != impl_->expected_id) {
    throw Error(Failure::corrupt,
                "assembled file " + impl_->expected_id + " does not verify (got " +
                    std::to_string(impl_->written) + " bytes with id " + actual + ")",
                "the remote holds damaged data; nothing was written to the cache");
  }
  impl_->file.commit(k_object_mode);
}

void Cache::adopt_file(const fs::path& temp_file, const std::string& expected_id) {
  adopt_file(temp_file, expected_id, hash::sha256_file_hex(temp_file));
}

void Cache::adopt_file(const fs::path& temp_file,
                       const std::string& expected_id,
                       const std::string& actual) {
  const auto target = file_path(expected_id);
  if (actual != expected_id) {
    util::remove_file(temp_file);
    throw Error(Failure::corrupt,
                "assembled file " + expected_id + " does not verify (its bytes hash to " + actual +
                    ")",
                "the remote holds damaged data; nothing was written to the cache");
  }
  // No fsync: an adopted file came from a remote that keeps it durably, and every read of a
  // cached object checks its hash, so one damaged by a power loss is found and fetched again.
  // (Objects stored by `add` are synced before their rename: the cache may hold the only copy.)
  const int fd = ::open(temp_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fchmod(fd, k_object_mode) != 0) {
    const int error_number = errno;
    if (fd >= 0) {
      ::close(fd);
    }
    throw Error(Failure::failed,
                errno_message("cannot set the mode of", temp_file.string(), error_number));
  }
  ::close(fd);
  util::make_directories(target.parent_path());
  if (::rename(temp_file.c_str(), target.c_str()) != 0) {
    throw Error(Failure::failed, errno_message("cannot rename into", target.string(), errno));
  }
  const std::lock_guard lock(verified_mutex_);
  verified_.insert(expected_id);
}

bool Cache::verified_here(const std::string& id) const {
  const std::lock_guard lock(verified_mutex_);
  return verified_.contains(id);
}

void Cache::copy_out(const std::string& id, const fs::path& destination, unsigned mode) {
  const auto object = file_path(id);
  util::AtomicFile file(destination, destination.parent_path());
  if (verified_here(id)) {
    copy_unhashed(object, file);
    file.commit_unsynced(mode);
    return;
  }
  const auto copied = copy_hashing(object, file);
  if (copied.id != id) {
    throw Error(Failure::corrupt,
                "cache object " + id + " (" + object.string() +
                    ") is corrupted: its bytes no longer match its id",
                "run `mlv verify` to list damaged objects, delete them, then `mlv fetch` again");
  }
  file.commit_unsynced(mode);
}

bool Cache::verify_file(const std::string& id) const {
  if (!has_file(id)) {
    return false;
  }
  return hash_file(env_, file_path(id)) == id;
}

std::optional<Manifest> Cache::read_manifest(const std::string& file_id) const {
  const auto path = object_path("manifests", file_id);
  if (!env_.stat(path)) {
    return std::nullopt;
  }
  auto manifest = parse_manifest(env_.read_file(path), path.string());
  if (manifest.id != file_id) {
    throw Error(Failure::corrupt, path.string() + ": manifest names file " + manifest.id,
                "delete the manifest; it is rebuilt from the cached file");
  }
  return manifest;
}

void Cache::write_manifest(const Manifest& manifest) {
  // The cache's manifest is not tied to any remote: pack locations live in the state database.
  Manifest local = manifest;
  for (auto& chunk : local.chunks) {
    chunk.pack.clear();
    chunk.pack_offset = 0;
    chunk.stored_length = 0;
    chunk.encoding = ChunkEncoding::raw;
  }
  // Not fsynced: a manifest is derived data, rebuilt from the cached file when it is damaged,
  // and a directory fsync here would wait for every byte just fetched to reach the disk.
  env_.write_file(object_path("manifests", manifest.id), serialize_manifest(local), k_object_mode,
                  false, tmp_dir());
}

Manifest Cache::ensure_manifest(const std::string& file_id,
                                const chunk::Params& params,
                                const fs::path& same_content,
                                const chunk::BatchSink& on_chunks,
                                bool index_chunks) {
  std::optional<Manifest> existing;
  try {
    existing = read_manifest(file_id);
  } catch (const Error& error) {
    if (error.kind() != Failure::invalid_input && error.kind() != Failure::corrupt) {
      throw;
    }
    // A damaged manifest (a power loss after an unsynced write) is simply made again.
  }
  if (existing && existing->params == params) {
    // Outside the try above: a failure of on_chunks (a chunk that no longer matches its id) is
    // the caller's to report, not a sign of a damaged manifest.
    if (on_chunks) {
      std::vector<chunk::ChunkInfo> chunks;
      std::uint64_t offset = 0;
      for (const auto& entry : existing->chunks) {
        chunks.push_back({offset, entry.length, entry.id});
        offset += entry.length;
      }
      on_chunks(chunks);
    }
    return *existing;
  }
  if (!has_file(file_id)) {
    throw Error(Failure::not_found, "object " + file_id + " is not in the cache",
                "run `mlv fetch` or `mlv add`");
  }
  const auto path = file_path(file_id);
  const auto size = util::stat_file(path)->size;
  // Two threads hash while this one cuts: pushing a new version is bound by this pass.
  std::vector<chunk::ChunkInfo> chunks;
  if (const auto stamp = same_content.empty() ? std::nullopt : util::stat_file(same_content);
      stamp && stamp->size == size) {
    // A file the state database knows as this id, unchanged since (the trust `status` places
    // in it), is read as is; any other is proven equal by its whole-file hash.
    const bool known = state_->find_file_id(same_content, *stamp) == file_id;
    std::string whole_id;
    bool streamed = false; // whether on_chunks has seen chunks of this pass
    const chunk::BatchSink stream = [&](std::span<const chunk::ChunkInfo> batch) {
      streamed = true;
      on_chunks(batch);
    };
    try {
      chunks = chunk::chunk_file_parallel(same_content, params, 2, known ? nullptr : &whole_id,
                                          known && on_chunks ? stream : chunk::BatchSink());
      if (known) {
        whole_id = util::stat_file(same_content) == stamp ? file_id : std::string();
      }
    } catch (const Error&) {
      if (streamed) {
        throw; // on_chunks' own failure, or one after chunks were passed on
      }
      whole_id.clear(); // it changed or vanished meanwhile: the cache object is read instead
    }
    if (whole_id != file_id && streamed) {
      // Chunks already passed on cannot be taken back: the caller stops, nothing is recorded.
      throw Error(Failure::failed, same_content.string() + " changed while it was read",
                  "run the command again");
    }
    if (whole_id != file_id) {
      chunks.clear();
    } else if (!known && on_chunks) {
      on_chunks(chunks);
    }
  }
  if (chunks.empty() && size > 0) {
    // The chunk ids come from these very bytes, so only the whole-file hash, taken in the same
    // pass, can tell a damaged object: the chunks go to on_chunks (to be packed) only after it.
    std::string whole_id;
    chunks = chunk::chunk_file_parallel(path, params, 2, &whole_id, chunk::BatchSink());
    if (whole_id != file_id) {
      throw Error(Failure::corrupt,
                  "cached file " + path.string() + " is corrupted (its bytes hash to " + whole_id +
                      ", not to its name)",
                  "run `mlv verify`, then `mlv add` the file again or `mlv fetch` a good copy");
    }
    if (on_chunks) {
      on_chunks(chunks);
    }
  }
  const auto manifest = make_manifest(file_id, size, params, chunks);
  write_manifest(manifest);
  if (index_chunks) {
    state_->record_local_chunks(manifest);
  }
  return manifest;
}

std::optional<DirListing> Cache::read_dir(const std::string& dir_id) const {
  const auto path = object_path("dirs", dir_id);
  if (!env_.stat(path)) {
    return std::nullopt;
  }
  const auto text = env_.read_file(path);
  if (hash::sha256_hex(text) != dir_id) {
    throw Error(Failure::corrupt, "dir listing " + path.string() + " does not match its id",
                "delete it and run `mlv fetch` (or `mlv add` the folder) again");
  }
  return parse_dir_listing(text, path.string());
}

std::string Cache::write_dir(const DirListing& listing) {
  const auto text = serialize_dir_listing(listing);
  const auto id = hash::sha256_hex(text);
  const auto path = object_path("dirs", id);
  if (!env_.stat(path)) {
    env_.write_file(path, text, k_object_mode, true, tmp_dir());
  }
  return id;
}

std::vector<std::string> Cache::list_files() const {
  return list_objects(env_, root_ / "files");
}
std::vector<std::string> Cache::list_manifests() const {
  return list_objects(env_, root_ / "manifests");
}
std::vector<std::string> Cache::list_dirs() const {
  return list_objects(env_, root_ / "dirs");
}

std::uint64_t Cache::remove_file(const std::string& id) {
  const auto path = file_path(id);
  const auto info = env_.lstat(path);
  state_->forget_local_file(id);
  env_.remove(path);
  return info ? info->size : 0;
}

void Cache::remove_manifest(const std::string& file_id) {
  env_.remove(object_path("manifests", file_id));
}

void Cache::remove_dir(const std::string& dir_id) {
  env_.remove(object_path("dirs", dir_id));
}

namespace {

// Adds the entries of tmp/'s folder `relative` older than `before_ns` to `found`, depth first.
void collect_old(util::Env& env,
                 const fs::path& tmp,
                 const std::string& relative,
                 std::int64_t before_ns,
                 std::vector<Cache::Temporary>& found) {
  for (const auto& entry : env.list_directory(relative.empty() ? tmp : tmp / relative)) {
    const auto path = relative.empty() ? entry.name : relative + "/" + entry.name;
    const auto info = env.lstat(tmp / path);
    if (!info) {
      continue; // removed since the listing: its command finished
    }
    const bool folder = info->type == util::Env::Type::directory;
    if (folder) {
      collect_old(env, tmp, path, before_ns, found);
    }
    if (info->mtime_ns < before_ns) {
      found.push_back({path, folder ? 0 : info->size, folder});
    }
  }
}

} // namespace

std::vector<Cache::Temporary> Cache::old_temporaries(std::int64_t before_ns) const {
  std::vector<Temporary> found;
  if (const auto info = env_.stat(tmp_dir()); info && info->type == util::Env::Type::directory) {
    collect_old(env_, tmp_dir(), "", before_ns, found);
  }
  return found;
}

std::uint64_t Cache::remove_temporary(const Temporary& temporary, std::int64_t before_ns) {
  const auto path = tmp_dir() / temporary.path;
  const auto info = env_.lstat(path);
  if (!info) {
    return 0;
  }
  if (info->type == util::Env::Type::directory) {
    // Its mtime is that of the last removal inside it: only emptiness counts now.
    if (temporary.folder && env_.list_directory(path).empty()) {
      env_.remove(path);
    }
    return 0;
  }
  if (info->mtime_ns >= before_ns) {
    return 0;
  }
  return env_.remove(path) ? info->size : 0;
}

} // namespace mlv::cache
