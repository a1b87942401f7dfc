#pragma once

#include <mlv/hash/sha256.hpp>

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace mlv::transfer {

// Hashes a file while it is being assembled out of order: writers report each range they
// finished, and a thread of its own hashes the file's bytes as far as they are contiguous from
// the start, reading them back from the page cache. So the whole-file hash a fetch must check
// is ready moments after the last chunk lands, instead of costing a second pass over the file.
class FrontierHasher {
public:
  // `fd` stays owned by the caller and open until finish() returns or the hasher is destroyed.
  FrontierHasher(int fd, std::filesystem::path path, std::uint64_t size);
  ~FrontierHasher();
  FrontierHasher(const FrontierHasher&) = delete;
  FrontierHasher& operator=(const FrontierHasher&) = delete;

  // Bytes [offset, offset + length) are written and will not change.
  void written(std::uint64_t offset, std::uint64_t length);
  // Waits until every byte is hashed; returns the file's id. Throws the reading thread's Error,
  // or Error(failure) when the reported ranges never cover the file.
  std::string finish();

private:
  void run();

  int fd_;
  std::filesystem::path path_;
  std::uint64_t size_;
  hash::Sha256 hasher_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::uint64_t, std::uint64_t> done_; // start -> end of written ranges, merged
  std::uint64_t hashed_ = 0;                    // bytes hashed so far (only run() writes it)
  std::uint64_t contiguous_ = 0;                // end of the written prefix
  bool finishing_ = false;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

} // namespace mlv::transfer
