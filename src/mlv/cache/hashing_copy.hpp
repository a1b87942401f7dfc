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

// Copies `source` into `file` in the kernel (copy_file_range), without reading it into this
// process: for an object already verified.
void copy_in_kernel(const std::filesystem::path& source, util::AtomicFile& file);

} // namespace mlv::cache
