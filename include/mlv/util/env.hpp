#pragma once

#include <mlv/util/fs.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::util {

// What the workspace and the cache do to files, behind one interface (LevelDB's Env is the model):
// the real filesystem in the program, an in-memory one in unit tests, so the logic that decides
// what to add, check out, report or collect runs in milliseconds without a disk. Hot data paths
// (hashing copies, chunking, fetch's direct writes) stay on real file descriptors; read_blocks is
// the one streaming read the seam carries, and the real one is the same fadvised block loop.
// Every call throws Error naming the path on a failure other than the one its result describes.
class Env {
public:
  enum class Type { file, directory, symlink, other };

  // What stat(2)/lstat(2) report that mlv uses.
  struct Info {
    Type type = Type::file;
    std::uint64_t size = 0;
    std::uint64_t inode = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
    unsigned mode = 0644; // permission bits
  };

  // One entry of a folder, without "." and "..".
  struct Entry {
    std::string name;
    Type type = Type::file; // as lstat sees it: a symbolic link is a symlink
  };

  virtual ~Env() = default;

  // The process's real filesystem (a shared instance, safe from every thread).
  static Env& posix();

  // std::nullopt when nothing is at `path`; stat follows symbolic links, lstat does not.
  virtual std::optional<Info> stat(const std::filesystem::path& path) = 0;
  virtual std::optional<Info> lstat(const std::filesystem::path& path) = 0;

  // The whole of a (small) file; Error(missing) when it does not exist.
  virtual std::string read_file(const std::filesystem::path& path) = 0;
  // Calls `sink` with the file's bytes in order, in blocks of at most `block_size`.
  virtual void read_blocks(const std::filesystem::path& path,
                           std::size_t block_size,
                           const std::function<void(std::span<const std::byte>)>& sink) = 0;
  // Replaces `path` with `content` atomically (a temporary beside it, then a rename): a reader
  // sees the old file or the new one, never a part. `durable` adds the fsyncs. The temporary
  // goes in `tmp_folder` when given (on the same filesystem), else beside `path`. Missing parent
  // folders of `path` are made.
  virtual void write_file(const std::filesystem::path& path,
                          std::string_view content,
                          unsigned mode = 0644,
                          bool durable = true,
                          const std::filesystem::path& tmp_folder = {}) = 0;

  // rename(2): replaces a file at `to`.
  virtual void rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  // Removes a file, a symbolic link or an empty folder; false when nothing was there.
  virtual bool remove(const std::filesystem::path& path) = 0;
  virtual void set_mode(const std::filesystem::path& path, unsigned mode) = 0;
  // The folder's entries sorted by name; Error(missing) when it is not a folder.
  virtual std::vector<Entry> list_directory(const std::filesystem::path& path) = 0;
  // Creates the folder and its parents (nothing when it exists).
  virtual void make_directories(const std::filesystem::path& path) = 0;

  // Each makes `link` (which must not exist) share `target`'s bytes, and returns false when the
  // filesystem cannot (e.g. a hard link across filesystems, a reflink on ext4): the caller then
  // tries the next way or copies.
  virtual bool hardlink(const std::filesystem::path& target, const std::filesystem::path& link) = 0;
  virtual bool symlink(const std::filesystem::path& target, const std::filesystem::path& link) = 0;
  virtual bool reflink(const std::filesystem::path& target, const std::filesystem::path& link) = 0;
};

// The stamp the state database keys a file's id by, from what stat reported.
FileStamp stamp_of(const Env::Info& info);

// An Env that holds files in memory (for unit tests): paths are taken as given (absolute ones
// are the usual), folders must exist before files go into them, as on a real filesystem, and
// every change advances a clock that stamps mtimes. Hard links share bytes; reflinks copy them.
// Safe to share between threads.
std::unique_ptr<Env> make_memory_env();

} // namespace mlv::util
