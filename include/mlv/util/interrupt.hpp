#pragma once

#include <filesystem>

namespace mlv::util {

// Makes SIGINT and SIGTERM remove the temporary files registered below before the process ends
// by the signal (exit status 128 + signal, e.g. 130 for Ctrl-C). Called once by the CLI.
void install_interrupt_cleanup();

// Registers a temporary file for removal on SIGINT/SIGTERM while the object lives. Best effort:
// when more temporaries are open at once than the fixed table holds, the extra ones are left
// for the next command's sweep.
class RemoveOnInterrupt {
public:
  RemoveOnInterrupt() = default;
  explicit RemoveOnInterrupt(const std::filesystem::path& path);
  ~RemoveOnInterrupt();
  RemoveOnInterrupt(const RemoveOnInterrupt&) = delete;
  RemoveOnInterrupt& operator=(const RemoveOnInterrupt&) = delete;
  // Registers `path` (the previous one, if any, is forgotten).
  void watch(const std::filesystem::path& path);
  // Forgets the file (it was renamed into place or removed).
  void release();

private:
  int slot_ = -1;
};

} // namespace mlv::util
