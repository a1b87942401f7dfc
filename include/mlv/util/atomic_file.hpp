#pragma once

#include <mlv/util/interrupt.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mlv::util {

// The one way mlv names a temporary file for NAME in `folder`: ".NAME.tmp-" and 12 random
// characters of [0-9a-z]. Made with O_EXCL (or link(2)/symlink(2), which fail on an existing
// name) after a RemoveOnInterrupt watches it: mkstemp(3) would name the file only once it
// exists, and a Ctrl-C handled on another thread in between would leave it behind.
std::filesystem::path temporary_path(const std::filesystem::path& folder,
                                     std::string_view target_name);

// NAME when `file_name` is a temporary_path for NAME (or ".NAME.mlv-tmp-<digits>", the link
// temporaries of mlv before 0.12), else nullopt: so an interrupted command's leftovers can be
// swept without touching anything a user made.
std::optional<std::string> temporary_target(std::string_view file_name);

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
  // Sets `mode` and closes the file, leaving it complete under its temporary name, unsynced, for
  // the caller to sync and rename with others (cache::Cache::StoreBatch). Returns that name; the
  // file is the caller's from now on (the destructor and Ctrl-C no longer remove it).
  std::filesystem::path close_unsynced(unsigned mode);

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
