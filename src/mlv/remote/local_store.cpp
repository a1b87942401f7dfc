#include <mlv/remote/local_store.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace mlv::remote {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t k_read_block_size = 1 << 20;

class LocalStore final : public ObjectStore {
public:
  explicit LocalStore(fs::path root) : root_(std::move(root)) {}

  bool exists(const std::string& key) override {
    std::error_code error;
    return fs::is_regular_file(path_of(key), error);
  }

  bool get(const std::string& key, const Sink& sink) override {
    const auto path = path_of(key);
    if (!exists(key)) {
      return false;
    }
    try {
      util::read_blocks(path, k_read_block_size, sink);
    } catch (const Error& error) {
      throw Error(Failure::remote, display_url() + ": " + error.what(), "check the remote folder");
    }
    return true;
  }

  bool get_range(const std::string& key, const Range& range, const Sink& sink) override {
    const auto path = path_of(key);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) {
        return false;
      }
      throw failure("cannot open", path);
    }
    std::vector<std::byte> buffer(std::min<std::uint64_t>(range.length, k_read_block_size));
    std::uint64_t offset = range.offset;
    std::uint64_t left = range.length;
    while (left > 0) {
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
      const ssize_t got = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) {
        continue;
      }
      if (got <= 0) {
        const int error_number = got < 0 ? errno : 0;
        ::close(fd);
        if (got == 0) {
          throw Error(Failure::corrupt,
                      display_url() + ": object " + key + " is shorter than expected (truncated?)",
                      "the remote copy is damaged; push it again from a machine that has it");
        }
        errno = error_number;
        throw failure("cannot read", path);
      }
      sink(std::span<const std::byte>(buffer.data(), static_cast<std::size_t>(got)));
      offset += static_cast<std::uint64_t>(got);
      left -= static_cast<std::uint64_t>(got);
    }
    ::close(fd);
    return true;
  }

  void put_file(const std::string& key, const fs::path& source) override {
    const auto path = path_of(key);
    try {
      util::AtomicFile file(path, root_ / "tmp");
      util::read_blocks(source, k_read_block_size,
                        [&](std::span<const std::byte> block) { file.write(block); });
      file.commit(0444);
    } catch (const Error& error) {
      throw Error(Failure::remote, display_url() + ": cannot write " + key + ": " + error.what(),
                  "check that the remote folder is writable and has free space");
    }
  }

  void put(const std::string& key, std::span<const std::byte> bytes) override {
    const auto path = path_of(key);
    try {
      util::AtomicFile file(path, root_ / "tmp");
      file.write(bytes);
      file.commit(0444);
    } catch (const Error& error) {
      throw Error(Failure::remote, display_url() + ": cannot write " + key + ": " + error.what(),
                  "check that the remote folder is writable and has free space");
    }
  }

  std::vector<ObjectInfo> list(const std::string& prefix) override {
    std::vector<ObjectInfo> objects;
    std::error_code error;
    // Walk the deepest folder the prefix names fully, then filter by the whole prefix.
    const auto slash = prefix.rfind('/');
    const auto start = slash == std::string::npos ? root_ : root_ / prefix.substr(0, slash);
    if (!fs::is_directory(start, error)) {
      return objects;
    }
    for (auto it = fs::recursive_directory_iterator(start, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      const auto relative = it->path().lexically_relative(root_).generic_string();
      if (it->is_directory(error)) {
        if (relative == "tmp") {
          it.disable_recursion_pending();
        }
        continue;
      }
      if (!relative.starts_with(prefix)) {
        continue;
      }
      const auto stamp = util::stat_file(it->path());
      objects.push_back(
          {relative, stamp ? stamp->size : 0, stamp ? stamp->mtime_ns / 1'000'000'000 : 0});
    }
    if (error) {
      throw Error(Failure::remote,
                  display_url() + ": cannot list " + prefix + ": " + error.message());
    }
    return objects;
  }

  void remove(const std::string& key) override {
    try {
      util::remove_file(path_of(key));
    } catch (const Error& error) {
      throw Error(Failure::remote, display_url() + ": " + error.what());
    }
  }

  bool location_exists() override {
    std::error_code error;
    return fs::is_directory(root_, error);
  }

  std::string display_url() const override { return root_.string(); }

private:
  fs::path path_of(const std::string& key) const {
    if (key.empty() || key.front() == '/' || key.find("..") != std::string::npos) {
      throw Error(Failure::failed, "invalid object key '" + key + "'");
    }
    return root_ / key;
  }

  Error failure(const char* action, const fs::path& path) const {
    return Error(Failure::remote,
                 display_url() + ": " + errno_message(action, path.string(), errno),
                 "check that the remote folder is reachable and readable");
  }

  fs::path root_;
};

} // namespace

std::unique_ptr<ObjectStore> make_local_store(const fs::path& root, const Options& /*options*/) {
  return std::make_unique<LocalStore>(root);
}

} // namespace mlv::remote
