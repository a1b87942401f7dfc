#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mlv::util {

// Threads for work spread over the cores: their number, at least 1 and at most `most` (past
// which the disk, not the CPU, limits hashing and parsing).
unsigned core_workers(unsigned most = 8);

// A fixed set of worker threads running submitted tasks. submit() blocks while `max_queued`
// tasks wait, which bounds the memory and temporary files that queued work holds. The first
// exception a task throws is rethrown by wait() (and by later submits); remaining queued tasks
// are dropped once a task has failed.
class TaskPool {
public:
  TaskPool(unsigned workers, std::size_t max_queued);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  void submit(std::function<void()> task);
  // Waits until every submitted task has finished; rethrows the first failure.
  void wait();

private:
  void work();

  std::vector<std::thread> threads_;
  std::deque<std::function<void()>> queue_;
  std::size_t max_queued_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::mutex mutex_;
  std::condition_variable changed_;
};

} // namespace mlv::util
