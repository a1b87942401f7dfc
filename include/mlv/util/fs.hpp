#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mlv::util {

// What identifies a file's content without reading it: used by the state database.
struct FileStamp {
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0; // not stored; detects a change during a read
  bool executable = false;
  bool operator==(const FileStamp&) const = default;
};

// std::nullopt when the path does not exist. Throws Error on other failures. A symbolic link is
// described itself unless `follow_symlinks`.
std::optional<FileStamp> stat_file(const std::filesystem::path& path, bool follow_symlinks = false);

// Reads a whole (small) file; throws Error naming the path on failure.
std::string read_file(const std::filesystem::path& path);

// Reads `path` sequentially in blocks of `block_size` bytes and calls `sink` with each block.
void read_blocks(const std::filesystem::path& path,
                 std::size_t block_size,
                 const std::function<void(std::span<const std::byte>)>& sink);

// Reads `out.size()` bytes at `offset` of an open file, retrying short reads; returns fewer only
// at the end of the file. A read error is Error(failure) naming `path`.
std::size_t
read_at(int fd, std::uint64_t offset, std::span<std::byte> out, const std::filesystem::path& path);

// Creates the folder and its parents; throws Error naming the path on failure.
void make_directories(const std::filesystem::path& path);

// Makes `target_fd` a copy-on-write clone of `source_fd` (FICLONE: btrfs, XFS), copying no
// bytes; false where the filesystem cannot.
bool clone_file(int source_fd, int target_fd);

// Creates a new, empty folder in `folder` named `prefix` and 6 random characters (mkdtemp(3):
// never one that already exists) and returns its path.
std::filesystem::path make_temporary_directory(const std::filesystem::path& folder,
                                               std::string_view prefix);

// Removes a file if present; returns whether it existed.
bool remove_file(const std::filesystem::path& path);

// fsyncs a folder so a rename inside it is durable.
void sync_directory(const std::filesystem::path& path);
// Makes everything written to the filesystem that holds `path` durable (syncfs(2)): one call for
// a batch of files instead of an fsync each. Throws Error naming `path` when it fails.
void sync_filesystem(const std::filesystem::path& path);

// `path` relative to `base` when `path` lies inside `base` (after normalisation), else nullopt.
std::optional<std::filesystem::path> relative_inside(const std::filesystem::path& path,
                                                     const std::filesystem::path& base);

// An advisory lock (flock) on a lock file, held for the object's lifetime: exclusive, or shared
// with other shared holders. Waits for the lock.
class FileLock {
public:
  explicit FileLock(const std::filesystem::path& lock_path, bool shared = false);
  // The exclusive lock if no one holds the lock now, else nullptr (does not wait).
  static std::unique_ptr<FileLock> try_lock(const std::filesystem::path& lock_path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

private:
  FileLock() = default;
  int fd_ = -1;
};

} // namespace mlv::util
