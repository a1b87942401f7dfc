#include <mlv/util/atomic_file.hpp>
#include <mlv/util/env.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>

namespace mlv::util {

namespace {

namespace fs = std::filesystem;

std::int64_t nanoseconds(const struct timespec& time) {
  return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

Env::Type type_of(mode_t mode) {
  if (S_ISREG(mode)) {
    return Env::Type::file;
  }
  if (S_ISDIR(mode)) {
    return Env::Type::directory;
  }
  if (S_ISLNK(mode)) {
    return Env::Type::symlink;
  }
  return Env::Type::other;
}

std::optional<Env::Info> stat_path(const fs::path& path, bool follow) {
  struct stat info {};
  if ((follow ? ::stat(path.c_str(), &info) : ::lstat(path.c_str(), &info)) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return std::nullopt;
    }
    throw Error(Failure::failed, errno_message("cannot stat", path.string(), errno));
  }
  return Env::Info{type_of(info.st_mode),
                   static_cast<std::uint64_t>(info.st_size),
                   static_cast<std::uint64_t>(info.st_ino),
                   nanoseconds(info.st_mtim),
                   nanoseconds(info.st_ctim),
                   static_cast<unsigned>(info.st_mode & 07777)};
}

// The real filesystem, through POSIX calls and the util helpers the rest of mlv already uses.
class PosixEnv final : public Env {
public:
  std::optional<Info> stat(const fs::path& path) override { return stat_path(path, true); }
  std::optional<Info> lstat(const fs::path& path) override { return stat_path(path, false); }

  std::string read_file(const fs::path& path) override { return util::read_file(path); }

  void read_blocks(const fs::path& path,
                   std::size_t block_size,
                   const std::function<void(std::span<const std::byte>)>& sink) override {
    util::read_blocks(path, block_size, sink);
  }

  void write_file(const fs::path& path,
                  std::string_view content,
                  unsigned mode,
                  bool durable,
                  const fs::path& tmp_folder) override {
    const auto beside = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    AtomicFile file(path, tmp_folder.empty() ? beside : tmp_folder);
    file.write(content);
    durable ? file.commit(mode) : file.commit_unsynced(mode);
  }

  void rename(const fs::path& from, const fs::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      throw Error(Failure::failed, errno_message("cannot rename into", to.string(), errno));
    }
  }

  bool remove(const fs::path& path) override {
    if (::remove(path.c_str()) == 0) {
      return true;
    }
    if (errno == ENOENT) {
      return false;
    }
    throw Error(Failure::failed, errno_message("cannot remove", path.string(), errno));
  }

  void set_mode(const fs::path& path, unsigned mode) override {
    if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
      throw Error(Failure::failed, errno_message("cannot set the mode of", path.string(), errno));
    }
  }

  std::vector<Entry> list_directory(const fs::path& path) override {
    DIR* folder = ::opendir(path.c_str());
    if (folder == nullptr) {
      throw Error(errno == ENOENT || errno == ENOTDIR ? Failure::not_found : Failure::failed,
                  errno_message("cannot list", path.string(), errno));
    }
    std::vector<Entry> entries;
    while (const dirent* entry = ::readdir(folder)) {
      const std::string_view name = entry->d_name;
      if (name == "." || name == "..") {
        continue;
      }
      Type type = Type::other;
      switch (entry->d_type) {
      case DT_REG:
        type = Type::file;
        break;
      case DT_DIR:
        type = Type::directory;
        break;
      case DT_LNK:
        type = Type::symlink;
        break;
      case DT_UNKNOWN:
        if (const auto info = stat_path(path / entry->d_name, false)) {
          type = info->type;
        }
        break;
      default:
        break;
      }
      entries.push_back({std::string(name), type});
    }
    ::closedir(folder);
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.name < b.name; });
    return entries;
  }

  void make_directories(const fs::path& path) override { util::make_directories(path); }

  bool hardlink(const fs::path& target, const fs::path& link) override {
    return ::link(target.c_str(), link.c_str()) == 0;
  }

  bool symlink(const fs::path& target, const fs::path& link) override {
    return ::symlink(target.c_str(), link.c_str()) == 0;
  }

  bool reflink(const fs::path& target, const fs::path& link) override {
    const int source = ::open(target.c_str(), O_RDONLY | O_CLOEXEC);
    if (source < 0) {
      return false;
    }
    const int clone = ::open(link.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (clone < 0) {
      ::close(source);
      return false;
    }
    const bool cloned = clone_file(source, clone);
    ::close(source);
    ::close(clone);
    if (!cloned) {
      ::unlink(link.c_str());
    }
    return cloned;
  }
};

} // namespace

FileStamp stamp_of(const Env::Info& info) {
  return FileStamp{info.inode, info.size, info.mtime_ns, info.ctime_ns, (info.mode & S_IXUSR) != 0};
}

Env& Env::posix() {
  static PosixEnv env;
  return env;
}

} // namespace mlv::util
