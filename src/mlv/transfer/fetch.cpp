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

struct Placement {
  std::size_t index = 0;         // chunk index in the manifest
  std::uint64_t file_offset = 0; // where the chunk goes in the file
};

// One coalesced range read: consecutive chunks of one pack.
struct Request {
  std::string pack;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::vector<Placement> chunks; // ordered by pack offset
};

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
  std::optional<std::string> fetch_file(const std::string& file_id) {
    if (cache_.has_file(file_id)) {
      meter_.update([](Stats& stats) { ++stats.files_skipped; });
      return std::nullopt;
    }
    const auto manifest = read_manifest(file_id);
    if (!manifest) {
      return std::string();
    }
    try {
      fetch_chunks(*manifest);
    } catch (const Error& error) {
      if (error.kind() != Failure::not_found) {
        throw;
      }
      return std::string(error.what());
    }
    return std::nullopt;
  }

private:
  void fetch_chunks(const cache::Manifest& manifest) {
    meter_.update([&](Stats& stats) { stats.bytes_planned += manifest.size; });
    OutputFile output(cache_.tmp_dir());
    output.set_size(manifest.size);
    std::vector<Repeat> repeats;
    std::vector<Request> requests = plan(manifest, output, repeats);
    {
      util::TaskPool pool(options_.jobs, options_.jobs * 2);
      for (const auto& request : requests) {
        pool.submit([&, request] { download(manifest, request, output); });
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

  // Copies what cached versions already hold; returns coalesced range reads for the rest. A
  // chunk that occurs again later in the file (runs of zeros, repeated layers) is downloaded
  // once and copied to its other places afterwards (`repeats`).
  std::vector<Request>
  plan(const cache::Manifest& manifest, OutputFile& output, std::vector<Repeat>& repeats) {
    std::map<std::string, std::vector<std::pair<std::uint64_t, Placement>>> by_pack;
    std::map<std::string, std::uint64_t> planned; // chunk id -> file offset of its download
    std::uint64_t file_offset = 0;
    for (std::size_t i = 0; i < manifest.chunks.size(); ++i) {
      const auto& chunk = manifest.chunks[i];
      if (const auto first = planned.find(chunk.id); first != planned.end()) {
        repeats.push_back({first->second, file_offset, chunk.length});
        meter_.update([&](Stats& stats) {
          ++stats.chunks_reused;
          stats.bytes_reused += chunk.length;
          stats.bytes_done += chunk.length;
        });
      } else if (!copy_local(chunk, file_offset, output)) {
        by_pack[chunk.pack].emplace_back(chunk.pack_offset, Placement{i, file_offset});
        planned.emplace(chunk.id, file_offset);
      }
      file_offset += chunk.length;
    }
    std::vector<Request> requests;
    for (auto& [pack, chunks] : by_pack) {
      std::sort(chunks.begin(), chunks.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [pack_offset, placement] : chunks) {
        const auto length = manifest.chunks[placement.index].pack_length();
        auto* last = requests.empty() || requests.back().pack != pack ? nullptr : &requests.back();
        if (last != nullptr && pack_offset >= last->offset + last->length &&
            pack_offset - (last->offset + last->length) <= k_coalesce_gap &&
            pack_offset + length - last->offset <= k_max_request) {
          last->length = pack_offset + length - last->offset;
          last->chunks.push_back(placement);
        } else {
          requests.push_back({pack, pack_offset, length, {placement}});
        }
      }
    }
    return requests;
  }

  bool copy_local(const cache::ChunkEntry& chunk, std::uint64_t file_offset, OutputFile& output) {
    const auto local = cache_.state().find_local_chunk(chunk.id);
    if (!local || local->length != chunk.length || !cache_.has_file(local->file_id)) {
      return false;
    }
    std::vector<std::byte> bytes(chunk.length);
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
    // A cached object that no longer matches is simply not used: the chunk is downloaded.
    if (got != bytes.size() || hash::sha256_hex(bytes) != chunk.id) {
      return false;
    }
    output.write_at(file_offset, bytes);
    meter_.update([&](Stats& stats) {
      ++stats.chunks_reused;
      stats.bytes_reused += chunk.length;
      stats.bytes_done += chunk.length;
    });
    return true;
  }

  // Reads one range and writes each chunk after verifying it; one retry of the whole range on
  // a bad chunk (a transient fault), then the pack is reported as damaged.
  void download(const cache::Manifest& manifest, const Request& request, OutputFile& output) {
    for (int attempt = 0;; ++attempt) {
      const auto bad = try_download(manifest, request, output);
      if (!bad) {
        meter_.update([&](Stats& stats) { stats.chunks_new += request.chunks.size(); });
        return;
      }
      if (attempt >= 1) {
        throw Error(Failure::corrupt,
                    "chunk " + *bad + " in pack " + request.pack + " on " +
                        remote_.store.display_url() +
                        " is corrupted (its bytes do not match its id)",
                    "nothing was written to the cache or workspace; push the file again from a "
                    "machine that "
                    "has a good copy");
      }
    }
  }

  std::optional<std::string>
  try_download(const cache::Manifest& manifest, const Request& request, OutputFile& output) {
    std::size_t next = 0; // next chunk of the request to complete
    std::uint64_t position = request.offset;
    std::vector<std::byte> chunk_bytes; // as stored in the pack
    std::vector<std::byte> decoded;
    std::optional<std::string> bad;
    const bool found = remote_.store.get_range(
        pack_key(request.pack), {request.offset, request.length},
        [&](std::span<const std::byte> block) {
          while (!block.empty() && next < request.chunks.size() && !bad) {
            const auto& placement = request.chunks[next];
            const auto& chunk = manifest.chunks[placement.index];
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
              output.write_at(placement.file_offset, raw ? chunk_bytes : decoded);
              meter_.update([&](Stats& stats) { stats.bytes_done += chunk.length; });
              chunk_bytes.clear();
              ++next;
            }
          }
        });
    meter_.update([&](Stats& stats) {
      ++stats.requests;
      ++stats.objects_received;
      stats.bytes_received += position - request.offset;
    });
    if (!found) {
      throw Error(Failure::not_found,
                  "pack " + request.pack + " is missing from " + remote_.store.display_url(),
                  "the remote is incomplete; push the data again from a machine that has it");
    }
    if (!bad && next < request.chunks.size()) {
      bad = manifest.chunks[request.chunks[next].index].id; // the pack ended early
    }
    return bad;
  }

  cache::Cache& cache_;
  RemoteHandle remote_;
  const Options& options_;
  Meter& meter_;
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
  // file id -> (dir id, path in the dir) of the folders that list it
  std::multimap<std::string, std::pair<std::string, std::string>> in_dirs;
  for (const auto& dir_id : targets.dir_ids) {
    try {
      for (const auto& entry : load_dir_listing(cache, remote, dir_id).entries) {
        files.insert(entry.id);
        in_dirs.emplace(entry.id, std::make_pair(dir_id, entry.path));
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
  Fetcher fetcher(cache, remote, options, meter);
  for (const auto& id : files) {
    const auto lacking = fetcher.fetch_file(id);
    if (!lacking) {
      continue;
    }
    if (targets.file_ids.contains(id)) {
      missing.emplace(id, *lacking);
    }
    const auto [first, last] = in_dirs.equal_range(id);
    for (auto it = first; it != last; ++it) {
      missing.emplace(it->second.first, "its file " + it->second.second + " is missing" +
                                            (lacking->empty() ? "" : ": " + *lacking));
    }
  }
  auto stats = meter.finish(remote.store, counters_before);
  stats.missing = std::move(missing);
  return stats;
}

} // namespace mlv::transfer
