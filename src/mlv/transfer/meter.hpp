#pragma once

#include <mlv/transfer/transfer.hpp>

#include <chrono>
#include <mutex>

namespace mlv::transfer {

// Stats shared by worker threads, with progress reports throttled to a few per second.
class Meter {
public:
  // Counts the retries of `store` from now on.
  Meter(ProgressCallback progress, const remote::ObjectStore& store)
      : progress_(std::move(progress)), store_(store), retries_before_(store.retries()),
        started_(std::chrono::steady_clock::now()) {}

  template <typename Update>
  void update(Update&& change) {
    std::unique_lock lock(mutex_);
    change(stats_);
    const auto now = std::chrono::steady_clock::now();
    if (progress_ && now - last_report_ >= k_report_interval) {
      last_report_ = now;
      const auto snapshot = stats_;
      lock.unlock();
      progress_(snapshot);
    }
  }

  Stats finish() {
    const std::lock_guard lock(mutex_);
    stats_.retries = store_.retries() - retries_before_;
    stats_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    return stats_;
  }

private:
  static constexpr std::chrono::milliseconds k_report_interval{200};
  ProgressCallback progress_;
  const remote::ObjectStore& store_;
  std::uint64_t retries_before_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_report_{};
  Stats stats_;
  std::mutex mutex_;
};

} // namespace mlv::transfer
