#include <mlv/formats/byte_source.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>

namespace mlv::formats {

FileSource::FileSource(const std::filesystem::path& path) : name_(path.string()) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    throw Error(errno == ENOENT ? Failure::not_found : Failure::failed,
                errno_message("cannot open", name_, errno),
                "check that the file exists and is readable");
  }
  struct stat info {};
  if (::fstat(fd_, &info) != 0) {
    const int error_number = errno;
    ::close(fd_);
    throw Error(Failure::failed, errno_message("cannot stat", name_, error_number));
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
  // Fewer bytes when the file shrank while we looked at it.
  const auto filled = util::read_at(fd_, offset, std::as_writable_bytes(std::span(out)), name_);
  out.resize(filled);
  return out;
}

std::string MemorySource::read_at(std::uint64_t offset, std::size_t length) const {
  if (offset >= bytes_.size()) {
    return {};
  }
  return bytes_.substr(static_cast<std::size_t>(offset), length);
}

} // namespace mlv::formats
