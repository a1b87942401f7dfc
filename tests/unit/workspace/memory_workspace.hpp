#pragma once

#include <mlv/cache/cache.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/pointer/pointer.hpp>
#include <mlv/util/env.hpp>
#include <mlv/workspace/tracked.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

namespace mlv::test {

// A workspace at /repo and its cache, both in memory (util::make_memory_env) with an in-memory
// state database: the workspace's decisions tested without a disk, in milliseconds.
class MemoryWorkspaceTest : public ::testing::Test {
protected:
  static inline const std::filesystem::path k_root = "/repo";

  std::filesystem::path at(const std::string& relative) const { return k_root / relative; }

  void write(const std::string& relative, const std::string& bytes, unsigned mode = 0644) {
    env_->write_file(at(relative), bytes, mode);
  }

  // Puts `bytes` in the cache as a file object and returns its id.
  std::string cache_object(const std::string& bytes) {
    const auto id = hash::sha256_hex(bytes);
    env_->write_file(cache_.file_path(id), bytes, 0444);
    return id;
  }

  static pointer::Pointer file_pointer(const std::string& bytes) {
    pointer::Pointer pointer;
    pointer.kind = pointer::Kind::file;
    pointer.sha256 = hash::sha256_hex(bytes);
    pointer.size = bytes.size();
    return pointer;
  }

  // The pointer of a folder whose listing is in the cache.
  pointer::Pointer dir_pointer(const cache::DirListing& listing) {
    pointer::Pointer pointer;
    pointer.kind = pointer::Kind::dir;
    pointer.sha256 = cache_.write_dir(listing);
    pointer.size = listing.total_size();
    pointer.files = listing.entries.size();
    return pointer;
  }

  static workspace::Tracked tracked(const std::string& data_path, pointer::Pointer pointer) {
    return {data_path + ".mlv", data_path, std::move(pointer)};
  }

  std::unique_ptr<util::Env> env_ = util::make_memory_env();
  cache::Cache cache_{k_root / ".mlv/cache", *env_, ":memory:"};
};

} // namespace mlv::test
