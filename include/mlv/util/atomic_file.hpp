#pragma once

#include <mlv/util/interrupt.hpp>

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

namespace mlv::util {

// Writes a file under a temporary name in `tmp_dir` (same filesystem as the target) and renames
// it to `final_path` only on commit(), after an fsync. A destructor never commits: an abandoned
// or crashed write leaves at most a stray temporary file, never a partial file under the final
// name.
class AtomicFile {
public:
  AtomicFile(std::filesystem::path final_path, const std::filesystem::path& tmp_dir);
  // Uses the target's own folder for the temporary file.
  explicit AtomicFile(std::filesystem::path final_path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::span<const std::byte> data);
  void write(std::string_view text);
  // fsync, set `mode` (e.g. 0444 for cache objects), rename over the final path, fsync the folder.
  void commit(unsigned mode = 0644);
  // Set `mode` and rename, without the fsyncs: for copies of data kept durably elsewhere (a
  // workspace file checked out from the cache). A crash of the process still never leaves a
  // partial file under the final name; a power loss may, and `mlv status` then reports it
  // modified while the cache keeps the good bytes.
  void commit_unsynced(unsigned mode = 0644);
  // The same, to a final path decided only now (e.g. a content id known after the write).
  void commit_as(const std::filesystem::path& final_path, unsigned mode);

  int fd() const noexcept { return fd_; }
  const std::filesystem::path& temp_path() const noexcept { return temp_path_; }
  const std::filesystem::path& final_path() const noexcept { return final_path_; }

private:
  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
  bool committed_ = false;
  RemoveOnInterrupt on_interrupt_; // a Ctrl-C leaves no temporary behind
};

// Writes `text` to `path` atomically.
void write_file_atomic(const std::filesystem::path& path,
                       std::string_view text,
                       unsigned mode = 0644);

} // namespace mlv::util
