#pragma once

#include <mlv/transfer/transfer.hpp>

#include <chrono>
#include <mutex>

namespace mlv::transfer {

// Stats shared by worker threads, with progress reports throttled to a few per second.
class Meter {
public:
  explicit Meter(ProgressCallback progress)
      : progress_(std::move(progress)), started_(std::chrono::steady_clock::now()) {}

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
    stats_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    return stats_;
  }

  // As finish(), with the requests and retries a network store counted since `before` (every
  // attempt on the wire, where the meter counts one per object operation).
  Stats finish(const remote::ObjectStore& store, const remote::StoreCounters& before) {
    auto stats = finish();
    const auto after = store.counters();
    if (after.requests > before.requests) {
      stats.requests = after.requests - before.requests;
      stats.retries = after.retries - before.retries;
    }
    return stats;
  }

private:
  static constexpr std::chrono::milliseconds k_report_interval{200};
  ProgressCallback progress_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_report_{};
  Stats stats_;
  std::mutex mutex_;
};

} // namespace mlv::transfer
