#include "layout.hpp"

#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/meter.hpp>
#include <mlv/transfer/remote_manifest.hpp>
#include <mlv/transfer/transfer.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/util/task_pool.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <mutex>
#include <set>

namespace mlv::transfer {

namespace {

namespace fs = std::filesystem;

// Reads chunks of a cached file by offset.
class CachedFileReader {
public:
  explicit CachedFileReader(const fs::path& path)
      : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) {
      throw Error(Failure::failed, errno_message("cannot open", path.string(), errno));
    }
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  ~CachedFileReader() { ::close(fd_); }

  std::span<const std::byte> read(std::uint64_t offset, std::uint32_t length) {
    buffer_.resize(length);
    if (util::read_at(fd_, offset, buffer_, path_) != length) {
      throw Error(Failure::corrupt,
                  "cached file " + path_.string() + " is shorter than its manifest says",
                  "run `mlv verify`");
    }
    return buffer_;
  }

private:
  fs::path path_;
  int fd_;
  std::vector<std::byte> buffer_;
};

// Packs new chunks and uploads sealed packs in parallel; a file's manifest goes up only once
// every pack it points into is confirmed on the remote.
class Pusher {
public:
  Pusher(cache::Cache& cache,
         RemoteHandle remote,
         const Options& options,
         Meter& meter,
         const std::map<std::string, fs::path>& workspace_files)
      : cache_(cache), remote_(remote), options_(options), meter_(meter),
        workspace_files_(workspace_files), pool_(options.jobs, options.jobs) {}

  // Learns the chunks of a manifest already on the remote (an earlier version of a target), so
  // the chunks they share are not uploaded again. An absent or damaged manifest only means
  // nothing to reuse.
  void learn(const std::string& file_id) {
    if (chunks_known(file_id)) {
      return;
    }
    std::string text;
    try {
      text = read_object(remote_, manifest_key(file_id), meter_);
    } catch (const Error& error) {
      if (error.kind() == Failure::not_found) {
        return;
      }
      throw;
    }
    const auto source = remote_.store.display_url() + "/" + manifest_key(file_id);
    cache::Manifest manifest;
    try {
      manifest = parse_remote_manifest(text, source);
    } catch (const Error& error) {
      if (error.kind() != Failure::invalid_input) {
        throw;
      }
      return;
    }
    // Its packs are not taken as present: a pack can be lost after its manifest was written.
    // check_packs_of() confirms those that a new manifest would point into.
    cache_.state().record_remote_chunks(remote_.state_key, manifest);
    cache_.state().record_manifest_packs(remote_.state_key, manifest);
  }

  // Learns where the chunks of an earlier version of a folder live, from its bundle.
  // Its files' manifests are kept: a file that the new version shares needs no other.
  void learn_folder(const std::string& dir_id) {
    try {
      if (auto bundle = read_bundle(cache_, remote_, dir_id, meter_)) {
        for (auto& manifest : bundle->manifests) {
          const auto id = manifest.id;
          history_manifests_.insert_or_assign(id, std::move(manifest));
        }
      }
    } catch (const Error& error) {
      if (error.kind() != Failure::invalid_input) {
        throw;
      }
    }
  }

  // A file of a folder being pushed: its manifest goes into the folder's bundle (bundle_of()),
  // not into an object of its own. Its data comes from the cache, or, for a file the cache lacks,
  // from what the remote already holds: the chunks its local manifest lists, or `on_remote`, the
  // manifest of a file pushed on its own (push() read it). Called once per file id.
  void push_member(const std::string& file_id, const std::optional<cache::Manifest>& on_remote) {
    // A file an earlier version of the folder had: its manifest there stands while its packs do
    // (the cache object and its local manifest are not read: one changed file of 10,000).
    if (const auto earlier = history_manifests_.find(file_id);
        earlier != history_manifests_.end() && all_packs_present(earlier->second)) {
      meter_.update([&](Stats& stats) { ++stats.files_skipped; });
      bundled_.emplace(file_id, std::move(earlier->second));
      history_manifests_.erase(earlier);
      return;
    }
    if (on_remote && !cache_.has_file(file_id)) {
      if (all_packs_present(*on_remote)) {
        meter_.update([&](Stats& stats) {
          stats.bytes_planned += on_remote->size;
          stats.bytes_done += on_remote->size;
          stats.bytes_reused += on_remote->size;
          ++stats.files_transferred;
        });
        bundled_.emplace(file_id, *on_remote);
        return;
      }
    }
    push_file(file_id, true);
  }

  // Whether every pack `manifest` points into is on the remote (each checked once per push).
  bool all_packs_present(const cache::Manifest& manifest) {
    std::set<std::string> packs;
    for (const auto& chunk : manifest.chunks) {
      packs.insert(chunk.pack);
    }
    return std::all_of(packs.begin(), packs.end(),
                       [&](const std::string& pack) { return pack_present(pack); });
  }

  // The manifests of a folder whose files push_member() saw, once finish() has run: sorted by
  // id, each once, as its bundle lists them (pointers into this pusher, not copies: a folder may
  // have 100,000 files).
  std::vector<const cache::Manifest*> bundle_of(const std::string& dir_id,
                                                const cache::DirListing& listing) const {
    std::vector<const cache::Manifest*> manifests;
    manifests.reserve(listing.entries.size());
    for (const auto& entry : listing.entries) {
      const auto manifest = bundled_.find(entry.id);
      if (manifest == bundled_.end()) {
        throw Error(Failure::failed,
                    "internal: file " + entry.id + " of folder " + dir_id + " was not packed");
      }
      manifests.push_back(&manifest->second);
    }
    std::sort(manifests.begin(), manifests.end(),
              [](const auto* left, const auto* right) { return left->id < right->id; });
    manifests.erase(std::unique(manifests.begin(), manifests.end()), manifests.end());
    return manifests;
  }

  // Packs and records one file, from the cache; a file the cache lacks only when every chunk of
  // its local manifest is in a pack on the remote. Chunks arrive in order while the file is
  // still being cut, so full packs are uploaded meanwhile. A file of a folder (`bundled`) keeps
  // its manifest for the folder's bundle instead of writing it.
  void push_file(const std::string& file_id, bool bundled = false) {
    const auto copy = workspace_files_.find(file_id);
    const auto object = cache_.file_path(file_id);
    // Opened when a chunk must be read: a file whose chunks are all on the remote is not read.
    std::optional<CachedFileReader> reader;
    // New chunks are read from the workspace copy when there is one: it was just read for the
    // cutting, so it is in the page cache, where the cache object (written past it) is not.
    // Each chunk is checked against its id; a mismatch reads the cache object instead.
    std::optional<CachedFileReader> workspace_reader;
    if (copy != workspace_files_.end()) {
      try {
        workspace_reader.emplace(copy->second);
      } catch (const Error&) {
        workspace_reader.reset();
      }
    }
    if (const auto stamp = util::stat_file(object)) {
      meter_.update([&](Stats& stats) { stats.bytes_planned += stamp->size; });
    }
    PendingManifest pending;
    pending.bundled = bundled;
    std::vector<cache::ChunkEntry> placed; // by chunk index; a pack when already on the remote
    auto manifest = cache_.ensure_manifest(
        file_id, options_.params, copy == workspace_files_.end() ? fs::path() : copy->second,
        [&](std::span<const chunk::ChunkInfo> batch) {
          const auto known_chunks = check_packs_of(batch);
          for (std::size_t i = 0; i < batch.size(); ++i) {
            place_chunk(file_id, batch[i], known_chunks[i], reader,
                        workspace_reader ? &*workspace_reader : nullptr, pending, placed);
          }
        },
        false);
    unindexed_.push_back(manifest);
    if (unindexed_.size() >= k_index_batch) {
      index_local_chunks();
    }
    if (manifest.chunks.size() != placed.size()) {
      throw Error(Failure::failed, "internal: chunks of " + file_id + " were not all packed");
    }
    for (std::size_t i = 0; i < placed.size(); ++i) {
      manifest.chunks[i].pack = placed[i].pack;
      manifest.chunks[i].pack_offset = placed[i].pack_offset;
      manifest.chunks[i].stored_length = placed[i].stored_length;
      manifest.chunks[i].encoding = placed[i].encoding;
    }
    pending.manifest = std::move(manifest);
    pending_.push_back(std::move(pending));
    meter_.update([](Stats& stats) { ++stats.files_transferred; });
    write_ready_manifests();
  }

  // Uploads the last pack, waits for every upload, then writes the remaining manifests.
  void finish() {
    seal();
    index_local_chunks(); // while the last packs upload
    pool_.wait();
    write_ready_manifests();
    // Where this push's chunks went is in the manifests now; freed before the bundles are
    // written, the peak of a 100,000-file folder's push.
    packed_ = {};
    uploaded_ = {};
  }

private:
  // Files whose chunks are written to the local index in one transaction: a folder may bring
  // 100,000 files, which neither one transaction each nor all held until the end would suit.
  static constexpr std::size_t k_index_batch = 2048;

  void index_local_chunks() {
    cache::StateDb::Transaction records(cache_.state());
    for (const auto& manifest : unindexed_) {
      cache_.state().record_local_chunks(manifest);
    }
    records.commit();
    unindexed_.clear();
  }

  struct PackedChunk {
    std::uint64_t sequence = 0; // which pack of this push
    std::size_t entry = 0;      // its index in that pack (where and how it is stored: once sealed)
  };
  // A pack of this push confirmed on the remote: where each of its entries is stored (the
  // chunk ids are in the manifests that wait on it).
  struct Placement {
    std::uint64_t offset = 0;
    std::uint32_t stored_length = 0;
    cache::ChunkEncoding encoding = cache::ChunkEncoding::raw;
  };
  struct UploadedPack {
    std::string id;
    std::vector<Placement> entries;
  };
  struct PendingManifest {
    cache::Manifest manifest;
    std::vector<std::pair<std::size_t, PackedChunk>>
        unresolved; // chunk index -> place in this push
    std::set<std::uint64_t> packs;
    bool bundled = false; // a file of a folder: its manifest goes into the folder's bundle
  };

  // Decides where chunk `chunk` (the next of its file) lives: in a pack the remote holds, in a
  // pack of this push, or appended now to the pack being written.
  void place_chunk(const std::string& file_id,
                   const chunk::ChunkInfo& chunk,
                   const std::optional<cache::RemoteChunk>& known,
                   std::optional<CachedFileReader>& reader,
                   CachedFileReader* workspace_reader,
                   PendingManifest& pending,
                   std::vector<cache::ChunkEntry>& placed) {
    const std::size_t index = placed.size();
    placed.push_back({chunk.id, chunk.length, {}, 0});
    const auto count_reused = [&] {
      meter_.update([&](Stats& stats) {
        ++stats.chunks_reused;
        stats.bytes_reused += chunk.length;
        stats.bytes_done += chunk.length;
      });
    };
    if (known && known->length == chunk.length && pack_present(known->pack)) {
      placed.back().pack = known->pack;
      placed.back().pack_offset = known->offset;
      placed.back().stored_length = known->stored_length;
      placed.back().encoding = known->encoding;
      count_reused();
      return;
    }
    if (const auto packed = packed_.find(chunk.id); packed != packed_.end()) {
      pending.unresolved.emplace_back(index, packed->second);
      pending.packs.insert(packed->second.sequence);
      count_reused();
      return;
    }
    if (!writer_) {
      writer_ = std::make_unique<PackWriter>(cache_.tmp_dir(), options_.compression_level);
    }
    std::span<const std::byte> bytes;
    bool verified = false;
    if (workspace_reader != nullptr) {
      try {
        bytes = workspace_reader->read(chunk.offset, chunk.length);
        verified = hash::sha256_hex(bytes) == chunk.id;
      } catch (const Error&) {
        verified = false; // shorter now: the cache object is read instead
      }
    }
    // A cached file damaged since it was chunked must not reach the remote under a good id.
    if (!verified) {
      if (!reader) {
        if (!cache_.has_file(file_id)) {
          throw Error(Failure::not_found,
                      "the cache does not hold file " + file_id + ", and " +
                          remote_.store.display_url() + " lacks its chunk " + chunk.id,
                      "`mlv add` the file again if you have it, or `mlv fetch` it from a remote "
                      "that has it");
        }
        reader.emplace(cache_.file_path(file_id));
      }
      bytes = reader->read(chunk.offset, chunk.length);
      if (hash::sha256_hex(bytes) != chunk.id) {
        throw Error(Failure::corrupt,
                    "cached file " + cache_.file_path(file_id).string() + " is corrupted (chunk " +
                        chunk.id + " does not match)",
                    "run `mlv verify`, then `mlv add` the file again or fetch a good copy");
      }
    }
    const PackedChunk location{sequence_, writer_->add(chunk.id, bytes)};
    packed_.emplace(chunk.id, location);
    pending.unresolved.emplace_back(index, location);
    pending.packs.insert(sequence_);
    meter_.update([&](Stats& stats) {
      ++stats.chunks_new;
      stats.bytes_done += chunk.length;
    });
    if (writer_->data_size() >= options_.pack_size) {
      seal();
    }
  }

  // Whether a pack the state database names is on the remote (intact, with --verify-remote).
  // The database may outlive a remote that was wiped, collected or damaged, so each such pack is
  // checked once per push before a new manifest points into it.
  bool pack_present(const std::string& pack) {
    if (const auto it = checked_packs_.find(pack); it != checked_packs_.end()) {
      return it->second;
    }
    const bool present =
        !packs_on_remote(remote_, {pack}, options_.jobs, options_.verify_remote, meter_).empty();
    if (!present) {
      cache_.state().forget_remote_packs(remote_.state_key, {pack});
    }
    checked_packs_.emplace(pack, present);
    return present;
  }

  // Checks at once, in parallel (listing a key prefix that several share), every pack that the
  // state database places this file's chunks in and that this push has not checked yet: a few
  // round trips instead of one per pack.
  // Returns where the state database places each chunk (by index), looked up once.
  std::vector<std::optional<cache::RemoteChunk>>
  check_packs_of(std::span<const chunk::ChunkInfo> chunks) {
    std::vector<std::optional<cache::RemoteChunk>> known;
    known.reserve(chunks.size());
    std::set<std::string> unchecked;
    for (const auto& chunk : chunks) {
      known.push_back(cache_.state().find_remote_chunk(remote_.state_key, chunk.id));
      if (known.back() && !checked_packs_.contains(known.back()->pack)) {
        unchecked.insert(known.back()->pack);
      }
    }
    if (unchecked.size() < 2) {
      return known; // pack_present() asks for a single one when it comes to it
    }
    const auto held =
        packs_on_remote(remote_, unchecked, options_.jobs, options_.verify_remote, meter_);
    std::vector<std::string> missing;
    for (const auto& pack : unchecked) {
      checked_packs_.emplace(pack, held.contains(pack));
      if (!held.contains(pack)) {
        missing.push_back(pack);
      }
    }
    if (!missing.empty()) {
      cache_.state().forget_remote_packs(remote_.state_key, missing);
    }
    return known;
  }

  // Whether the state database already knows the chunks of this manifest on the remote. A
  // manifest recorded by present_on_remote() carries no chunks, so the first one is checked.
  bool chunks_known(const std::string& file_id) {
    auto& state = cache_.state();
    if (!state.remote_has_manifest(remote_.state_key, file_id)) {
      return false;
    }
    const auto local = cache_.read_manifest(file_id);
    return local &&
           (local->chunks.empty() ||
            state.find_remote_chunk(remote_.state_key, local->chunks.front().id).has_value());
  }

  void seal() {
    if (!writer_ || writer_->chunk_count() == 0) {
      return;
    }
    std::shared_ptr<PackWriter> writer = std::move(writer_);
    const auto sequence = sequence_++;
    pool_.submit([this, writer, sequence] {
      const auto pack_id = writer->finish(); // compresses: on the upload workers, in parallel
      const auto size = util::stat_file(writer->path())->size;
      remote_.store.put_file(pack_key(pack_id), writer->path());
      remember_pack(pack_id, *writer);
      auto uploaded = std::make_shared<UploadedPack>(UploadedPack{pack_id, {}});
      uploaded->entries.reserve(writer->entries().size());
      for (const auto& entry : writer->entries()) {
        uploaded->entries.push_back({entry.offset, entry.stored_length, entry.encoding});
      }
      const std::lock_guard lock(uploaded_mutex_);
      uploaded_[sequence] = std::move(uploaded);
      meter_.update([&](Stats& stats) {
        ++stats.requests;
        ++stats.objects_sent;
        stats.bytes_sent += size;
      });
    });
  }

  // Records where the chunks of a pack now confirmed on the remote live, before any manifest
  // names them: a push killed before its manifests reuses these packs when run again instead of
  // sending their bytes once more. pack_present() still checks such a pack before a manifest
  // points into it.
  void remember_pack(const std::string& pack_id, const PackWriter& writer) {
    cache::Manifest located;
    located.chunks.reserve(writer.entries().size());
    for (const auto& entry : writer.entries()) {
      located.chunks.push_back({entry.chunk_id, entry.length, pack_id, entry.offset,
                                entry.stored_length, entry.encoding});
    }
    cache_.state().record_remote_chunks(remote_.state_key, located);
  }

  // Writes (or keeps for a bundle) every waiting manifest whose packs are all uploaded. Called
  // after each file: when no pack finished since the last call, only manifests queued since then
  // are looked at, so a folder of 100,000 files waiting on one pack costs no quadratic time.
  void write_ready_manifests() {
    std::map<std::uint64_t, std::shared_ptr<const UploadedPack>> uploaded;
    {
      const std::lock_guard lock(uploaded_mutex_);
      if (uploaded_.size() != uploaded_seen_) {
        checked_pending_ = 0; // any waiting manifest may be ready now
        uploaded_seen_ = uploaded_.size();
      }
      if (checked_pending_ == pending_.size()) {
        return;
      }
      uploaded = uploaded_;
    }
    std::size_t kept = checked_pending_;
    for (std::size_t i = checked_pending_; i < pending_.size(); ++i) {
      auto& pending = pending_[i];
      const bool ready =
          std::all_of(pending.packs.begin(), pending.packs.end(),
                      [&](std::uint64_t sequence) { return uploaded.contains(sequence); });
      if (!ready) {
        if (kept != i) {
          pending_[kept] = std::move(pending);
        }
        ++kept;
        continue;
      }
      write_manifest(pending, uploaded);
    }
    pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(kept), pending_.end());
    checked_pending_ = pending_.size();
  }

  // Fills in where `pending`'s chunks of this push were uploaded, then writes its manifest (or,
  // for a file of a folder, keeps it for the folder's bundle).
  void
  write_manifest(PendingManifest& pending,
                 const std::map<std::uint64_t, std::shared_ptr<const UploadedPack>>& uploaded) {
    for (const auto& [index, place] : pending.unresolved) {
      const auto& pack = *uploaded.at(place.sequence);
      const auto& entry = pack.entries.at(place.entry);
      auto& chunk = pending.manifest.chunks[index];
      chunk.pack = pack.id;
      chunk.pack_offset = entry.offset;
      chunk.stored_length = entry.stored_length;
      chunk.encoding = entry.encoding;
    }
    if (pending.bundled) {
      // Where its chunks live is recorded already (remember_pack()); the bundle is written
      // once every file of the folder is placed.
      const auto id = pending.manifest.id;
      bundled_.insert_or_assign(id, std::move(pending.manifest));
      return;
    }
    const auto stored = encode_remote_manifest(pending.manifest, options_.compression_level);
    remote_.store.put(manifest_key(pending.manifest.id),
                      std::as_bytes(std::span(stored.data(), stored.size())));
    meter_.update([&](Stats& stats) {
      ++stats.requests;
      ++stats.objects_sent;
      stats.bytes_sent += stored.size();
    });
    cache_.state().record_remote_chunks(remote_.state_key, pending.manifest);
    cache_.state().record_manifest_packs(remote_.state_key, pending.manifest);
    cache_.state().record_remote_manifest(remote_.state_key, pending.manifest.id);
  }

  cache::Cache& cache_;
  RemoteHandle remote_;
  const Options& options_;
  Meter& meter_;
  const std::map<std::string, fs::path>& workspace_files_;
  std::unique_ptr<PackWriter> writer_;
  std::vector<cache::Manifest> unindexed_; // cut by this push, not yet in the local chunk index
  std::uint64_t sequence_ = 0;
  std::map<std::string, PackedChunk> packed_;
  std::map<std::string, bool> checked_packs_;
  std::vector<PendingManifest> pending_;
  std::size_t checked_pending_ =
      0;                          // pending_[0, this) waited on packs not uploaded at the last look
  std::size_t uploaded_seen_ = 0; // uploaded_.size() at the last look
  std::map<std::string, cache::Manifest> bundled_;           // folders' files' manifests
  std::map<std::string, cache::Manifest> history_manifests_; // of earlier versions' files
  std::map<std::uint64_t, std::shared_ptr<const UploadedPack>> uploaded_;
  std::mutex uploaded_mutex_;
  util::TaskPool pool_; // last: destroyed (joined) first, while the members its tasks use live
};

} // namespace

Stats push(cache::Cache& cache,
           RemoteHandle remote,
           const Targets& targets,
           const Options& options) {
  Meter meter(options.progress);
  const auto counters_before = remote.store.counters();
  reconcile_remote_record(cache.state(), remote.state_key, check_layout(remote, true, meter));
  std::map<std::string, cache::DirListing> listings; // of the folders the cache holds
  // What names an id, for messages: its pointer, or a folder's pointer and the path in it
  // (looked up only when needed: a folder may hold 100,000 files).
  const auto label = [&](const std::string& id) {
    const auto named = [&](const std::string& name) {
      return name + " (" + id.substr(0, 12) + ")";
    };
    if (const auto it = targets.labels.find(id); it != targets.labels.end()) {
      return named(it->second);
    }
    for (const auto& [dir_id, listing] : listings) {
      const auto dir_label = targets.labels.find(dir_id);
      for (const auto& entry : listing.entries) {
        if (entry.id == id && dir_label != targets.labels.end()) {
          return named(dir_label->second + ": " + entry.path);
        }
      }
    }
    return id;
  };
  std::set<std::string> uncached_dirs;
  for (const auto& dir_id : targets.dir_ids) {
    if (auto listing = cache.read_dir(dir_id)) {
      listings.emplace(dir_id, std::move(*listing));
    } else {
      uncached_dirs.insert(dir_id);
    }
  }
  // What the remote holds already, in bulk; everything else must come from the cache. Data in
  // neither stops the push before anything is sent, naming what needs it.
  const auto present = confirm_on_remote(cache, remote, targets.file_ids, targets.dir_ids,
                                         options.jobs, options.verify_remote, meter);
  // The files of the folders to push, each of which goes into its folder's bundle: each id
  // once, in id order (views of the listings' ids).
  std::vector<std::string_view> members;
  for (const auto& [dir_id, listing] : listings) {
    if (present.contains(dir_id)) {
      continue;
    }
    for (const auto& entry : listing.entries) {
      members.push_back(entry.id);
    }
  }
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  std::string unavailable;
  for (const auto& id : uncached_dirs) {
    if (!present.contains(id)) {
      unavailable += "\n  " + label(id);
    }
  }
  for (const auto& id : targets.file_ids) {
    if (!present.contains(id) && !cache.has_file(id)) {
      unavailable += "\n  " + label(id);
    }
  }
  // A folder's file the cache lacks can still be bundled from what the remote holds: the
  // chunks its local manifest lists (push_member() checks them), or its own manifest there.
  std::set<std::string> uncached_members;
  for (const auto& member : members) {
    const std::string id(member);
    if (!cache.has_file(id) && !cache.read_manifest(id)) {
      uncached_members.insert(id);
    }
  }
  std::map<std::string, cache::Manifest> remote_manifests;
  for (const auto& id :
       keys_on_remote(remote, "manifests", uncached_members, options.jobs, meter)) {
    try {
      remote_manifests.emplace(
          id, parse_remote_manifest(read_object(remote, manifest_key(id), meter),
                                    remote.store.display_url() + "/" + manifest_key(id)));
    } catch (const Error& error) {
      if (error.kind() != Failure::not_found && error.kind() != Failure::invalid_input) {
        throw;
      }
    }
  }
  for (const auto& id : uncached_members) {
    if (!remote_manifests.contains(id)) {
      unavailable += "\n  " + label(id);
    }
  }
  if (!unavailable.empty()) {
    throw Error(Failure::not_found,
                "cannot push: neither the cache nor " + remote.store.display_url() +
                    " has the data these name:" + unavailable,
                "`mlv add` the file again if you have it, or `mlv fetch -r REMOTE` it from a "
                "remote that has it");
  }
  Pusher pusher(cache, remote, options, meter, targets.workspace_files);
  for (const auto& id : targets.history_file_ids) {
    pusher.learn(id);
  }
  for (const auto& id : targets.history_dir_ids) {
    pusher.learn_folder(id);
  }
  const auto push_one = [&](const std::string& id, bool member) {
    try {
      if (member) {
        const auto on_remote = remote_manifests.find(id);
        pusher.push_member(id, on_remote == remote_manifests.end()
                                   ? std::nullopt
                                   : std::optional<cache::Manifest>(on_remote->second));
      } else {
        pusher.push_file(id);
      }
    } catch (const Error& error) {
      if (error.kind() != Failure::corrupt) {
        throw;
      }
      // The cache object no longer matches its id, and no manifest of it was written. A wrong
      // object must not stay under a right name: removed, it is restored by `mlv add` of the
      // workspace file or by a fetch, and then pushed right.
      cache.remove_file(id);
      throw Error(Failure::corrupt,
                  "cannot push " + label(id) + ": " + error.what() +
                      "; the damaged object was removed from the cache",
                  "`mlv add` the file again if you have it, or `mlv fetch` it from a remote that "
                  "has it, then push again");
    }
  };
  for (const auto& id : targets.file_ids) {
    if (present.contains(id)) {
      meter.update([](Stats& stats) { ++stats.files_skipped; });
    } else {
      push_one(id, false);
    }
  }
  for (const auto& id : members) {
    push_one(std::string(id), true);
  }
  pusher.finish();
  // Bundles, then dir listings: each names only what is now on the remote.
  for (const auto& [dir_id, listing] : listings) {
    if (present.contains(dir_id)) {
      const auto files = listing.entries.size(); // clang 14 cannot capture a structured binding
      meter.update([files](Stats& stats) { stats.files_skipped += files; });
      continue;
    }
    const auto manifests = pusher.bundle_of(dir_id, listing);
    const auto stored = encode_remote_bundle(dir_id, manifests, options.compression_level);
    remote.store.put(bundle_key(dir_id), std::as_bytes(std::span(stored.data(), stored.size())));
    std::set<std::string> packs;
    for (const auto* manifest : manifests) {
      for (const auto& chunk : manifest->chunks) {
        packs.insert(chunk.pack);
      }
    }
    record_bundle_packs(cache.state(), remote.state_key, dir_id, packs);
    const auto text = cache::serialize_dir_listing(listing);
    remote.store.put(dir_key(dir_id), std::as_bytes(std::span(text.data(), text.size())));
    meter.update([&](Stats& stats) {
      stats.requests += 2;
      stats.objects_sent += 2;
      stats.bytes_sent += stored.size() + text.size();
    });
  }
  return meter.finish(remote.store, counters_before);
}

} // namespace mlv::transfer
