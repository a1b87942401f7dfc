#include <mlv/util/task_pool.hpp>

#include <algorithm>
#include <thread>

namespace mlv::util {

unsigned core_workers(unsigned most) {
  return std::clamp(std::thread::hardware_concurrency(), 1U, std::max(most, 1U));
}

TaskPool::TaskPool(unsigned workers, std::size_t max_queued)
    : max_queued_(std::max<std::size_t>(max_queued, 1)) {
  for (unsigned i = 0; i < std::max(workers, 1u); ++i) {
    threads_.emplace_back([this] { work(); });
  }
}

TaskPool::~TaskPool() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& thread : threads_) {
    thread.join();
  }
}

void TaskPool::submit(std::function<void()> task) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.size() < max_queued_ || failure_; });
  if (failure_) {
    std::rethrow_exception(failure_);
  }
  queue_.push_back(std::move(task));
  changed_.notify_all();
}

void TaskPool::wait() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock,
                [&] { return (queue_.empty() && running_ == 0) || (failure_ && running_ == 0); });
  if (failure_) {
    queue_.clear();
    std::rethrow_exception(failure_);
  }
}

void TaskPool::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      return; // stopping and nothing left
    }
    auto task = std::move(queue_.front());
    queue_.pop_front();
    if (failure_) {
      changed_.notify_all();
      continue;
    }
    ++running_;
    changed_.notify_all();
    lock.unlock();
    try {
      task();
    } catch (...) {
      lock.lock();
      if (!failure_) {
        failure_ = std::current_exception();
      }
      lock.unlock();
    }
    lock.lock();
    --running_;
    changed_.notify_all();
  }
}

} // namespace mlv::util
