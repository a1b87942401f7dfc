#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <vector>

namespace mlv::util {

std::optional<FileStamp> stat_file(const std::filesystem::path& path, bool follow_symlinks) {
  struct stat info {};
  const int result = follow_symlinks ? ::stat(path.c_str(), &info) : ::lstat(path.c_str(), &info);
  if (result != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return std::nullopt;
    }
    throw Error(Failure::failed, errno_message("cannot stat", path.string(), errno));
  }
  FileStamp stamp;
  stamp.inode = info.st_ino;
  stamp.size = static_cast<std::uint64_t>(info.st_size);
  stamp.mtime_ns =
      static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  stamp.ctime_ns =
      static_cast<std::int64_t>(info.st_ctim.tv_sec) * 1'000'000'000 + info.st_ctim.tv_nsec;
  stamp.executable = (info.st_mode & S_IXUSR) != 0;
  return stamp;
}

std::string read_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(errno == ENOENT ? Failure::not_found : Failure::failed,
                errno_message("cannot open", path.string(), errno));
  }
  std::string content;
  struct stat info {};
  if (::fstat(fd, &info) == 0 && info.st_size > 0) {
    content.reserve(static_cast<std::size_t>(info.st_size));
  }
  char buffer[16384];
  while (true) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      const int error_number = errno;
      ::close(fd);
      throw Error(Failure::failed, errno_message("cannot read", path.string(), error_number));
    }
    if (got == 0) {
      break;
    }
    content.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return content;
}

void read_blocks(const std::filesystem::path& path,
                 std::size_t block_size,
                 const std::function<void(std::span<const std::byte>)>& sink) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(errno == ENOENT ? Failure::not_found : Failure::failed,
                errno_message("cannot open", path.string(), errno));
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::vector<std::byte> buffer(block_size);
  try {
    while (true) {
      std::size_t filled = 0;
      while (filled < block_size) {
        const ssize_t got = ::read(fd, buffer.data() + filled, block_size - filled);
        if (got < 0) {
          if (errno == EINTR) {
            continue;
          }
          throw Error(Failure::failed, errno_message("cannot read", path.string(), errno));
        }
        if (got == 0) {
          break;
        }
        filled += static_cast<std::size_t>(got);
      }
      if (filled > 0) {
        sink(std::span<const std::byte>(buffer.data(), filled));
      }
      if (filled < block_size) {
        break;
      }
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

std::size_t
read_at(int fd, std::uint64_t offset, std::span<std::byte> out, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t got =
        ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      throw Error(Failure::failed, errno_message("cannot read", path.string(), errno));
    }
    if (got == 0) {
      break;
    }
    done += static_cast<std::size_t>(got);
  }
  return done;
}

void make_directories(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) {
    throw Error(Failure::failed, "cannot create folder " + path.string() + ": " + error.message(),
                "check that the parent folder is writable");
  }
}

std::filesystem::path make_temporary_directory(const std::filesystem::path& folder,
                                               std::string_view prefix) {
  auto pattern = (folder / (std::string(prefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw Error(Failure::failed, errno_message("cannot create a folder in", folder.string(), errno),
                "check that the folder exists and is writable");
  }
  return pattern;
}

bool clone_file(int source_fd, int target_fd) {
  return ::ioctl(target_fd, FICLONE, source_fd) == 0;
}

bool remove_file(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) == 0) {
    return true;
  }
  if (errno == ENOENT) {
    return false;
  }
  throw Error(Failure::failed, errno_message("cannot remove", path.string(), errno));
}

void sync_directory(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

void sync_filesystem(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(Failure::failed, errno_message("cannot open", path.string(), errno));
  }
  const int result = ::syncfs(fd);
  const int error_number = errno;
  ::close(fd);
  if (result != 0) {
    throw Error(Failure::failed,
                errno_message("cannot sync the filesystem of", path.string(), error_number),
                "check the disk (dmesg) and free space, then run the command again");
  }
}

std::optional<std::filesystem::path> relative_inside(const std::filesystem::path& path,
                                                     const std::filesystem::path& base) {
  // Resolve symbolic links in the folders but not in the last component: a checked-out
  // symlink to the cache is still the workspace path the user named.
  const auto absolute = std::filesystem::absolute(path).lexically_normal();
  auto normal_path = absolute;
  if (absolute.has_filename() && absolute.has_parent_path() && absolute != absolute.root_path()) {
    normal_path = std::filesystem::weakly_canonical(absolute.parent_path()) / absolute.filename();
  } else {
    normal_path = std::filesystem::weakly_canonical(absolute);
  }
  const auto normal_base = std::filesystem::weakly_canonical(std::filesystem::absolute(base));
  const auto relative = normal_path.lexically_relative(normal_base);
  if (relative.empty() || *relative.begin() == "..") {
    return std::nullopt;
  }
  return relative;
}

FileLock::FileLock(const std::filesystem::path& lock_path, bool shared) {
  make_directories(lock_path.parent_path());
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error(Failure::failed, errno_message("cannot open lock file", lock_path.string(), errno));
  }
  while (::flock(fd_, shared ? LOCK_SH : LOCK_EX) != 0) {
    if (errno != EINTR) {
      ::close(fd_);
      throw Error(Failure::failed, errno_message("cannot lock", lock_path.string(), errno));
    }
  }
}

std::unique_ptr<FileLock> FileLock::try_lock(const std::filesystem::path& lock_path) {
  make_directories(lock_path.parent_path());
  std::unique_ptr<FileLock> lock(new FileLock());
  lock->fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock->fd_ < 0) {
    throw Error(Failure::failed, errno_message("cannot open lock file", lock_path.string(), errno));
  }
  while (::flock(lock->fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return nullptr;
    }
    if (errno != EINTR) {
      throw Error(Failure::failed, errno_message("cannot lock", lock_path.string(), errno));
    }
  }
  return lock;
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

} // namespace mlv::util
