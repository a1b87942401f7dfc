#pragma once

#include <mlv/cache/cache.hpp>
#include <mlv/util/atomic_file.hpp>

#include <filesystem>

namespace mlv::cache {

// Copies `source` into `file`, reading it once: this thread reads and hashes blocks while a
// writer thread writes them, so hashing and writing overlap on two cores. Writes bypass the page
// cache (O_DIRECT) where the filesystem allows, so the final fsync has nothing left to flush and
// the copy does not evict other data; elsewhere they are ordinary writes. Memory stays at a few
// blocks whatever the file size. Returns the id and size of the bytes written.
StoredFile copy_hashing(const std::filesystem::path& source, util::AtomicFile& file);

// The same copy without hashing, for an object already verified. Not copy_file_range: on a
// filesystem without reflinks that fills the page cache with a second copy of the bytes, and
// fresh page-cache pages cost far more than direct writes (on a 1 GiB pull, 2.9 s against 0.7 s
// on the benchmark machine).
void copy_unhashed(const std::filesystem::path& source, util::AtomicFile& file);

} // namespace mlv::cache
