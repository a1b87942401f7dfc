#pragma once

// Private to the inspect module: the parts of the HDF5 file format (hdfgroup.org, "HDF5 File
// Format Specification Version 3.0") needed to read a root group's attributes and member names:
// object headers (versions 1 and 2, with continuation blocks), attribute, datatype and dataspace
// messages, the global heap (variable-length strings), v1 B-trees, symbol table nodes, local
// heaps and link messages. Checksums of version 2 structures are not verified: nothing read here
// is trusted beyond being shown.

#include <mlv/formats/source_cursor.hpp>
#include <mlv/inspect/inspect.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlv::inspect::hdf5 {

inline constexpr std::string_view k_format = "HDF5";

// Header message types used here.
enum MessageType : std::uint16_t {
  link_info = 0x0002,
  link = 0x0006,
  attribute = 0x000C,
  continuation = 0x0010,
  symbol_table = 0x0011,
  attribute_info = 0x0015,
};

// What the superblock fixes for the whole file.
struct File {
  const formats::ByteSource& source;
  unsigned offset_size = 8; // bytes of an address
  unsigned length_size = 8; // bytes of a length
  std::uint64_t base = 0;   // addresses are relative to this

  // A cursor over [absolute(address), +length), failing when that leaves the file.
  formats::SourceCursor at(std::uint64_t address, std::uint64_t length) const;
  std::uint64_t absolute(std::uint64_t address) const;
  bool is_undefined(std::uint64_t address) const;
};

// One header message: its type and where its body lies (absolute offsets).
struct Message {
  std::uint16_t type = 0;
  std::uint8_t flags = 0;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

// Every message of the object header at `address`, following continuation blocks
// (hdf5_object_header.cpp).
std::vector<Message> read_object_header(const File& file, std::uint64_t address);

// An attribute's name and value (hdf5_attribute.cpp): strings (fixed or variable-length),
// integers and floats, scalars or short arrays; other types are described, not decoded.
struct Attribute {
  std::string name;
  Value value;
};
Attribute read_attribute(const File& file, const Message& message);

// Member names of a group (hdf5_group.cpp): from a symbol table message (a v1 B-tree of symbol
// table nodes, names in a local heap), or one link message's name.
std::vector<std::string>
read_symbol_table_names(const File& file, const Message& message, std::size_t max_names);
std::string read_link_name(const File& file, const Message& message);

} // namespace mlv::inspect::hdf5
