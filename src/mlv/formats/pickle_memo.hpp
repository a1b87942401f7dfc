#pragma once

// Private to the formats module: the unpickler's memo, as the pickle machine keeps it.

#include <mlv/formats/pickle_value.hpp>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace mlv::formats {

// Slot -> value. Picklers number slots 0, 1, 2... (MEMOIZE takes the next one), so slots are
// kept in a vector while they come in order and in a map otherwise; past a budget, new slots are
// not kept (a later GET of one reads as unknown).
class PickleMemo {
public:
  // Stores `value` in `slot`; false when the budget left it out.
  bool put(std::uint64_t slot, PickleValue* value) {
    if (slot < dense_.size() || (slot <= dense_.size() + k_dense_gap && slot < k_max_slots)) {
      if (slot >= dense_.size()) {
        dense_.resize(slot + 1, nullptr);
      }
      count_ += dense_[slot] == nullptr ? 1 : 0;
      dense_[slot] = value;
      return true;
    }
    const auto found = sparse_.find(slot);
    if (found != sparse_.end()) {
      found->second = value;
      return true;
    }
    if (sparse_.size() >= k_max_sparse_slots) {
      ++count_; // an unpickler's memo would hold it: MEMOIZE numbers by the memo's length
      return false;
    }
    sparse_.emplace(slot, value);
    ++count_;
    return true;
  }

  // The value in `slot`, or null.
  PickleValue* get(std::uint64_t slot) const {
    if (slot < dense_.size()) {
      return dense_[slot];
    }
    const auto found = sparse_.find(slot);
    return found == sparse_.end() ? nullptr : found->second;
  }

  // How many slots are set: where MEMOIZE stores next (Python's len(memo)).
  std::uint64_t size() const { return count_; }

private:
  // A slot at most this far past the last kept in order still goes in the vector.
  static constexpr std::uint64_t k_dense_gap = 1024;
  static constexpr std::uint64_t k_max_slots = 1 << 24;
  static constexpr std::size_t k_max_sparse_slots = 1 << 20;

  std::vector<PickleValue*> dense_;
  std::unordered_map<std::uint64_t, PickleValue*> sparse_;
  std::uint64_t count_ = 0;
};

} // namespace mlv::formats
