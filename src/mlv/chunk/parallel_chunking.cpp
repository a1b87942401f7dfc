#include <mlv/chunk/fastcdc.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/util/task_pool.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <thread>

namespace mlv::chunk {

namespace {

constexpr std::size_t k_read_block = 4 << 20;
// Chunks are hashed in batches of about this many bytes: one task per batch, not per chunk.
constexpr std::size_t k_batch_bytes = 4 << 20;

// A file of one batch or less, chunked and hashed on this thread: starting the workers costs
// more than hashing it (10,000 small files spent most of an add starting threads). Nothing for a
// larger file.
std::optional<std::vector<ChunkInfo>> chunk_small_file(int fd,
                                                       const std::filesystem::path& path,
                                                       const Params& params,
                                                       std::string* whole_id) {
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    throw Error(Failure::failed, errno_message("cannot stat", path.string(), errno));
  }
  const auto size = static_cast<std::size_t>(status.st_size);
  if (status.st_size < 0 || size > k_batch_bytes) {
    return std::nullopt;
  }
  const std::unique_ptr<std::byte[]> buffer(new std::byte[std::max<std::size_t>(size, 1)]);
  const std::span<std::byte> bytes(buffer.get(), size);
  if (util::read_at(fd, 0, bytes, path) != size) {
    throw Error(Failure::failed, path.string() + " became shorter while it was read",
                "run the command again");
  }
  std::vector<ChunkInfo> chunks;
  Chunker chunker(
      params, [&](const ChunkInfo& info, std::span<const std::byte>) { chunks.push_back(info); });
  chunker.update(bytes);
  chunker.finish();
  if (whole_id != nullptr) {
    *whole_id = hash::sha256_hex(bytes);
  }
  return chunks;
}

} // namespace

std::vector<ChunkInfo> chunk_file_parallel(const std::filesystem::path& path,
                                           const Params& params,
                                           unsigned threads,
                                           std::string* whole_id,
                                           const BatchSink& on_batch) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(Failure::failed, errno_message("cannot open", path.string(), errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (auto small = chunk_small_file(fd, path, params, whole_id)) {
    if (on_batch && !small->empty()) {
      on_batch(*small);
    }
    return std::move(*small);
  }
  // A deque keeps the address of every element while more are appended, so workers can write
  // ids into chunks found earlier while the cutting goes on. This thread only finds the cuts;
  // the workers read their batch's bytes again (from the page cache) and hash them, so nothing
  // is copied here.
  std::deque<ChunkInfo> chunks;
  // Batches handed to the workers, oldest first, until on_batch has seen them. A thread of its
  // own passes them on as they are hashed, so on_batch's work (lookups, reads, uploads) never
  // holds up the cutting. Declared before the pool: its tasks use them until it is destroyed.
  struct Batch {
    std::vector<ChunkInfo*> chunks;
    bool hashed = false;
  };
  std::mutex report_mutex;
  std::condition_variable report_changed;
  std::deque<std::shared_ptr<Batch>> unreported;
  bool cutting_done = false;
  std::exception_ptr report_error;
  const auto report = [&] {
    std::vector<ChunkInfo> ready;
    std::unique_lock lock(report_mutex);
    for (;;) {
      report_changed.wait(lock, [&] {
        return (!unreported.empty() && unreported.front()->hashed) ||
               (cutting_done && unreported.empty());
      });
      if (unreported.empty()) {
        return;
      }
      const auto next = unreported.front();
      unreported.pop_front();
      lock.unlock();
      ready.clear();
      for (const auto* chunk : next->chunks) {
        ready.push_back(*chunk);
      }
      try {
        on_batch(ready);
      } catch (...) {
        lock.lock();
        report_error = std::current_exception();
        unreported.clear();
        return;
      }
      lock.lock();
    }
  };
  // Ends the reporting thread: after the last batch, or at once (`abandon`) when cutting failed.
  const auto finish_reporting = [&](std::thread& reporter, bool abandon) {
    if (!reporter.joinable()) {
      return;
    }
    {
      const std::lock_guard lock(report_mutex);
      if (abandon) {
        unreported.clear();
      }
      cutting_done = true;
    }
    report_changed.notify_all();
    reporter.join();
  };
  util::TaskPool pool(std::max(1U, threads), std::max(1U, threads) * 2);
  std::thread reporter;
  if (on_batch) {
    reporter = std::thread(report);
  }
  struct ReporterGuard {
    std::function<void()> stop;
    ~ReporterGuard() { stop(); }
  } reporter_guard{[&] { finish_reporting(reporter, true); }};
  std::vector<ChunkInfo*> batch;
  std::uint64_t batch_bytes = 0;
  const auto submit = [&] {
    if (batch.empty()) {
      return;
    }
    auto state = std::make_shared<Batch>();
    if (on_batch) {
      const std::lock_guard lock(report_mutex);
      if (report_error) {
        std::rethrow_exception(report_error); // on_batch failed: stop cutting
      }
      state->chunks = batch;
      unreported.push_back(state);
    }
    pool.submit(
        [fd, &path, work = std::move(batch), batch_bytes, state, &report_mutex, &report_changed] {
          // Not a vector: zero-filling 4 MiB per batch showed up as 4% of a push's time.
          const std::unique_ptr<std::byte[]> buffer(new std::byte[batch_bytes]);
          const std::span<std::byte> bytes(buffer.get(), batch_bytes);
          if (util::read_at(fd, work.front()->offset, bytes, path) != bytes.size()) {
            throw Error(Failure::failed, path.string() + " became shorter while it was read",
                        "run the command again");
          }
          std::size_t at = 0;
          for (auto* chunk : work) {
            chunk->id = hash::sha256_hex(bytes.subspan(at, chunk->length));
            at += chunk->length;
          }
          {
            const std::lock_guard lock(report_mutex);
            state->hashed = true;
          }
          report_changed.notify_all();
        });
    batch.clear();
    batch_bytes = 0;
  };
  // The whole-file hash is sequential: one task at a time takes the blocks in order.
  util::TaskPool whole_pool(1, 2);
  hash::Sha256 whole;
  Chunker chunker(
      params,
      [&](const ChunkInfo& info, std::span<const std::byte>) {
        chunks.push_back(info);
        batch.push_back(&chunks.back());
        batch_bytes += info.length;
        if (batch_bytes >= k_batch_bytes) {
          submit();
        }
      },
      false);
  util::read_blocks(path, k_read_block, [&](std::span<const std::byte> block) {
    if (whole_id != nullptr) {
      auto copy = std::make_shared<std::vector<std::byte>>(block.begin(), block.end());
      whole_pool.submit([&whole, copy] { whole.update(*copy); });
    }
    chunker.update(block);
  });
  chunker.finish();
  submit();
  pool.wait();
  finish_reporting(reporter, false);
  if (report_error) {
    std::rethrow_exception(report_error);
  }
  whole_pool.wait();
  if (whole_id != nullptr) {
    *whole_id = whole.finish_hex();
  }
  return {chunks.begin(), chunks.end()};
}

} // namespace mlv::chunk
