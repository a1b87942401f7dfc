#pragma once

#include <mlv/cache/cache.hpp>
#include <mlv/chunk/fastcdc.hpp>
#include <mlv/remote/object_store.hpp>
#include <mlv/transfer/pack.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mlv::transfer {

// Remote layout (docs/formats.md, "Remote layout").
inline constexpr const char* k_layout_file = "mlv-remote.yaml";
inline constexpr int k_layout_version = 1;
std::string pack_key(const std::string& pack_id);     // packs/<2 hex>/<id>
std::string manifest_key(const std::string& file_id); // manifests/<2 hex>/<id>
std::string dir_key(const std::string& dir_id);       // dirs/<2 hex>/<id>
std::string bundle_key(const std::string& dir_id);    // bundles/<2 hex>/<id>

// A remote as transfer sees it: the store and the key under which the state database
// remembers what the remote holds (its URL, secrets redacted).
struct RemoteHandle {
  remote::ObjectStore& store;
  std::string state_key;
};

// What to move. Dir ids bring their files along.
struct Targets {
  std::set<std::string> file_ids;
  std::set<std::string> dir_ids;
  // Earlier versions of the same paths (from git history): push reads their manifests from the
  // remote, so chunks they share with the targets are not uploaded again.
  std::set<std::string> history_file_ids;
  // Earlier versions of the same folders: push reads their bundles for the same reason.
  std::set<std::string> history_dir_ids;
  // Workspace files that were added as these ids: push chunks them instead of the cache object
  // when their bytes prove equal (they are likely still in the page cache).
  std::map<std::string, std::filesystem::path> workspace_files;
  // What names each id (a pointer file), for messages about it.
  std::map<std::string, std::string> labels;
};

struct Stats {
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t objects_sent = 0;     // packs, manifests, bundles, dir listings written
  std::uint64_t objects_received = 0; // manifests, bundles, dir listings, pack ranges read
  std::uint64_t requests = 0;         // requests made, retries included
  std::uint64_t retries = 0;          // requests that were attempts again after a failure
  std::uint64_t files_transferred = 0;
  std::uint64_t files_skipped = 0; // already there
  std::uint64_t chunks_new = 0;    // chunks packed (push) or downloaded (fetch)
  std::uint64_t chunks_reused = 0; // chunks already on the remote (push) or local (fetch)
  std::uint64_t bytes_reused = 0;
  // Progress through the files being moved: their total size as known so far, and how much of
  // it is done (sent, received or reused). For the ETA.
  std::uint64_t bytes_planned = 0;
  std::uint64_t bytes_done = 0;
  // Files handled so far and in all, for local work (add, checkout) that reports on this meter.
  std::uint64_t files_planned = 0;
  std::uint64_t files_done = 0;
  double seconds = 0;
  // fetch: target ids (files or dirs) the remote could not complete -> what it lacks ("" for
  // the file's own manifest). Everything else was fetched.
  std::map<std::string, std::string> missing;
};

using ProgressCallback = std::function<void(const Stats&)>;

struct Options {
  unsigned jobs = 4;
  std::uint64_t pack_size = k_default_pack_size;
  // push: zstd level chunks are tried at (remote.NAME.compression); 0 stores every chunk raw.
  int compression_level = k_default_compression_level;
  chunk::Params params = chunk::k_default_params;
  // push: read every pack the targets point into and hash it, re-uploading what is damaged,
  // instead of only checking that the packs exist.
  bool verify_remote = false;
  ProgressCallback progress; // called from any thread, at most a few times a second
};

// Uploads what the remote lacks: packs first (in parallel), then manifests of single files and a
// bundle of the manifests of each folder's files, then dir listings, so a present manifest
// always means a complete file and a present dir listing a complete folder. Before sending
// anything, throws Error(missing) naming every target (by its label) that neither the cache nor the
// remote holds.
Stats push(cache::Cache& cache,
           RemoteHandle remote,
           const Targets& targets,
           const Options& options);

// Downloads into the cache what it lacks: manifests and dir listings, then every chunk not in
// the local chunk index as coalesced range reads, each chunk verified by SHA-256, each file
// verified whole before its rename. A target the remote lacks (its manifest, dir listing, a
// file of its folder, or a pack) does not stop the others: it is listed in Stats::missing.
// Throws Error(integrity) naming the object when a byte is wrong.
Stats fetch(cache::Cache& cache,
            RemoteHandle remote,
            const Targets& targets,
            const Options& options);

// Reads the remote's mlv-remote.yaml (one request; with `create`, writes it when absent) and drops
// the state database's record of the remote when the file is missing or names another remote id
// than the one recorded (docs/remotes.md, "What mlv remembers about a remote"). Error(remote)
// when the remote's location does not exist and `create` is false.
void open_remote_record(cache::Cache& cache, RemoteHandle remote, bool create);

// Which of these file and dir ids the remote holds whole: a manifest present and every pack it
// points into present (with `verify`, read whole and found intact); a dir listing present with
// its bundle and every pack the bundle points into (or, for a folder pushed before bundles, the
// manifest of each of its files, whole).
// The state database is not trusted for this, only used to find a manifest's packs without
// reading it: manifests are confirmed by listing a key prefix that two or more ids share (one
// request for up to 1,000 keys) or a HEAD per id, whichever costs fewer requests, then their
// packs the same way. What is found missing or damaged is dropped from the state database.
std::set<std::string> present_on_remote(cache::Cache& cache,
                                        RemoteHandle remote,
                                        const std::set<std::string>& file_ids,
                                        const std::set<std::string>& dir_ids,
                                        unsigned jobs,
                                        bool verify = false);

// Reads a dir listing from the cache, or from the remote into the cache.
cache::DirListing
load_dir_listing(cache::Cache& cache, RemoteHandle remote, const std::string& dir_id);

} // namespace mlv::transfer
