#include <mlv/util/interrupt.hpp>

#include <limits.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstring>

namespace mlv::util {

namespace {

// Temporaries open at once in one process: a few per parallel job is plenty.
constexpr std::size_t k_slots = 64;

enum SlotState : int { k_free = 0, k_filling = 1, k_ready = 2 };

// A fixed table, because the signal handler may only read memory and call unlink(2): no
// allocation, no locks.
struct Slot {
  std::atomic<int> state{k_free};
  char path[PATH_MAX] = {};
};

std::array<Slot, k_slots> g_slots;

extern "C" void remove_temporaries_and_die(int signal_number) {
  for (auto& slot : g_slots) {
    if (slot.state.load(std::memory_order_acquire) == k_ready) {
      ::unlink(slot.path);
    }
  }
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

} // namespace

void install_interrupt_cleanup() {
  static_assert(std::atomic<int>::is_always_lock_free);
  struct sigaction action {};
  action.sa_handler = remove_temporaries_and_die;
  sigemptyset(&action.sa_mask);
  for (const int signal_number : {SIGINT, SIGTERM}) {
    // A signal ignored by whoever started mlv (nohup, a shell's background job) stays ignored.
    struct sigaction previous {};
    if (::sigaction(signal_number, nullptr, &previous) == 0 && previous.sa_handler == SIG_IGN) {
      continue;
    }
    ::sigaction(signal_number, &action, nullptr);
  }
}

RemoveOnInterrupt::RemoveOnInterrupt(const std::filesystem::path& path) {
  watch(path);
}

RemoveOnInterrupt::~RemoveOnInterrupt() {
  release();
}

void RemoveOnInterrupt::watch(const std::filesystem::path& path) {
  release();
  const auto& text = path.native();
  if (text.size() >= PATH_MAX) {
    return;
  }
  for (std::size_t i = 0; i < k_slots; ++i) {
    int expected = k_free;
    if (g_slots[i].state.compare_exchange_strong(expected, k_filling, std::memory_order_acquire)) {
      std::memcpy(g_slots[i].path, text.c_str(), text.size() + 1);
      g_slots[i].state.store(k_ready, std::memory_order_release);
      slot_ = static_cast<int>(i);
      return;
    }
  }
}

void RemoveOnInterrupt::release() {
  if (slot_ >= 0) {
    g_slots[static_cast<std::size_t>(slot_)].state.store(k_free, std::memory_order_release);
    slot_ = -1;
  }
}

} // namespace mlv::util
