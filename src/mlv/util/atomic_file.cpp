#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <sys/stat.h>

namespace mlv::util {

namespace {

std::string random_suffix() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char k_alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string suffix;
  for (int i = 0; i < 12; ++i) {
    suffix += k_alphabet[generator() % (sizeof(k_alphabet) - 1)];
  }
  return suffix;
}

} // namespace

AtomicFile::AtomicFile(std::filesystem::path final_path, const std::filesystem::path& tmp_dir)
    : final_path_(std::move(final_path)) {
  make_directories(tmp_dir);
  for (int attempt = 0; attempt < 10 && fd_ < 0; ++attempt) {
    temp_path_ = tmp_dir / ("." + final_path_.filename().string() + ".tmp-" + random_suffix());
    // Watched before it exists: a Ctrl-C between open(2) and the watch would leave it behind.
    on_interrupt_.watch(temp_path_);
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    const int error = errno;
    if (fd_ < 0) {
      on_interrupt_.release(); // not ours (EEXIST) or not made
    }
    if (fd_ < 0 && error != EEXIST) {
      throw Error(ExitCode::failure, errno_message("cannot create", temp_path_.string(), error),
                  "check that the folder exists and is writable");
    }
  }
  if (fd_ < 0) {
    throw Error(ExitCode::failure, "cannot create a temporary file in " + tmp_dir.string());
  }
}

AtomicFile::AtomicFile(std::filesystem::path final_path)
    : AtomicFile(final_path, final_path.parent_path().empty() ? "." : final_path.parent_path()) {}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  if (!committed_ && !temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
  }
  on_interrupt_.release();
}

void AtomicFile::write(std::span<const std::byte> data) {
  const auto* cursor = reinterpret_cast<const char*>(data.data());
  std::size_t left = data.size();
  while (left > 0) {
    const ssize_t written = ::write(fd_, cursor, left);
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw Error(ExitCode::failure, errno_message("cannot write", temp_path_.string(), errno),
                  "check free disk space");
    }
    cursor += written;
    left -= static_cast<std::size_t>(written);
  }
}

void AtomicFile::write(std::string_view text) {
  write(std::as_bytes(std::span(text.data(), text.size())));
}

void AtomicFile::commit(unsigned mode) {
  if (::fchmod(fd_, static_cast<mode_t>(mode)) != 0 || ::fsync(fd_) != 0) {
    throw Error(ExitCode::failure, errno_message("cannot sync", temp_path_.string(), errno));
  }
  ::close(fd_);
  fd_ = -1;
  make_directories(final_path_.parent_path().empty() ? "." : final_path_.parent_path());
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    throw Error(ExitCode::failure,
                errno_message("cannot rename into", final_path_.string(), errno));
  }
  committed_ = true;
  on_interrupt_.release();
  sync_directory(final_path_.parent_path().empty() ? "." : final_path_.parent_path());
}

void AtomicFile::commit_unsynced(unsigned mode) {
  if (::fchmod(fd_, static_cast<mode_t>(mode)) != 0) {
    throw Error(ExitCode::failure,
                errno_message("cannot set the mode of", temp_path_.string(), errno));
  }
  ::close(fd_);
  fd_ = -1;
  make_directories(final_path_.parent_path().empty() ? "." : final_path_.parent_path());
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    throw Error(ExitCode::failure,
                errno_message("cannot rename into", final_path_.string(), errno));
  }
  committed_ = true;
  on_interrupt_.release();
}

void AtomicFile::commit_as(const std::filesystem::path& final_path, unsigned mode) {
  final_path_ = final_path;
  commit(mode);
}

void write_file_atomic(const std::filesystem::path& path, std::string_view text, unsigned mode) {
  AtomicFile file(path);
  file.write(text);
  file.commit(mode);
}

} // namespace mlv::util
