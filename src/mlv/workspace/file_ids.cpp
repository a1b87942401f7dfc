#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/file_ids.hpp>

#include <algorithm>

namespace mlv::workspace {

namespace fs = std::filesystem;

namespace {

// The stamp of what `path` names (following symbolic links), or nullopt when nothing is there.
std::optional<util::FileStamp> stamp_of(util::Env& env, const fs::path& path) {
  const auto info = env.stat(path);
  return info ? std::optional(util::stamp_of(*info)) : std::nullopt;
}

// Adds the regular files among `entries` (those of `folder`; symbolic links to files included,
// links to folders not followed) and the empty folders to `listing`, recursively.
void list_folder(cache::Cache& cache,
                 const fs::path& top,
                 const fs::path& folder,
                 const std::vector<util::Env::Entry>& entries,
                 bool store,
                 const FileDone& done,
                 cache::DirListing& listing) {
  auto& env = cache.env();
  for (const auto& entry : entries) {
    const auto path = folder / entry.name;
    if (entry.type == util::Env::Type::directory) {
      const auto inside = env.list_directory(path);
      if (inside.empty()) {
        // An empty folder is part of what the folder is (a SavedModel's `assets/`).
        listing.empty_dirs.push_back(path.lexically_relative(top).generic_string());
      } else {
        list_folder(cache, top, path, inside, store, done, listing);
      }
      continue;
    }
    if (entry.type == util::Env::Type::symlink) {
      const auto target = env.stat(path);
      if (!target || target->type != util::Env::Type::file) {
        continue;
      }
    } else if (entry.type != util::Env::Type::file) {
      continue;
    }
    const auto stored = identify_file(cache, path, store);
    const auto stamp = stamp_of(env, path);
    listing.entries.push_back({path.lexically_relative(top).generic_string(), stored.id,
                               stored.size, stamp && stamp->executable});
    if (done) {
      done(stored.size);
    }
  }
}

} // namespace

cache::StoredFile identify_file(cache::Cache& cache, const fs::path& path, bool store) {
  auto& env = cache.env();
  const auto stamp = stamp_of(env, path);
  if (!stamp) {
    throw Error(Failure::not_found, "no such file: " + path.string());
  }
  auto& state = cache.state();
  if (auto known = state.find_file_id(path, *stamp)) {
    if (!store || cache.has_file(*known)) {
      return {*known, stamp->size};
    }
  }
  cache::StoredFile identified;
  if (store) {
    identified = cache.store_file(path);
  } else {
    identified = {cache::hash_file(env, path), stamp->size};
  }
  // Record against the stamp taken before the read: a write during the read changes the
  // mtime, so the next look-up misses and hashes again instead of trusting a stale id.
  if (stamp_of(env, path) == stamp) {
    state.record_file_id(path, *stamp, identified.id);
  }
  return identified;
}

cache::DirListing
identify_dir(cache::Cache& cache, const fs::path& folder, bool store, const FileDone& done) {
  cache::DirListing listing;
  list_folder(cache, folder, folder, cache.env().list_directory(folder), store, done, listing);
  std::sort(listing.entries.begin(), listing.entries.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  std::sort(listing.empty_dirs.begin(), listing.empty_dirs.end());
  return listing;
}

FileCount count_files(const fs::path& path) {
  FileCount count;
  std::error_code error;
  if (!fs::is_directory(path, error)) {
    count.files = 1;
    count.bytes = fs::file_size(path, error);
    return error ? FileCount{1, 0} : count;
  }
  for (auto it = fs::recursive_directory_iterator(path, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::error_code entry_error;
    if (it->is_regular_file(entry_error)) {
      const auto size = it->file_size(entry_error);
      ++count.files;
      count.bytes += entry_error ? 0 : size;
    }
  }
  return count; // a folder that cannot be listed is reported by the work itself
}

} // namespace mlv::workspace
