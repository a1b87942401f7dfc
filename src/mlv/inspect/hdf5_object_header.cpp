#include "hdf5_format.hpp"

#include <set>

namespace mlv::inspect::hdf5 {

namespace {

constexpr std::string_view k_v2_header_signature = "OHDR";
constexpr std::string_view k_v2_continuation_signature = "OCHK";
constexpr std::uint64_t k_v1_prefix_bytes = 16; // 12 bytes, padded to 8-byte alignment
constexpr std::uint64_t k_v1_message_header = 8;
constexpr std::uint64_t k_checksum_bytes = 4;
// A header spread over more blocks than this, or holding more messages, is hostile.
constexpr std::size_t k_max_blocks = 1024;
constexpr std::size_t k_max_messages = 1 << 16;
// Version 2 header flags.
constexpr std::uint8_t k_flag_creation_order = 0x04;
constexpr std::uint8_t k_flag_phase_change = 0x10;
constexpr std::uint8_t k_flag_times = 0x20;

struct Block {
  std::uint64_t offset; // absolute
  std::uint64_t length;
};

class HeaderWalker {
public:
  explicit HeaderWalker(const File& file) : file_(file) {}

  std::vector<Message> walk(std::uint64_t address) {
    auto prefix = file_.at(address, 16);
    if (prefix.bytes(4) == k_v2_header_signature) {
      walk_v2(address);
    } else {
      walk_v1(address);
    }
    return std::move(messages_);
  }

private:
  void walk_v1(std::uint64_t address) {
    auto prefix = file_.at(address, k_v1_prefix_bytes);
    const unsigned version = prefix.u8();
    if (version != 1) {
      prefix.fail("object header version " + std::to_string(version) + " is unknown");
    }
    prefix.skip(1);
    expected_ = prefix.u16();
    prefix.skip(4); // reference count
    const std::uint32_t size = prefix.u32();
    pending_.push_back({file_.absolute(address) + k_v1_prefix_bytes, size});
    while (!pending_.empty() && messages_.size() < expected_) {
      const Block block = next_block();
      auto cursor = formats::SourceCursor(file_.source, std::string(k_format), block.offset,
                                          block.offset + block.length);
      while (cursor.remaining() >= k_v1_message_header && messages_.size() < expected_) {
        Message message;
        message.type = cursor.u16();
        const std::uint16_t body = cursor.u16();
        message.flags = cursor.u8();
        cursor.skip(3);
        message.offset = cursor.position();
        message.size = body;
        cursor.skip(body);
        add(message);
      }
    }
  }

  void walk_v2(std::uint64_t address) {
    auto prefix = file_.at(address, 4 + 2 + 16 + 4 + 8);
    prefix.skip(4);
    const unsigned version = prefix.u8();
    if (version != 2) {
      prefix.fail("object header version " + std::to_string(version) + " is unknown");
    }
    flags_ = prefix.u8();
    if ((flags_ & k_flag_times) != 0) {
      prefix.skip(16);
    }
    if ((flags_ & k_flag_phase_change) != 0) {
      prefix.skip(4);
    }
    const std::uint64_t chunk_size = prefix.uint_le(1u << (flags_ & 0x3));
    expected_ = k_max_messages;
    pending_.push_back({prefix.position(), chunk_size});
    bool first = true;
    while (!pending_.empty()) {
      Block block = next_block();
      if (!first) {
        // A continuation block: "OCHK", messages, checksum.
        auto signature = formats::SourceCursor(file_.source, std::string(k_format), block.offset,
                                               block.offset + block.length);
        if (block.length < 8 || signature.bytes(4) != k_v2_continuation_signature) {
          signature.fail("an object header continuation block lacks its OCHK signature");
        }
        block = {block.offset + 4, block.length - 4 - k_checksum_bytes};
      }
      first = false;
      walk_v2_block(block);
    }
  }

  void walk_v2_block(const Block& block) {
    const std::uint64_t header = (flags_ & k_flag_creation_order) != 0 ? 6 : 4;
    auto cursor = formats::SourceCursor(file_.source, std::string(k_format), block.offset,
                                        block.offset + block.length);
    // Fewer bytes than a message header left is a gap, which ends the block.
    while (cursor.remaining() >= header) {
      Message message;
      message.type = cursor.u8();
      const std::uint16_t body = cursor.u16();
      message.flags = cursor.u8();
      cursor.skip(header - 4);
      message.offset = cursor.position();
      message.size = body;
      cursor.skip(body);
      add(message);
    }
  }

  void add(const Message& message) {
    if (messages_.size() >= k_max_messages) {
      formats::fail_bad_input(file_.source, k_format, "an object header holds over 65536 messages");
    }
    if (message.type == continuation) {
      auto body = formats::SourceCursor(file_.source, std::string(k_format), message.offset,
                                        message.offset + message.size);
      const std::uint64_t offset = body.uint_le(file_.offset_size);
      const std::uint64_t length = body.uint_le(file_.length_size);
      pending_.push_back({file_.at(offset, length).position(), length});
    }
    messages_.push_back(message);
  }

  Block next_block() {
    const Block block = pending_.front();
    pending_.erase(pending_.begin());
    if (!visited_.insert(block.offset).second || visited_.size() > k_max_blocks) {
      formats::fail_bad_input(file_.source, k_format,
                              "object header continuation blocks loop or exceed " +
                                  std::to_string(k_max_blocks));
    }
    return block;
  }

  const File& file_;
  std::uint8_t flags_ = 0;
  std::size_t expected_ = 0;
  std::vector<Block> pending_;
  std::set<std::uint64_t> visited_;
  std::vector<Message> messages_;
};

} // namespace

formats::SourceCursor File::at(std::uint64_t address, std::uint64_t length) const {
  const std::uint64_t start = absolute(address);
  if (is_undefined(address) || start > source.size() || length > source.size() - start) {
    formats::fail_bad_input(source, k_format,
                            "an address " + std::to_string(address) + " (+" +
                                std::to_string(length) +
                                " bytes) points past the end of the file (" +
                                std::to_string(source.size()) + " bytes)");
  }
  return formats::SourceCursor(source, std::string(k_format), start, start + length);
}

std::uint64_t File::absolute(std::uint64_t address) const {
  return address > UINT64_MAX - base ? UINT64_MAX : base + address;
}

bool File::is_undefined(std::uint64_t address) const {
  const std::uint64_t all_ones = offset_size >= 8 ? UINT64_MAX : (1ull << (8 * offset_size)) - 1;
  return address == all_ones;
}

std::vector<Message> read_object_header(const File& file, std::uint64_t address) {
  return HeaderWalker(file).walk(address);
}

} // namespace mlv::inspect::hdf5
