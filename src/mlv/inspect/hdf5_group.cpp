#include "hdf5_format.hpp"

#include <set>

namespace mlv::inspect::hdf5 {

namespace {

constexpr std::string_view k_btree_signature = "TREE";
constexpr std::string_view k_symbol_node_signature = "SNOD";
constexpr std::string_view k_local_heap_signature = "HEAP";
constexpr std::uint8_t k_group_node_type = 0;
constexpr unsigned k_max_btree_level = 32;
constexpr std::size_t k_max_nodes = 1 << 16;
// A link message's flags: which optional fields precede the name.
constexpr std::uint8_t k_link_has_creation_order = 0x04;
constexpr std::uint8_t k_link_has_type = 0x08;
constexpr std::uint8_t k_link_has_charset = 0x10;

struct LocalHeap {
  std::uint64_t data = 0; // absolute address of the data segment
  std::uint64_t size = 0;
};

class SymbolTableWalker {
public:
  SymbolTableWalker(const File& file, std::size_t max_names) : file_(file), max_names_(max_names) {}

  std::vector<std::string> walk(const Message& message) {
    auto body = formats::SourceCursor(file_.source, std::string(k_format), message.offset,
                                      message.offset + message.size);
    const std::uint64_t btree = body.uint_le(file_.offset_size);
    const std::uint64_t heap = body.uint_le(file_.offset_size);
    heap_ = read_local_heap(heap);
    visit_btree(btree, k_max_btree_level);
    return std::move(names_);
  }

private:
  LocalHeap read_local_heap(std::uint64_t address) {
    auto cursor = file_.at(address, 8 + 2 * file_.length_size + file_.offset_size);
    if (cursor.bytes(4) != k_local_heap_signature) {
      cursor.fail("a local heap lacks its HEAP signature");
    }
    cursor.skip(4); // version, reserved
    LocalHeap heap;
    heap.size = cursor.uint_le(file_.length_size);
    cursor.skip(file_.length_size); // free list
    const std::uint64_t data = cursor.uint_le(file_.offset_size);
    heap.data = file_.at(data, heap.size).position();
    return heap;
  }

  void visit_btree(std::uint64_t address, unsigned levels_left) {
    if (names_.size() >= max_names_) {
      return;
    }
    if (!visited_.insert(address).second || visited_.size() > k_max_nodes) {
      formats::fail_bad_input(file_.source, k_format,
                              "a group's B-tree loops or is implausibly large");
    }
    const std::uint64_t header = 8 + 2 * file_.offset_size;
    auto cursor = file_.at(address, header);
    if (cursor.bytes(4) != k_btree_signature) {
      cursor.fail("a group B-tree node lacks its TREE signature");
    }
    if (cursor.u8() != k_group_node_type) {
      cursor.fail("a group's B-tree node is not a group node");
    }
    const unsigned level = cursor.u8();
    const std::uint16_t entries = cursor.u16();
    if (level >= levels_left) {
      cursor.fail("a group's B-tree is deeper than " + std::to_string(k_max_btree_level));
    }
    // Keys (a heap offset, length-sized) and children (addresses) alternate, keys at both ends.
    const std::uint64_t pair = file_.length_size + file_.offset_size;
    auto body = file_.at(address + header, entries * pair + file_.length_size);
    std::vector<std::uint64_t> children;
    for (std::uint16_t i = 0; i < entries; ++i) {
      body.skip(file_.length_size);
      children.push_back(body.uint_le(file_.offset_size));
    }
    for (const auto child : children) {
      if (level == 0) {
        visit_symbol_node(child);
      } else {
        visit_btree(child, level);
      }
    }
  }

  void visit_symbol_node(std::uint64_t address) {
    auto cursor = file_.at(address, 8);
    if (cursor.bytes(4) != k_symbol_node_signature) {
      cursor.fail("a symbol table node lacks its SNOD signature");
    }
    cursor.skip(2); // version, reserved
    const std::uint16_t symbols = cursor.u16();
    const std::uint64_t entry_size = 2 * file_.offset_size + 24;
    auto entries = file_.at(address + 8, symbols * entry_size);
    for (std::uint16_t i = 0; i < symbols && names_.size() < max_names_; ++i) {
      const std::uint64_t name_offset = entries.uint_le(file_.offset_size);
      entries.skip(entry_size - file_.offset_size);
      names_.push_back(heap_name(name_offset));
    }
  }

  std::string heap_name(std::uint64_t offset) {
    if (offset >= heap_.size) {
      formats::fail_bad_input(file_.source, k_format,
                              "a member name lies outside its group's local heap");
    }
    // Names are NUL-terminated inside the heap's data segment.
    auto cursor = formats::SourceCursor(file_.source, std::string(k_format), heap_.data + offset,
                                        heap_.data + heap_.size);
    std::string name = cursor.bytes(std::min<std::uint64_t>(cursor.remaining(), 1024));
    if (const auto nul = name.find('\0'); nul != std::string::npos) {
      name.resize(nul);
    }
    return name;
  }

  const File& file_;
  std::size_t max_names_;
  LocalHeap heap_;
  std::set<std::uint64_t> visited_;
  std::vector<std::string> names_;
};

} // namespace

std::vector<std::string>
read_symbol_table_names(const File& file, const Message& message, std::size_t max_names) {
  return SymbolTableWalker(file, max_names).walk(message);
}

std::string read_link_name(const File& file, const Message& message) {
  auto cursor = formats::SourceCursor(file.source, std::string(k_format), message.offset,
                                      message.offset + message.size);
  cursor.skip(1); // version
  const std::uint8_t flags = cursor.u8();
  if ((flags & k_link_has_type) != 0) {
    cursor.skip(1);
  }
  if ((flags & k_link_has_creation_order) != 0) {
    cursor.skip(8);
  }
  if ((flags & k_link_has_charset) != 0) {
    cursor.skip(1);
  }
  const std::uint64_t length = cursor.uint_le(1u << (flags & 0x3));
  return cursor.bytes(length);
}

} // namespace mlv::inspect::hdf5
