#pragma once

// Private to the inspect module's decompressors: the LZMA dictionary, a circular buffer of the
// most recent output that matches copy from. It is also the output buffer: decoded bytes are read
// straight from it.

#include <cstdint>
#include <span>
#include <vector>

namespace mlv::inspect::decode {

class LzmaDictionary {
public:
  // The buffer starts small and doubles up to `size`, so a small file costs little whatever
  // dictionary size its header names.
  explicit LzmaDictionary(std::uint32_t size);

  std::uint32_t size() const { return size_; }
  // Forgets the history (an LZMA2 dictionary reset). Nothing may be pending.
  void reset() {
    filled_ = 0;
    total_ = 0;
  }
  // Called when nothing is pending: readies the buffer for a batch and returns how many bytes
  // can be written before the pending bytes would wrap.
  std::size_t start_batch();

  std::span<const unsigned char> pending() const {
    return {buffer_.data() + read_pos_, pos_ - read_pos_};
  }
  void consume(std::size_t n) { read_pos_ += n; }

  // Bytes written since the last reset: LZMA's position for its context bits.
  std::uint64_t total() const { return total_; }
  // Whether a byte `distance` back (1 = the last byte) is in the history.
  bool reaches(std::uint64_t distance) const { return distance <= filled_; }
  bool empty() const { return filled_ == 0; }
  // The byte `distance` back; reaches(distance) must hold.
  unsigned char back(std::uint32_t distance) const {
    return buffer_[pos_ >= distance ? pos_ - distance : pos_ + buffer_.size() - distance];
  }
  // Appends a byte; start_batch's room must not be exceeded.
  void put(unsigned char byte) {
    buffer_[pos_++] = byte;
    filled_ += filled_ < size_ ? 1 : 0;
    ++total_;
  }
  // Appends `count` bytes copied from `distance` back, where reaches(distance) holds; the copy
  // may overlap what it writes (a run).
  void copy_back(std::uint32_t distance, std::size_t count);
  // Room for a batch of raw bytes (an uncompressed LZMA2 chunk): fill, then commit.
  unsigned char* write_area() { return buffer_.data() + pos_; }
  void commit(std::size_t n);

private:
  std::vector<unsigned char> buffer_;
  std::uint32_t size_;
  std::size_t pos_ = 0;      // where the next byte goes
  std::size_t read_pos_ = 0; // the first pending byte
  std::uint32_t filled_ = 0; // history bytes, at most size_
  std::uint64_t total_ = 0;
};

} // namespace mlv::inspect::decode
