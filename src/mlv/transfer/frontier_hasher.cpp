#include "frontier_hasher.hpp"

#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <algorithm>
#include <vector>

namespace mlv::transfer {

namespace {

// Bytes read back and hashed per step: large enough for few system calls, small enough to
// follow the written prefix closely.
constexpr std::size_t k_hash_step = 1 << 20;

} // namespace

FrontierHasher::FrontierHasher(int fd, std::filesystem::path path, std::uint64_t size)
    : fd_(fd), path_(std::move(path)), size_(size), thread_([this] { run(); }) {}

FrontierHasher::~FrontierHasher() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void FrontierHasher::written(std::uint64_t offset, std::uint64_t length) {
  if (length == 0) {
    return;
  }
  {
    const std::lock_guard lock(mutex_);
    std::uint64_t start = offset;
    std::uint64_t end = offset + length;
    // Merge with the range that ends where this one starts, and with those it touches.
    auto it = done_.upper_bound(start);
    if (it != done_.begin()) {
      auto before = std::prev(it);
      if (before->second >= start) {
        start = before->first;
        end = std::max(end, before->second);
        it = done_.erase(before);
      }
    }
    while (it != done_.end() && it->first <= end) {
      end = std::max(end, it->second);
      it = done_.erase(it);
    }
    done_.emplace(start, end);
    const auto first = done_.begin();
    if (first->first == 0 && first->second > contiguous_) {
      contiguous_ = first->second;
    } else {
      return;
    }
  }
  changed_.notify_all();
}

std::string FrontierHasher::finish() {
  std::unique_lock lock(mutex_);
  finishing_ = true;
  changed_.notify_all();
  changed_.wait(lock, [&] { return hashed_ == size_ || error_ || stopping_; });
  if (error_) {
    std::rethrow_exception(error_);
  }
  return hasher_.finish_hex();
}

void FrontierHasher::run() {
  std::vector<std::byte> buffer(k_hash_step);
  std::unique_lock lock(mutex_);
  while (hashed_ < size_) {
    changed_.wait(lock, [&] { return stopping_ || contiguous_ > hashed_ || finishing_; });
    if (stopping_) {
      return;
    }
    if (contiguous_ == hashed_) { // finishing, yet the written ranges leave a hole
      error_ = std::make_exception_ptr(
          Error(Failure::failed, path_.string() + ": bytes from " + std::to_string(hashed_) +
                                     " on were never written while assembling it"));
      changed_.notify_all();
      return;
    }
    const std::uint64_t until = contiguous_;
    lock.unlock();
    try {
      std::uint64_t at = hashed_;
      while (at < until) {
        const auto step =
            static_cast<std::size_t>(std::min<std::uint64_t>(k_hash_step, until - at));
        const auto got = util::read_at(fd_, at, std::span(buffer.data(), step), path_);
        if (got != step) {
          throw Error(Failure::failed,
                      path_.string() + " is shorter than the chunks written to it");
        }
        hasher_.update(std::span<const std::byte>(buffer.data(), step));
        at += step;
      }
    } catch (...) {
      lock.lock();
      error_ = std::current_exception();
      changed_.notify_all();
      return;
    }
    lock.lock();
    hashed_ = until;
    changed_.notify_all();
  }
}

} // namespace mlv::transfer
