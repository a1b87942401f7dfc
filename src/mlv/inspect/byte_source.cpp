#include <mlv/inspect/byte_source.hpp>
#include <mlv/util/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>

namespace mlv::inspect {

FileSource::FileSource(const std::filesystem::path& path) : name_(path.string()) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    throw Error(errno == ENOENT ? ExitCode::missing : ExitCode::failure,
                errno_message("cannot open", name_, errno),
                "check that the file exists and is readable");
  }
  struct stat info {};
  if (::fstat(fd_, &info) != 0) {
    const int error_number = errno;
    ::close(fd_);
    throw Error(ExitCode::failure, errno_message("cannot stat", name_, error_number));
  }
  size_ = static_cast<std::uint64_t>(info.st_size);
}

FileSource::~FileSource() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

std::string FileSource::read_at(std::uint64_t offset, std::size_t length) const {
  if (offset >= size_) {
    return {};
  }
  std::string out(static_cast<std::size_t>(std::min<std::uint64_t>(length, size_ - offset)), '\0');
  std::size_t filled = 0;
  while (filled < out.size()) {
    const ssize_t got =
        ::pread(fd_, out.data() + filled, out.size() - filled, static_cast<off_t>(offset + filled));
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw Error(ExitCode::failure, errno_message("cannot read", name_, errno));
    }
    if (got == 0) {
      break; // the file shrank while we looked at it
    }
    filled += static_cast<std::size_t>(got);
  }
  out.resize(filled);
  return out;
}

std::string MemorySource::read_at(std::uint64_t offset, std::size_t length) const {
  if (offset >= bytes_.size()) {
    return {};
  }
  return bytes_.substr(static_cast<std::size_t>(offset), length);
}

} // namespace mlv::inspect
