#include <mlv/chunk/fastcdc.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>
#include <mlv/util/task_pool.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <deque>
#include <memory>

namespace mlv::chunk {

namespace {

constexpr std::size_t k_read_block = 4 << 20;
// Chunks are hashed in batches of about this many bytes: one task per batch, not per chunk.
constexpr std::size_t k_batch_bytes = 4 << 20;

} // namespace

std::vector<ChunkInfo> chunk_file_parallel(const std::filesystem::path& path,
                                           const Params& params,
                                           unsigned threads,
                                           std::string* whole_id,
                                           const BatchSink& on_batch) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(ExitCode::failure, errno_message("cannot open", path.string(), errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  // A deque keeps the address of every element while more are appended, so workers can write
  // ids into chunks found earlier while the cutting goes on. This thread only finds the cuts;
  // the workers read their batch's bytes again (from the page cache) and hash them, so nothing
  // is copied here.
  std::deque<ChunkInfo> chunks;
  util::TaskPool pool(std::max(1U, threads), std::max(1U, threads) * 2);
  std::vector<ChunkInfo*> batch;
  std::uint64_t batch_bytes = 0;
  // Batches handed to the workers, oldest first, until on_batch has seen them.
  struct Batch {
    std::vector<ChunkInfo*> chunks;
    std::atomic<bool> hashed{false};
  };
  std::deque<std::shared_ptr<Batch>> unreported;
  std::vector<ChunkInfo> report;
  const auto report_hashed = [&](bool wait_all) {
    if (wait_all) {
      pool.wait();
    }
    while (on_batch && !unreported.empty() &&
           unreported.front()->hashed.load(std::memory_order_acquire)) {
      report.clear();
      for (const auto* chunk : unreported.front()->chunks) {
        report.push_back(*chunk);
      }
      unreported.pop_front();
      on_batch(report);
    }
  };
  const auto submit = [&] {
    if (batch.empty()) {
      return;
    }
    auto state = std::make_shared<Batch>();
    state->chunks = batch;
    if (on_batch) {
      unreported.push_back(state);
    }
    pool.submit([fd, &path, work = std::move(batch), batch_bytes, state] {
      // Not a vector: zero-filling 4 MiB per batch showed up as 4% of a push's time.
      const std::unique_ptr<std::byte[]> buffer(new std::byte[batch_bytes]);
      const std::span<std::byte> bytes(buffer.get(), batch_bytes);
      if (util::read_at(fd, work.front()->offset, bytes, path) != bytes.size()) {
        throw Error(ExitCode::failure, path.string() + " became shorter while it was read",
                    "run the command again");
      }
      std::size_t at = 0;
      for (auto* chunk : work) {
        chunk->id = hash::sha256_hex(bytes.subspan(at, chunk->length));
        at += chunk->length;
      }
      state->hashed.store(true, std::memory_order_release);
    });
    batch.clear();
    batch_bytes = 0;
    report_hashed(false);
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
  report_hashed(true);
  whole_pool.wait();
  if (whole_id != nullptr) {
    *whole_id = whole.finish_hex();
  }
  return {chunks.begin(), chunks.end()};
}

} // namespace mlv::chunk
