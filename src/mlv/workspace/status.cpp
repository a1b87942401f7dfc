#include <mlv/transfer/meter.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/workspace/file_ids.hpp>
#include <mlv/workspace/file_progress.hpp>
#include <mlv/workspace/materialize.hpp>
#include <mlv/workspace/status.hpp>

#include <algorithm>
#include <iterator>

namespace mlv::workspace {

namespace {

namespace fs = std::filesystem;

// Whether a folder holds what the dir listing `id` records: the same files, and the empty folders
// it names. Empty folders it does not name are ignored, as git ignores them: a folder added
// before listings recorded empty folders (version 1) still matches.
bool matches_listing(cache::Cache& cache,
                     const fs::path& data,
                     cache::DirListing actual,
                     const std::string& id,
                     const std::optional<cache::DirListing>& recorded) {
  if (recorded) {
    return actual.entries == recorded->entries &&
           std::all_of(recorded->empty_dirs.begin(), recorded->empty_dirs.end(),
                       [&](const std::string& folder) {
                         const auto info = cache.env().stat(data / folder);
                         return info && info->type == util::Env::Type::directory;
                       });
  }
  // Without the listing, the two listings the folder could have been recorded as.
  if (cache::dir_listing_id(actual) == id) {
    return true;
  }
  actual.empty_dirs.clear();
  return cache::dir_listing_id(actual) == id;
}

// Whether the workspace holds what the pointer records: its id, and its size (a pointer whose
// size disagrees with its own id describes no content, so nothing matches it).
// For a folder that does not match, `changes` (when given) receives what differs inside it, from
// the same listing: the folder's files are looked at once.
bool workspace_matches(cache::Cache& cache,
                       const fs::path& data,
                       const util::Env::Info& info,
                       const pointer::Pointer& pointer,
                       std::vector<FolderChange>* changes,
                       const FileDone& done) {
  if (pointer.kind == pointer::Kind::dir) {
    if (info.type != util::Env::Type::directory) {
      return false;
    }
    auto listing = identify_dir(cache, data, false, done);
    const auto recorded = cache.read_dir(pointer.sha256);
    const bool matches = listing.total_size() == pointer.size &&
                         (!pointer.files || *pointer.files == listing.entries.size()) &&
                         matches_listing(cache, data, listing, pointer.sha256, recorded);
    if (!matches && changes != nullptr && recorded) {
      *changes = folder_changes(*recorded, listing);
    }
    return matches;
  }
  if (info.type != util::Env::Type::file) {
    return false;
  }
  const auto stored = identify_file(cache, data, false);
  if (done) {
    done(stored.size);
  }
  return stored.id == pointer.sha256 && stored.size == pointer.size;
}

// Removes what an interrupted checkout left beside tracked files, unless another command holds
// the workspace (its temporaries are in use).
void sweep_stale_temporaries(Context& context, const std::vector<Tracked>& tracked) {
  const auto lock = context.try_lock_workspace();
  if (!lock) {
    return;
  }
  std::vector<std::string> targets;
  for (const auto& item : tracked) {
    const auto data = context.absolute(item.data_path);
    if (item.pointer.kind == pointer::Kind::file) {
      targets.push_back(data.string());
    } else if (const auto listing = context.cache().read_dir(item.pointer.sha256)) {
      for (const auto& entry : listing->entries) {
        targets.push_back((data / entry.path).string());
      }
    }
  }
  sweep_temporaries(std::move(targets));
}

} // namespace

State workspace_state(cache::Cache& cache,
                      const std::filesystem::path& data,
                      const pointer::Pointer& pointer,
                      std::vector<FolderChange>* changes,
                      const FileDone& done) {
  const auto info = cache.env().stat(data);
  if (!info) {
    return State::missing;
  }
  return workspace_matches(cache, data, *info, pointer, changes, done) ? State::up_to_date
                                                                       : State::modified;
}

std::optional<std::string> recorded_size_mismatch(cache::Cache& cache,
                                                  const pointer::Pointer& pointer) {
  if (pointer.kind == pointer::Kind::file) {
    const auto info = cache.env().stat(cache.file_path(pointer.sha256));
    if (!info || info->size == pointer.size) {
      return std::nullopt;
    }
    return "field 'size' is " + std::to_string(pointer.size) +
           " but the file its sha256 names is " + std::to_string(info->size) + " bytes";
  }
  const auto listing = cache.read_dir(pointer.sha256);
  if (!listing) {
    return std::nullopt;
  }
  if (listing->total_size() != pointer.size) {
    return "field 'size' is " + std::to_string(pointer.size) +
           " but the files of the folder its sha256 names add up to " +
           std::to_string(listing->total_size()) + " bytes";
  }
  if (pointer.files && *pointer.files != listing->entries.size()) {
    return "field 'files' is " + std::to_string(*pointer.files) +
           " but the folder its sha256 names has " + std::to_string(listing->entries.size());
  }
  return std::nullopt;
}

std::string state_key(State state) {
  switch (state) {
  case State::up_to_date:
    return "up_to_date";
  case State::modified:
    return "modified";
  case State::missing:
    return "missing";
  case State::not_in_cache:
    return "not_in_cache";
  case State::not_on_remote:
    return "not_on_remote";
  }
  return "unknown";
}

std::string state_words(State state) {
  switch (state) {
  case State::up_to_date:
    return "up to date";
  case State::modified:
    return "modified";
  case State::missing:
    return "missing from workspace";
  case State::not_in_cache:
    return "not in cache";
  case State::not_on_remote:
    return "not on remote";
  }
  return "unknown";
}

std::string change_key(FolderChange::Kind kind) {
  switch (kind) {
  case FolderChange::Kind::added:
    return "added";
  case FolderChange::Kind::modified:
    return "modified";
  case FolderChange::Kind::deleted:
    return "deleted";
  }
  return "modified";
}

std::vector<FolderChange> folder_changes(const cache::DirListing& recorded,
                                         const cache::DirListing& actual) {
  using Kind = FolderChange::Kind;
  std::vector<FolderChange> changes;
  // Both listings are sorted by path (identify_dir, parse_dir_listing): one merge pass.
  auto old_entry = recorded.entries.begin();
  auto new_entry = actual.entries.begin();
  while (old_entry != recorded.entries.end() || new_entry != actual.entries.end()) {
    if (new_entry == actual.entries.end() ||
        (old_entry != recorded.entries.end() && old_entry->path < new_entry->path)) {
      changes.push_back({old_entry++->path, Kind::deleted});
    } else if (old_entry == recorded.entries.end() || new_entry->path < old_entry->path) {
      changes.push_back({new_entry++->path, Kind::added});
    } else {
      if (old_entry->id != new_entry->id || old_entry->executable != new_entry->executable) {
        changes.push_back({new_entry->path, Kind::modified});
      }
      ++old_entry;
      ++new_entry;
    }
  }
  std::vector<std::string> gone;
  std::set_difference(recorded.empty_dirs.begin(), recorded.empty_dirs.end(),
                      actual.empty_dirs.begin(), actual.empty_dirs.end(), std::back_inserter(gone));
  for (const auto& folder : gone) {
    changes.push_back({folder + "/", Kind::deleted});
  }
  std::vector<std::string> made;
  std::set_difference(actual.empty_dirs.begin(), actual.empty_dirs.end(),
                      recorded.empty_dirs.begin(), recorded.empty_dirs.end(),
                      std::back_inserter(made));
  for (const auto& folder : made) {
    changes.push_back({folder + "/", Kind::added});
  }
  std::sort(changes.begin(), changes.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  return changes;
}

bool in_cache(cache::Cache& cache, const pointer::Pointer& pointer) {
  if (pointer.kind == pointer::Kind::file) {
    return cache.has_file(pointer.sha256);
  }
  const auto listing = cache.read_dir(pointer.sha256);
  if (!listing) {
    return false;
  }
  std::vector<std::string> ids;
  ids.reserve(listing->entries.size());
  for (const auto& entry : listing->entries) {
    ids.push_back(entry.id);
  }
  return cache.has_all_files(ids);
}

void check_recorded_sizes(cache::Cache& cache, const std::vector<Tracked>& tracked) {
  std::string list;
  for (const auto& item : tracked) {
    if (const auto mismatch = recorded_size_mismatch(cache, item.pointer)) {
      list += "\n  " + item.pointer_path + ": " + *mismatch;
    }
  }
  if (!list.empty()) {
    throw Error(Failure::invalid_input,
                "these pointers disagree with the data their sha256 names:" + list,
                "restore them (e.g. `git checkout -- PATH.mlv`), or re-run `mlv add` on the data");
  }
}

std::vector<StatusEntry> status(Context& context,
                                const std::vector<Tracked>& tracked,
                                std::optional<transfer::RemoteHandle> remote,
                                unsigned jobs,
                                bool verify_remote,
                                const transfer::ProgressCallback& progress) {
  auto& cache = context.cache();
  std::set<std::string> on_remote;
  if (remote) {
    std::set<std::string> file_ids;
    std::set<std::string> dir_ids;
    for (const auto& item : tracked) {
      (item.pointer.kind == pointer::Kind::dir ? dir_ids : file_ids).insert(item.pointer.sha256);
    }
    transfer::open_remote_record(cache, *remote, false);
    on_remote = transfer::present_on_remote(cache, *remote, file_ids, dir_ids, jobs, verify_remote);
  }
  sweep_stale_temporaries(context, tracked);
  transfer::Meter meter(progress);
  FileDone done;
  if (progress) {
    std::vector<std::filesystem::path> present;
    for (const auto& item : tracked) {
      if (auto data = context.absolute(item.data_path); cache.env().stat(data)) {
        present.push_back(std::move(data));
      }
    }
    done = plan_file_progress(meter, present);
  }
  std::vector<StatusEntry> entries;
  for (const auto& item : tracked) {
    StatusEntry entry{item.data_path, std::string(pointer::kind_name(item.pointer.kind)), {}, {}};
    if (const auto state = workspace_state(cache, context.absolute(item.data_path), item.pointer,
                                           &entry.changes, done);
        state != State::up_to_date) {
      entry.states.push_back(state);
    }
    if (!in_cache(cache, item.pointer)) {
      entry.states.push_back(State::not_in_cache);
    }
    if (remote && !on_remote.contains(item.pointer.sha256)) {
      entry.states.push_back(State::not_on_remote);
    }
    if (entry.states.empty()) {
      entry.states.push_back(State::up_to_date);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

} // namespace mlv::workspace
