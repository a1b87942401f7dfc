#pragma once

#include <mlv/cache/cache.hpp>
#include <mlv/util/fs.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace mlv::workspace {

// The id of a workspace file: from the state database when its (path, inode, size, mtime) is
// unchanged, otherwise hashed (or, with `store`, stored in the cache in the same read) and
// recorded. Symbolic links are followed.
cache::StoredFile identify_file(cache::Cache& cache, const std::filesystem::path& path, bool store);

// Called with a file's size each time one is done (for a progress meter).
using FileDone = std::function<void(std::uint64_t size)>;

// The dir listing of a workspace folder (regular files, recursively, sorted), each file
// identified as above.
cache::DirListing identify_dir(cache::Cache& cache,
                               const std::filesystem::path& folder,
                               bool store,
                               const FileDone& done = {});

// The regular files a path holds (itself, or a folder's, recursively) and their total size,
// from the folder entries alone: what a progress meter plans for.
struct FileCount {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
};
FileCount count_files(const std::filesystem::path& path);

} // namespace mlv::workspace
