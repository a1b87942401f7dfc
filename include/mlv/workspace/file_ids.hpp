#pragma once

#include <mlv/cache/cache.hpp>
#include <mlv/util/fs.hpp>

#include <filesystem>
#include <string>

namespace mlv::workspace {

// The id of a workspace file: from the state database when its (path, inode, size, mtime) is
// unchanged, otherwise hashed (or, with `store`, stored in the cache in the same read) and
// recorded. Symbolic links are followed.
cache::StoredFile identify_file(cache::Cache& cache, const std::filesystem::path& path, bool store);

// The dir listing of a workspace folder (regular files, recursively, sorted), each file
// identified as above.
cache::DirListing
identify_dir(cache::Cache& cache, const std::filesystem::path& folder, bool store);

} // namespace mlv::workspace
