#include "hashing_copy.hpp"

#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <sys/stat.h>
#include <thread>
#include <vector>

namespace mlv::cache {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t k_block_size = 4 << 20;
constexpr std::size_t k_blocks_in_flight = 4;
// O_DIRECT needs buffers, offsets and lengths aligned to the device's logical block size; a page
// is a multiple of every common one.
constexpr std::size_t k_direct_alignment = 4096;

struct FreeAligned {
  void operator()(std::byte* bytes) const { std::free(bytes); }
};

// Hands filled blocks from the reading (hashing) thread to the writing thread and back, so
// hashing and writing overlap while memory stays at k_blocks_in_flight blocks.
class BlockPipe {
public:
  struct Block {
    std::unique_ptr<std::byte, FreeAligned> bytes;
    std::size_t size = 0;
  };

  BlockPipe() {
    for (auto& block : blocks_) {
      block.bytes.reset(
          static_cast<std::byte*>(std::aligned_alloc(k_direct_alignment, k_block_size)));
      if (!block.bytes) {
        throw std::bad_alloc();
      }
      free_.push_back(&block);
    }
  }

  Block* take_free() { return pop(free_); }
  void give_free(Block* block) { push(free_, block); }
  Block* take_full() { return pop(full_); }
  void give_full(Block* block) { push(full_, block); } // nullptr: no more blocks

private:
  Block* pop(std::deque<Block*>& queue) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !queue.empty(); });
    auto* block = queue.front();
    queue.pop_front();
    return block;
  }
  void push(std::deque<Block*>& queue, Block* block) {
    {
      const std::lock_guard lock(mutex_);
      queue.push_back(block);
    }
    changed_.notify_all();
  }

  std::array<Block, k_blocks_in_flight> blocks_;
  std::deque<Block*> free_;
  std::deque<Block*> full_;
  std::mutex mutex_;
  std::condition_variable changed_;
};

class SourceFile {
public:
  explicit SourceFile(const fs::path& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)), path_(path) {
    if (fd_ < 0) {
      throw Error(errno == ENOENT ? Failure::not_found : Failure::failed,
                  errno_message("cannot open", path.string(), errno));
    }
  }
  // Read-ahead for a file read in many blocks (not worth a system call for a small one).
  void will_read_sequentially() const { ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL); }
  ~SourceFile() { ::close(fd_); }
  // The size the file has now (it may still change while it is read).
  std::uint64_t size() const {
    struct stat status {};
    return ::fstat(fd_, &status) == 0 && status.st_size > 0
               ? static_cast<std::uint64_t>(status.st_size)
               : 0;
  }
  SourceFile(const SourceFile&) = delete;
  SourceFile& operator=(const SourceFile&) = delete;

  // Fills `buffer` as far as the file allows; returns the bytes read (short only at the end).
  std::size_t read_full(std::byte* buffer, std::size_t size) {
    std::size_t filled = 0;
    while (filled < size) {
      const ssize_t got = ::read(fd_, buffer + filled, size - filled);
      if (got < 0 && errno == EINTR) {
        continue;
      }
      if (got < 0) {
        throw Error(Failure::failed, errno_message("cannot read", path_.string(), errno));
      }
      if (got == 0) {
        break;
      }
      filled += static_cast<std::size_t>(got);
    }
    return filled;
  }

private:
  int fd_;
  fs::path path_;
};

// Writes blocks to the temporary file, with O_DIRECT while the filesystem accepts it: every
// block but the last is a whole number of pages, so only the file's tail goes through the page
// cache. Any refusal (EINVAL) turns O_DIRECT off and the bytes are written the ordinary way.
class TargetWriter {
public:
  // Without `direct`, every write goes through the page cache (a small file: one write).
  TargetWriter(const util::AtomicFile& file, bool direct)
      : fd_(file.fd()), path_(file.temp_path()) {
    const int flags = direct ? ::fcntl(fd_, F_GETFL) : -1;
    direct_ = flags >= 0 && ::fcntl(fd_, F_SETFL, flags | O_DIRECT) == 0;
  }
  ~TargetWriter() { set_direct(false); }
  TargetWriter(const TargetWriter&) = delete;
  TargetWriter& operator=(const TargetWriter&) = delete;

  void write(const std::byte* bytes, std::size_t size) {
    if (direct_) {
      const std::size_t aligned = size - size % k_direct_alignment;
      const std::size_t done = write_all(bytes, aligned);
      bytes += done;
      size -= done;
      if (size > 0) {
        set_direct(false);
      }
    }
    if (write_all(bytes, size) != size) {
      throw write_failed(errno);
    }
  }

private:
  // The target may be in the cache or in the workspace (a checkout's copy): the hint names the
  // folder being written, so a full disk is looked for on the right filesystem.
  Error write_failed(int error_number) const {
    const auto folder = path_.parent_path().string();
    return Error(Failure::failed, errno_message("cannot write", path_.string(), error_number),
                 error_number == ENOSPC || error_number == EDQUOT
                     ? "the filesystem holding " + folder +
                           " is full (or over quota): free space there (`df -h " + folder +
                           "`) and run the command again"
                     : "check that " + folder + " is writable and its filesystem has free space");
  }

  // Writes as much as the current mode allows; returns the bytes written. Only an O_DIRECT
  // write may stop early (errno EINVAL), for the caller to go on without O_DIRECT.
  std::size_t write_all(const std::byte* bytes, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
      const ssize_t written = ::write(fd_, bytes + done, size - done);
      if (written < 0 && errno == EINTR) {
        continue;
      }
      if (written < 0 && errno == EINVAL && direct_) {
        break;
      }
      if (written <= 0) {
        throw write_failed(errno);
      }
      done += static_cast<std::size_t>(written);
      if (direct_ && done % k_direct_alignment != 0) {
        break; // a short direct write leaves the next offset unaligned
      }
    }
    return done;
  }

  void set_direct(bool on) {
    if (direct_ == on) {
      return;
    }
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags >= 0) {
      ::fcntl(fd_, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT);
    }
    direct_ = on;
  }

  int fd_;
  fs::path path_;
  bool direct_ = false;
};

} // namespace

namespace {

// Reads `source` on this thread (hashing each block when `hasher` is given) while a writer
// thread writes the blocks to `file`; returns the bytes copied.
// A file this small is copied on the calling thread through one buffer: a writer thread and the
// pipe's blocks cost more than the copy (a folder of 10,000 small files spent most of its add
// starting threads and mapping blocks).
constexpr std::size_t k_serial_copy = 1 << 20;

std::uint64_t copy_serially(SourceFile& input, util::AtomicFile& file, hash::Sha256* hasher) {
  thread_local std::vector<std::byte> buffer(k_serial_copy);
  TargetWriter output(file, false);
  std::uint64_t size = 0;
  while (const auto got = input.read_full(buffer.data(), buffer.size())) {
    if (hasher != nullptr) {
      hasher->update(std::span<const std::byte>(buffer.data(), got));
    }
    output.write(buffer.data(), got);
    size += got;
  }
  return size;
}

std::uint64_t copy_blocks(const fs::path& source, util::AtomicFile& file, hash::Sha256* hasher) {
  SourceFile input(source);
  if (input.size() <= k_serial_copy) {
    return copy_serially(input, file, hasher);
  }
  input.will_read_sequentially();
  std::uint64_t size = 0;
  BlockPipe pipe;
  TargetWriter output(file, true);
  std::exception_ptr write_error;
  std::atomic<bool> write_failed{false};
  std::thread writer([&] {
    while (auto* block = pipe.take_full()) {
      if (!write_failed) {
        try {
          output.write(block->bytes.get(), block->size);
        } catch (...) {
          write_error = std::current_exception();
          write_failed = true;
        }
      }
      pipe.give_free(block);
    }
  });
  try {
    while (!write_failed) {
      auto* block = pipe.take_free();
      block->size = input.read_full(block->bytes.get(), k_block_size);
      if (block->size == 0) {
        pipe.give_free(block);
        break;
      }
      if (hasher != nullptr) {
        hasher->update(std::span<const std::byte>(block->bytes.get(), block->size));
      }
      size += block->size;
      pipe.give_full(block);
    }
  } catch (...) {
    pipe.give_full(nullptr);
    writer.join();
    throw;
  }
  pipe.give_full(nullptr);
  writer.join();
  if (write_error) {
    std::rethrow_exception(write_error);
  }
  return size;
}

} // namespace

StoredFile copy_hashing(const fs::path& source, util::AtomicFile& file) {
  hash::Sha256 hasher;
  const auto size = copy_blocks(source, file, &hasher);
  return {hasher.finish_hex(), size};
}

void copy_unhashed(const fs::path& source, util::AtomicFile& file) {
  copy_blocks(source, file, nullptr);
}

std::string hash_file(util::Env& env, const std::filesystem::path& path) {
  constexpr std::size_t k_hash_block_size = 1 << 20;
  hash::Sha256 hasher;
  env.read_blocks(path, k_hash_block_size,
                  [&](std::span<const std::byte> block) { hasher.update(block); });
  return hasher.finish_hex();
}

} // namespace mlv::cache
