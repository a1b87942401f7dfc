#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <random>
#include <sys/stat.h>

namespace mlv::util {

namespace {

constexpr std::string_view k_temporary_infix = ".tmp-";
constexpr std::size_t k_temporary_suffix_length = 12;
constexpr std::string_view k_legacy_link_infix = ".mlv-tmp-";

std::string random_suffix() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char k_alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string suffix;
  for (std::size_t i = 0; i < k_temporary_suffix_length; ++i) {
    suffix += k_alphabet[generator() % (sizeof(k_alphabet) - 1)];
  }
  return suffix;
}

} // namespace

std::filesystem::path temporary_path(const std::filesystem::path& folder,
                                     std::string_view target_name) {
  return folder /
         ("." + std::string(target_name) + std::string(k_temporary_infix) + random_suffix());
}

std::optional<std::string> temporary_target(std::string_view file_name) {
  if (file_name.size() < 2 || file_name.front() != '.') {
    return std::nullopt;
  }
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto digit_or_lower = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
  };
  if (const auto at = file_name.rfind(k_legacy_link_infix);
      at != std::string_view::npos && at > 1) {
    const auto digits = file_name.substr(at + k_legacy_link_infix.size());
    if (!digits.empty() && digits.size() <= 9 && std::all_of(digits.begin(), digits.end(), digit)) {
      return std::string(file_name.substr(1, at - 1));
    }
  }
  if (const auto at = file_name.rfind(k_temporary_infix); at != std::string_view::npos && at > 1) {
    const auto suffix = file_name.substr(at + k_temporary_infix.size());
    if (suffix.size() == k_temporary_suffix_length &&
        std::all_of(suffix.begin(), suffix.end(), digit_or_lower)) {
      return std::string(file_name.substr(1, at - 1));
    }
  }
  return std::nullopt;
}

AtomicFile::AtomicFile(std::filesystem::path final_path, const std::filesystem::path& tmp_dir)
    : final_path_(std::move(final_path)) {
  // The folder is made only when the first open says it is missing: adding a folder of 10,000
  // files makes 10,000 of these, and a stat each was a tenth of their system calls.
  bool made_folder = false;
  for (int attempt = 0; attempt < 10 && fd_ < 0; ++attempt) {
    temp_path_ = temporary_path(tmp_dir, final_path_.filename().string());
    // Watched before it exists: a Ctrl-C between open(2) and the watch would leave it behind.
    on_interrupt_.watch(temp_path_);
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    const int error = errno;
    if (fd_ < 0) {
      on_interrupt_.release(); // not ours (EEXIST) or not made
    }
    if (fd_ < 0 && error == ENOENT && !made_folder) {
      make_directories(tmp_dir);
      made_folder = true;
      --attempt; // not a name collision
      continue;
    }
    if (fd_ < 0 && error != EEXIST) {
      throw Error(Failure::failed, errno_message("cannot create", temp_path_.string(), error),
                  "check that the folder exists and is writable");
    }
  }
  if (fd_ < 0) {
    throw Error(Failure::failed, "cannot create a temporary file in " + tmp_dir.string());
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
      throw Error(Failure::failed, errno_message("cannot write", temp_path_.string(), errno),
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
    throw Error(Failure::failed, errno_message("cannot sync", temp_path_.string(), errno));
  }
  ::close(fd_);
  fd_ = -1;
  make_directories(final_path_.parent_path().empty() ? "." : final_path_.parent_path());
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    throw Error(Failure::failed, errno_message("cannot rename into", final_path_.string(), errno));
  }
  committed_ = true;
  on_interrupt_.release();
  sync_directory(final_path_.parent_path().empty() ? "." : final_path_.parent_path());
}

void AtomicFile::commit_unsynced(unsigned mode) {
  if (::fchmod(fd_, static_cast<mode_t>(mode)) != 0) {
    throw Error(Failure::failed,
                errno_message("cannot set the mode of", temp_path_.string(), errno));
  }
  ::close(fd_);
  fd_ = -1;
  make_directories(final_path_.parent_path().empty() ? "." : final_path_.parent_path());
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    throw Error(Failure::failed, errno_message("cannot rename into", final_path_.string(), errno));
  }
  committed_ = true;
  on_interrupt_.release();
}

std::filesystem::path AtomicFile::close_unsynced(unsigned mode) {
  if (::fchmod(fd_, static_cast<mode_t>(mode)) != 0) {
    throw Error(Failure::failed,
                errno_message("cannot set the mode of", temp_path_.string(), errno));
  }
  ::close(fd_);
  fd_ = -1;
  committed_ = true;
  on_interrupt_.release();
  return temp_path_;
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
