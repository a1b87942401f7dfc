#pragma once

#include <mlv/cache/dir_listing.hpp>
#include <mlv/transfer/transfer.hpp>
#include <mlv/workspace/file_ids.hpp>
#include <mlv/workspace/tracked.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mlv::workspace {

enum class State { up_to_date, modified, missing, not_in_cache, not_on_remote };

// Machine name ("not_in_cache") and words for people ("not in cache").
std::string state_key(State state);
std::string state_words(State state);

// A file (or empty folder, its path ending in '/') inside a tracked folder that is not as the
// folder's pointer records it.
struct FolderChange {
  enum class Kind { added, modified, deleted };
  std::string path; // inside the folder, '/'-separated
  Kind kind;
  bool operator==(const FolderChange&) const = default;
};
std::string change_key(FolderChange::Kind kind); // "added", "modified", "deleted"

// What differs between a folder's recorded listing and another (its workspace content, or the
// listing of another version), sorted by path: other bytes or another executable bit is
// modified.
std::vector<FolderChange> folder_changes(const cache::DirListing& recorded,
                                         const cache::DirListing& actual);

struct StatusEntry {
  std::string data_path;
  std::string kind;
  std::vector<State> states; // up_to_date alone, or one or more problems
  // For a modified folder whose recorded listing is in the cache: what changed inside it.
  std::vector<FolderChange> changes;
};

// Compares each tracked path with its pointer, the cache and, when given, a remote (its manifest
// and the packs it points into confirmed on the remote; with `verify_remote`, those packs read
// whole and hashed). Error(remote) when the remote's folder does not exist. `progress`, when
// set, hears the workspace files and bytes looked at (files_planned and bytes_planned from the
// folder entries first, then files_done and bytes_done), as add and checkout report theirs.
std::vector<StatusEntry> status(Context& context,
                                const std::vector<Tracked>& tracked,
                                std::optional<transfer::RemoteHandle> remote,
                                unsigned jobs,
                                bool verify_remote = false,
                                const transfer::ProgressCallback& progress = {});

// How the workspace's `data` compares with what `pointer` records: missing (nothing there, or a
// dangling link), up_to_date, or modified (other bytes, another kind, another folder content).
// A file whose (path, inode, size, mtime) the state database knows is judged without reading it.
// For a modified folder whose recorded listing is in the cache, `changes` (when given) receives
// the files added, modified and deleted inside it. `done`, when given, hears each workspace file
// looked at (with its size).
State workspace_state(cache::Cache& cache,
                      const std::filesystem::path& data,
                      const pointer::Pointer& pointer,
                      std::vector<FolderChange>* changes = nullptr,
                      const FileDone& done = {});

// Whether the cache holds everything a pointer needs (the file, or the listing and its files).
bool in_cache(cache::Cache& cache, const pointer::Pointer& pointer);

// What a pointer's `size` (or a dir's `files`) contradicts about the data its sha256 names in the
// cache ("field 'size' is 5 but ..."), or nullopt when they agree or the cache lacks the data.
// One stat, or one read of a small dir listing: no pass over the data.
std::optional<std::string> recorded_size_mismatch(cache::Cache& cache,
                                                  const pointer::Pointer& pointer);

// Error(bad_input) naming every pointer of `tracked` with a recorded_size_mismatch: such a
// pointer describes no real content, so nothing is fetched or checked out for it.
void check_recorded_sizes(cache::Cache& cache, const std::vector<Tracked>& tracked);

} // namespace mlv::workspace
