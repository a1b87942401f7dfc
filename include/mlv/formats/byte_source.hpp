#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace mlv::formats {

// Random access to bytes that may be far larger than memory: a model file on disk, or a buffer
// (a zip member already read, a test's hand-made bytes). Inspection reads only the ranges it
// needs, so a 1 GiB checkpoint costs a few small reads.
class ByteSource {
public:
  virtual ~ByteSource() = default;
  virtual std::uint64_t size() const = 0;
  // Up to `length` bytes starting at `offset`: fewer near the end, none past it. Throws Error on
  // an I/O failure.
  virtual std::string read_at(std::uint64_t offset, std::size_t length) const = 0;
  // What the bytes are called in messages: a path, or a description.
  virtual const std::string& name() const = 0;
};

// A regular file read with pread; the descriptor stays open for the object's lifetime.
class FileSource : public ByteSource {
public:
  // Throws Error naming the path when it cannot be opened.
  explicit FileSource(const std::filesystem::path& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  std::uint64_t size() const override { return size_; }
  std::string read_at(std::uint64_t offset, std::size_t length) const override;
  const std::string& name() const override { return name_; }

private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::string name_;
};

// Bytes held in memory.
class MemorySource : public ByteSource {
public:
  MemorySource(std::string bytes, std::string name)
      : bytes_(std::move(bytes)), name_(std::move(name)) {}

  std::uint64_t size() const override { return bytes_.size(); }
  std::string read_at(std::uint64_t offset, std::size_t length) const override;
  const std::string& name() const override { return name_; }

private:
  std::string bytes_;
  std::string name_;
};

} // namespace mlv::formats
