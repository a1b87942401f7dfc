#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/file_ids.hpp>

#include <algorithm>

namespace mlv::workspace {

namespace fs = std::filesystem;

cache::StoredFile identify_file(cache::Cache& cache, const fs::path& path, bool store) {
  const auto stamp = util::stat_file(path, true);
  if (!stamp) {
    throw Error(ExitCode::missing, "no such file: " + path.string());
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
    identified = {hash::sha256_file_hex(path), stamp->size};
  }
  // Record against the stamp taken before the read: a write during the read changes the
  // mtime, so the next look-up misses and hashes again instead of trusting a stale id.
  if (util::stat_file(path, true) == stamp) {
    state.record_file_id(path, *stamp, identified.id);
  }
  return identified;
}

cache::DirListing
identify_dir(cache::Cache& cache, const fs::path& folder, bool store, const FileDone& done) {
  cache::DirListing listing;
  std::error_code error;
  fs::recursive_directory_iterator it(folder, error);
  if (error) {
    throw Error(ExitCode::failure, "cannot list " + folder.string() + ": " + error.message());
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) {
      throw Error(ExitCode::failure, "cannot list " + folder.string() + ": " + error.message());
    }
    if (it->is_directory(error) && !it->is_symlink(error) && fs::is_empty(it->path(), error)) {
      // An empty folder is part of what the folder is (a SavedModel's `assets/`).
      listing.empty_dirs.push_back(it->path().lexically_relative(folder).generic_string());
      continue;
    }
    if (!it->is_regular_file(error)) {
      continue;
    }
    const auto stored = identify_file(cache, it->path(), store);
    const auto stamp = util::stat_file(it->path(), true);
    listing.entries.push_back({it->path().lexically_relative(folder).generic_string(), stored.id,
                               stored.size, stamp && stamp->executable});
    if (done) {
      done(stored.size);
    }
  }
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
