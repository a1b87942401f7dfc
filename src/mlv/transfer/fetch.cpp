#include "frontier_hasher.hpp"
#include "layout.hpp"

#include <mlv/hash/sha256.hpp>
#include <mlv/transfer/meter.hpp>
#include <mlv/transfer/remote_manifest.hpp>
#include <mlv/transfer/transfer.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/util/interrupt.hpp>
#include <mlv/util/task_pool.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

namespace mlv::transfer {

namespace {

namespace fs = std::filesystem;

// Ranges of one pack closer than this are read in one request (the gap is read and dropped):
// reading 2 MiB more costs less than a request's round trip on object stores.
constexpr std::uint64_t k_coalesce_gap = 2 << 20;
// One request reads at most this much: a whole default pack (32 MiB of chunks, plus the last
// chunk that crossed the limit) in one request, so a GiB takes about 32 requests, while a file of
// a few packs still spreads over parallel requests.
constexpr std::uint64_t k_max_request = 48 << 20;

// A file of at most this size, when its manifest comes in a folder's bundle, is fetched together
// with its neighbours in the pack (a window), not with requests of its own.
constexpr std::uint64_t k_small_file = 4 << 20;
// Orders manifests, and finds one, by file id.
struct ById {
  bool operator()(const cache::Manifest& a, const cache::Manifest& b) const { return a.id < b.id; }
  bool operator()(const cache::Manifest& a, const std::string& id) const { return a.id < id; }
  bool operator()(const std::string& id, const cache::Manifest& b) const { return id < b.id; }
};
// A window holds files of this many bytes in all (or k_window_files files): a few requests each,
// and the memory of `jobs` windows at once stays small.
constexpr std::uint64_t k_window_bytes = 8 << 20;
constexpr std::size_t k_window_files = 2000;

// One coalesced range read: consecutive chunks of one pack, ordered by their offset in it.
struct Range {
  std::string pack;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::vector<const cache::ChunkEntry*> chunks;
};

// Chunks to read, grouped into ranges: those of one pack less than k_coalesce_gap apart in one
// range of at most k_max_request. Each chunk comes with a tag the caller uses to place it.
template <typename Tag>
std::vector<std::pair<Range, std::vector<Tag>>>
coalesce(std::map<std::string, std::vector<std::pair<const cache::ChunkEntry*, Tag>>>& by_pack) {
  std::vector<std::pair<Range, std::vector<Tag>>> ranges;
  for (auto& [pack, chunks] : by_pack) {
    std::sort(chunks.begin(), chunks.end(), [](const auto& a, const auto& b) {
      return a.first->pack_offset < b.first->pack_offset;
    });
    const auto first_of_pack = ranges.size();
    for (const auto& [chunk, tag] : chunks) {
      const auto offset = chunk->pack_offset;
      const auto length = chunk->pack_length();
      if (ranges.size() > first_of_pack) {
        auto& [range, tags] = ranges.back();
        const auto end = range.offset + range.length;
        if (offset >= end && offset - end <= k_coalesce_gap &&
            offset + length - range.offset <= k_max_request) {
          range.length = offset + length - range.offset;
          range.chunks.push_back(chunk);
          tags.push_back(tag);
          continue;
        }
      }
      ranges.push_back({Range{pack, offset, length, {chunk}}, {tag}});
    }
  }
  return ranges;
}

// A chunk that occurs more than once: copied within the output file once it is downloaded.
struct Repeat {
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::uint32_t length = 0;
};

class OutputFile {
public:
  explicit OutputFile(const fs::path& tmp_dir) {
    path_ = util::temporary_path(tmp_dir, "fetch");
    on_interrupt_.watch(path_); // before it exists, so no interrupt can leave it behind
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      const int error = errno;
      on_interrupt_.release();
      throw Error(Failure::failed, errno_message("cannot create", path_.string(), error),
                  "check free disk space");
    }
  }
  ~OutputFile() {
    hasher_.reset(); // its thread reads fd_
    if (fd_ >= 0) {
      ::close(fd_);
    }
    if (!adopted_) {
      ::unlink(path_.c_str());
    }
  }
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t written = ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                                       static_cast<off_t>(offset + done));
      if (written < 0 && errno == EINTR) {
        continue;
      }
      if (written < 0) {
        throw Error(Failure::failed, errno_message("cannot write", path_.string(), errno),
                    "check free disk space");
      }
      done += static_cast<std::size_t>(written);
    }
    if (hasher_) {
      hasher_->written(offset, bytes.size());
    }
  }
  // Copies bytes already written at `from` to `to` (a chunk that occurs twice in the file).
  void copy_within(std::uint64_t from, std::uint64_t to, std::uint32_t length) {
    std::vector<std::byte> bytes(length);
    if (util::read_at(fd_, from, bytes, path_) != length) {
      throw Error(Failure::failed, path_.string() + " is shorter than the chunks written to it");
    }
    write_at(to, bytes);
  }
  // Sizes the file and starts hashing it as its bytes arrive.
  void set_size(std::uint64_t size) {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      throw Error(Failure::failed, errno_message("cannot size", path_.string(), errno),
                  "check free disk space");
    }
    hasher_.emplace(fd_, path_, size);
  }
  // The id of the bytes written, once every byte is.
  std::string finish_hash() { return hasher_->finish(); }
  const fs::path& path() const { return path_; }
  void close() {
    hasher_.reset();
    ::close(fd_);
    fd_ = -1;
  }
  void adopted() {
    adopted_ = true;
    on_interrupt_.release();
  }

private:
  fs::path path_;
  int fd_ = -1;
  bool adopted_ = false;
  std::optional<FrontierHasher> hasher_;
  util::RemoveOnInterrupt on_interrupt_; // a Ctrl-C leaves no partial file in the cache's tmp/
};

class Fetcher {
public:
  Fetcher(cache::Cache& cache, RemoteHandle remote, const Options& options, Meter& meter)
      : cache_(cache), remote_(remote), options_(options), meter_(meter) {}

  // Fetches one file into the cache; returns what the remote lacks for it ("" for its manifest,
  // else the message about the missing pack), or nullopt once the file is in the cache.
  // `known` is its manifest when a bundle brought it, else it is read from the remote.
  std::optional<std::string> fetch_file(const std::string& file_id,
                                        const cache::Manifest* known = nullptr) {
    if (cache_.has_file(file_id)) {
      meter_.update([](Stats& stats) { ++stats.files_skipped; });
      return std::nullopt;
    }
    std::optional<cache::Manifest> read;
    if (known == nullptr) {
      read = read_manifest(file_id);
      if (!read) {
        return std::string();
      }
    }
    try {
      fetch_chunks(known != nullptr ? *known : *read);
    } catch (const Error& error) {
      if (error.kind() != Failure::not_found) {
        throw;
      }
      return std::string(error.what());
    }
    return std::nullopt;
  }

  // Fetches the files of a folder's bundle that the cache lacks: large ones one by one, small
  // ones in windows of neighbours in the packs, a few requests for many files. Returns what the
  // remote lacks for each file it could not complete (the missing pack).
  std::map<std::string, std::string> fetch_bundled(const std::vector<cache::Manifest>& manifests) {
    std::map<std::string, std::string> lacking;
    std::vector<const cache::Manifest*> small;
    for (const auto& manifest : manifests) {
      if (cache_.has_file(manifest.id)) {
        meter_.update([](Stats& stats) { ++stats.files_skipped; });
      } else if (manifest.size > k_small_file) {
        if (auto missing = fetch_file(manifest.id, &manifest)) {
          lacking.emplace(manifest.id, *missing);
        }
      } else {
        small.push_back(&manifest);
      }
    }
    // In pack order, so a window's chunks lie side by side in few packs.
    const auto position = [](const cache::Manifest* manifest) {
      return manifest->chunks.empty() ? std::make_pair(std::string(), std::uint64_t{0})
                                      : std::make_pair(manifest->chunks.front().pack,
                                                       manifest->chunks.front().pack_offset);
    };
    std::stable_sort(small.begin(), small.end(),
                     [&](const auto* a, const auto* b) { return position(a) < position(b); });
    std::mutex mutex;
    std::vector<const cache::Manifest*> failed; // in windows that named a missing pack
    {
      util::TaskPool pool(options_.jobs, options_.jobs);
      std::size_t begin = 0;
      while (begin < small.size()) {
        std::uint64_t bytes = 0;
        std::size_t end = begin;
        while (end < small.size() && end - begin < k_window_files &&
               (end == begin || bytes + small[end]->size <= k_window_bytes)) {
          bytes += small[end]->size;
          ++end;
        }
        meter_.update([&](Stats& stats) { stats.bytes_planned += bytes; });
        pool.submit([&, window = std::vector(small.begin() + static_cast<std::ptrdiff_t>(begin),
                                             small.begin() + static_cast<std::ptrdiff_t>(end))] {
          std::vector<const cache::Manifest*> done;
          std::string missing;
          try {
            fetch_window(window, done);
          } catch (const Error& error) {
            if (error.kind() != Failure::not_found) {
              throw;
            }
            missing = error.what();
          }
          record_local(done);
          if (!missing.empty()) {
            const std::lock_guard lock(mutex);
            failed.insert(failed.end(), window.begin(), window.end());
          }
        });
        begin = end;
      }
      pool.wait();
    }
    // A window fails whole when one of its packs is missing; its files are tried one by one, so
    // only those that need the missing pack are reported.
    for (const auto* manifest : failed) {
      if (auto missing = fetch_file(manifest->id, manifest)) {
        lacking.emplace(manifest->id, *missing);
      }
    }
    return lacking;
  }

private:
  // The local copies of fetched files' manifests, and their chunk index in one transaction (a
  // window's worth: a folder's 100,000 are not all held until the end).
  void record_local(const std::vector<const cache::Manifest*>& manifests) {
    // One window at a time: renames into the cache's folders contend in the kernel.
    const std::lock_guard lock(record_mutex_);
    for (const auto* manifest : manifests) {
      cache_.write_manifest(*manifest);
    }
    cache::StateDb::Transaction records(cache_.state());
    for (const auto* manifest : manifests) {
      cache_.state().record_local_chunks(*manifest);
    }
    records.commit();
  }

  // Small files, whole in memory: their chunks are read with a few range requests, each verified,
  // then each file is assembled, checked against its id and moved into the cache. A missing pack
  // is Error(missing) and leaves none of them in the cache.
  void fetch_window(const std::vector<const cache::Manifest*>& window,
                    std::vector<const cache::Manifest*>& done) {
    std::map<std::string, std::vector<std::byte>> chunks; // id -> bytes, as the files need them
    std::map<std::string, std::vector<std::pair<const cache::ChunkEntry*, std::string>>> by_pack;
    for (const auto* manifest : window) {
      for (const auto& chunk : manifest->chunks) {
        if (chunks.contains(chunk.id)) {
          continue;
        }
        auto& bytes = chunks[chunk.id];
        if (read_local(chunk, bytes)) {
          meter_.update([&](Stats& stats) {
            ++stats.chunks_reused;
            stats.bytes_reused += chunk.length;
            stats.bytes_done += chunk.length;
          });
        } else {
          bytes.clear();
          by_pack[chunk.pack].emplace_back(&chunk, chunk.id);
        }
      }
    }
    for (const auto& entry : coalesce(by_pack)) {
      const auto& ids = entry.second; // not a structured binding: clang 14 cannot capture one
      download(entry.first, [&](std::size_t index, std::span<const std::byte> bytes) {
        chunks[ids[index]].assign(bytes.begin(), bytes.end());
      });
    }
    std::vector<std::byte> file;
    for (const auto* manifest : window) {
      file.clear();
      for (const auto& chunk : manifest->chunks) {
        const auto& bytes = chunks.at(chunk.id);
        file.insert(file.end(), bytes.begin(), bytes.end());
      }
      OutputFile output(cache_.tmp_dir());
      output.write_at(0, file);
      output.close();
      cache_.adopt_file(output.path(), manifest->id, hash::sha256_hex(file));
      output.adopted();
      done.push_back(manifest);
      meter_.update([](Stats& stats) { ++stats.files_transferred; });
    }
  }

  void fetch_chunks(const cache::Manifest& manifest) {
    meter_.update([&](Stats& stats) { stats.bytes_planned += manifest.size; });
    OutputFile output(cache_.tmp_dir());
    output.set_size(manifest.size);
    std::vector<Repeat> repeats;
    auto ranges = plan(manifest, output, repeats);
    {
      util::TaskPool pool(options_.jobs, options_.jobs * 2);
      for (const auto& entry : ranges) {
        pool.submit([&, &range = entry.first, &offsets = entry.second] {
          download(range, [&](std::size_t index, std::span<const std::byte> bytes) {
            output.write_at(offsets[index], bytes);
          });
        });
      }
      pool.wait();
    }
    for (const auto& repeat : repeats) {
      output.copy_within(repeat.from, repeat.to, repeat.length);
    }
    const auto actual_id = output.finish_hash();
    output.close();
    cache_.adopt_file(output.path(), manifest.id, actual_id);
    output.adopted();
    cache_.write_manifest(manifest);
    cache_.state().record_local_chunks(manifest);
    meter_.update([](Stats& stats) { ++stats.files_transferred; });
  }

  // The file's manifest from the remote, or nullopt when the remote does not have it.
  std::optional<cache::Manifest> read_manifest(const std::string& file_id) {
    std::string text;
    try {
      text = read_object(remote_, manifest_key(file_id), meter_);
    } catch (const Error& error) {
      if (error.kind() != Failure::not_found) {
        throw;
      }
      cache_.state().forget_remote_manifest(remote_.state_key, file_id);
      return std::nullopt;
    }
    const auto source = remote_.store.display_url() + "/" + manifest_key(file_id);
    auto manifest = parse_remote_manifest(text, source);
    if (manifest.id != file_id) {
      throw Error(Failure::corrupt, source + " describes file " + manifest.id + ", not " + file_id,
                  "the remote is damaged; push the data again");
    }
    for (const auto& chunk : manifest.chunks) {
      if (chunk.pack.empty()) {
        throw Error(Failure::corrupt, source + ": chunk " + chunk.id + " has no pack location",
                    "the remote is damaged; push the data again");
      }
    }
    cache_.state().record_remote_chunks(remote_.state_key, manifest);
    cache_.state().record_remote_manifest(remote_.state_key, file_id);
    return manifest;
  }

  // Copies what cached versions already hold; returns coalesced range reads for the rest, each
  // with the file offset of every chunk. A chunk that occurs again later in the file (runs of
  // zeros, repeated layers) is downloaded once and copied to its other places afterwards
  // (`repeats`).
  std::vector<std::pair<Range, std::vector<std::uint64_t>>>
  plan(const cache::Manifest& manifest, OutputFile& output, std::vector<Repeat>& repeats) {
    std::map<std::string, std::vector<std::pair<const cache::ChunkEntry*, std::uint64_t>>> by_pack;
    std::map<std::string, std::uint64_t> planned; // chunk id -> file offset of its download
    std::vector<std::byte> bytes;
    std::uint64_t file_offset = 0;
    for (const auto& chunk : manifest.chunks) {
      if (const auto first = planned.find(chunk.id); first != planned.end()) {
        repeats.push_back({first->second, file_offset, chunk.length});
        meter_.update([&](Stats& stats) {
          ++stats.chunks_reused;
          stats.bytes_reused += chunk.length;
          stats.bytes_done += chunk.length;
        });
      } else if (read_local(chunk, bytes)) {
        output.write_at(file_offset, bytes);
        meter_.update([&](Stats& stats) {
          ++stats.chunks_reused;
          stats.bytes_reused += chunk.length;
          stats.bytes_done += chunk.length;
        });
      } else {
        by_pack[chunk.pack].emplace_back(&chunk, file_offset);
        planned.emplace(chunk.id, file_offset);
      }
      file_offset += chunk.length;
    }
    return coalesce(by_pack);
  }

  // Reads a chunk that a cached file holds (the local chunk index says where), checking it
  // against its id; false when there is none or it no longer matches (then it is downloaded).
  bool read_local(const cache::ChunkEntry& chunk, std::vector<std::byte>& bytes) {
    const auto local = cache_.state().find_local_chunk(chunk.id);
    if (!local || local->length != chunk.length || !cache_.has_file(local->file_id)) {
      return false;
    }
    bytes.resize(chunk.length);
    const int fd = ::open(cache_.file_path(local->file_id).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return false;
    }
    std::size_t got = 0;
    try {
      got = util::read_at(fd, local->offset, bytes, cache_.file_path(local->file_id));
    } catch (const Error&) {
      got = 0;
    }
    ::close(fd);
    return got == bytes.size() && hash::sha256_hex(bytes) == chunk.id;
  }

  // Reads one range and hands on each chunk (by its index in the range) once it is decoded and
  // verified; one retry of the whole range on a bad chunk (a transient fault), then the pack is
  // reported as damaged. A chunk handed on may be handed on again by the retry.
  void download(const Range& range,
                const std::function<void(std::size_t, std::span<const std::byte>)>& on_chunk) {
    for (int attempt = 0;; ++attempt) {
      const auto bad = try_download(range, on_chunk);
      if (!bad) {
        meter_.update([&](Stats& stats) { stats.chunks_new += range.chunks.size(); });
        return;
      }
      if (attempt >= 1) {
        throw Error(Failure::corrupt,
                    "chunk " + *bad + " in pack " + range.pack + " on " +
                        remote_.store.display_url() +
                        " is corrupted (its bytes do not match its id)",
                    "nothing was written to the cache or workspace; push the file again from a "
                    "machine that has a good copy");
      }
    }
  }

  std::optional<std::string>
  try_download(const Range& range,
               const std::function<void(std::size_t, std::span<const std::byte>)>& on_chunk) {
    std::size_t next = 0; // next chunk of the range to complete
    std::uint64_t position = range.offset;
    std::vector<std::byte> chunk_bytes; // as stored in the pack
    std::vector<std::byte> decoded;
    std::optional<std::string> bad;
    const bool found = remote_.store.get_range(
        pack_key(range.pack), {range.offset, range.length}, [&](std::span<const std::byte> block) {
          while (!block.empty() && next < range.chunks.size() && !bad) {
            const auto& chunk = *range.chunks[next];
            if (position < chunk.pack_offset) { // a gap between coalesced chunks
              const auto skip = std::min<std::uint64_t>(chunk.pack_offset - position, block.size());
              block = block.subspan(skip);
              position += skip;
              continue;
            }
            const auto take =
                std::min<std::uint64_t>(chunk.pack_length() - chunk_bytes.size(), block.size());
            chunk_bytes.insert(chunk_bytes.end(), block.begin(),
                               block.begin() + static_cast<std::ptrdiff_t>(take));
            block = block.subspan(take);
            position += take;
            if (chunk_bytes.size() == chunk.pack_length()) {
              // Verified after decoding: the id is the SHA-256 of the chunk's own bytes.
              const bool raw = chunk.encoding == cache::ChunkEncoding::raw;
              if ((!raw && !decode_chunk(chunk.encoding, chunk_bytes, chunk.length, decoded)) ||
                  hash::sha256_hex(raw ? chunk_bytes : decoded) != chunk.id) {
                bad = chunk.id;
                return;
              }
              on_chunk(next, raw ? chunk_bytes : decoded);
              meter_.update([&](Stats& stats) { stats.bytes_done += chunk.length; });
              chunk_bytes.clear();
              ++next;
            }
          }
        });
    meter_.update([&](Stats& stats) {
      ++stats.requests;
      ++stats.objects_received;
      stats.bytes_received += position - range.offset;
    });
    if (!found) {
      throw Error(Failure::not_found,
                  "pack " + range.pack + " is missing from " + remote_.store.display_url(),
                  "the remote is incomplete; push the data again from a machine that has it");
    }
    if (!bad && next < range.chunks.size()) {
      bad = range.chunks[next]->id; // the pack ended early
    }
    return bad;
  }

  cache::Cache& cache_;
  RemoteHandle remote_;
  const Options& options_;
  Meter& meter_;
  std::mutex record_mutex_;
};

} // namespace

cache::DirListing
load_dir_listing(cache::Cache& cache, RemoteHandle remote, const std::string& dir_id) {
  if (auto listing = cache.read_dir(dir_id)) {
    return *listing;
  }
  Meter meter({});
  std::string text;
  try {
    text = read_object(remote, dir_key(dir_id), meter);
  } catch (const Error& error) {
    if (error.kind() != Failure::not_found) {
      throw;
    }
    throw Error(Failure::not_found,
                "dir listing " + dir_id + " is not on remote " + remote.store.display_url(),
                "push it from a machine that has it (`mlv push`)");
  }
  const auto source = remote.store.display_url() + "/" + dir_key(dir_id);
  if (hash::sha256_hex(text) != dir_id) {
    throw Error(Failure::corrupt,
                "dir listing " + source + " is corrupted (its bytes do not match its id)",
                "push the folder again from a machine that has it");
  }
  auto listing = cache::parse_dir_listing(text, source);
  cache.write_dir(listing);
  return listing;
}

Stats fetch(cache::Cache& cache,
            RemoteHandle remote,
            const Targets& targets,
            const Options& options) {
  Meter meter(options.progress);
  const auto counters_before = remote.store.counters();
  reconcile_remote_record(cache.state(), remote.state_key, check_layout(remote, false, meter));
  std::set<std::string> files = targets.file_ids;
  std::map<std::string, std::string> missing;
  // The folders' listings, to name a folder whose file is missing.
  std::vector<std::pair<std::string, cache::DirListing>> listings;
  // The manifests of folders' files, from their bundles (sorted by id, each once, below).
  std::vector<cache::Manifest> from_bundles;
  for (const auto& dir_id : targets.dir_ids) {
    try {
      const auto& listing =
          listings.emplace_back(dir_id, load_dir_listing(cache, remote, dir_id)).second;
      bool complete = true;
      for (const auto& entry : listing.entries) {
        complete = complete && cache.has_file(entry.id);
      }
      // A folder the cache holds whole needs no bundle; a folder pushed before bundles has
      // none, and its files' manifests are read one by one.
      std::optional<Bundle> bundle;
      if (!complete) {
        bundle = read_bundle(cache, remote, dir_id, meter);
      }
      // A bundle lists its manifests sorted by id (parse_remote_bundle() checks it).
      const auto in_bundle = [&](const std::string& id) {
        return bundle &&
               std::binary_search(bundle->manifests.begin(), bundle->manifests.end(), id, ById{});
      };
      for (const auto& entry : listing.entries) {
        if (!in_bundle(entry.id)) {
          files.insert(entry.id);
        }
      }
      if (bundle) {
        std::move(bundle->manifests.begin(), bundle->manifests.end(),
                  std::back_inserter(from_bundles));
      }
    } catch (const Error& error) {
      if (error.kind() != Failure::not_found) {
        throw;
      }
      missing.emplace(dir_id, "its dir listing is missing");
    }
  }
  // One missing object does not stop the others: everything available is fetched, and every
  // target that stays incomplete is reported at the end.
  // file id -> (dir id, path in the dir) of the folders that list it: built when a file is
  // first missing (a folder may hold 100,000 files).
  std::multimap<std::string, std::pair<std::string, std::string>> in_dirs;
  const auto report = [&](const std::string& id, const std::string& lacking) {
    if (targets.file_ids.contains(id)) {
      missing.emplace(id, lacking);
    }
    if (in_dirs.empty()) {
      for (const auto& [dir_id, listing] : listings) {
        for (const auto& entry : listing.entries) {
          in_dirs.emplace(entry.id, std::make_pair(dir_id, entry.path));
        }
      }
    }
    const auto [first, last] = in_dirs.equal_range(id);
    for (auto it = first; it != last; ++it) {
      missing.emplace(it->second.first, "its file " + it->second.second + " is missing" +
                                            (lacking.empty() ? "" : ": " + lacking));
    }
  };
  Fetcher fetcher(cache, remote, options, meter);
  std::sort(from_bundles.begin(), from_bundles.end(), ById{});
  from_bundles.erase(std::unique(from_bundles.begin(), from_bundles.end(),
                                 [](const auto& a, const auto& b) { return a.id == b.id; }),
                     from_bundles.end());
  for (const auto& manifest : from_bundles) {
    files.erase(manifest.id); // also a file of its own: the bundle has its manifest already
  }
  for (const auto& [id, lacking] : fetcher.fetch_bundled(from_bundles)) {
    report(id, lacking);
  }
  for (const auto& id : files) {
    if (const auto lacking = fetcher.fetch_file(id)) {
      report(id, *lacking);
    }
  }
  auto stats = meter.finish(remote.store, counters_before);
  stats.missing = std::move(missing);
  return stats;
}

} // namespace mlv::transfer
