#include "hdf5_format.hpp"

#include <cstring>

namespace mlv::inspect::hdf5 {

namespace {

// Datatype classes (the low 4 bits of a datatype message's first byte).
enum TypeClass : unsigned {
  fixed_point = 0,
  floating_point = 1,
  string_class = 3,
  variable_length = 9,
};
constexpr unsigned k_vlen_string = 1; // variable-length type: a string, not a sequence
constexpr std::string_view k_global_heap_signature = "GCOL";
// Attribute message flags: the datatype or dataspace lives elsewhere (shared).
constexpr std::uint8_t k_shared_type_or_space = 0x03;
// Shown values are cut: a Keras model_config is read whole by the caller from the full text.
constexpr std::uint64_t k_max_elements_shown = 16;
constexpr std::uint64_t k_max_elements = 1 << 20;

std::uint64_t padded8(std::uint64_t size) {
  return (size + 7) / 8 * 8;
}

struct Datatype {
  unsigned type_class = 0;
  std::uint32_t bitfield = 0;
  std::uint32_t size = 0;
  unsigned base_class = 0; // variable-length: the class of its base type
};

Datatype read_datatype(formats::SourceCursor cursor) {
  Datatype type;
  const unsigned first = cursor.u8();
  type.type_class = first & 0x0F;
  type.bitfield = static_cast<std::uint32_t>(cursor.uint_le(3));
  type.size = cursor.u32();
  if (type.type_class == variable_length && cursor.remaining() >= 1) {
    type.base_class = cursor.u8() & 0x0F;
  }
  return type;
}

// Elements of a dataspace: 1 for a scalar, the product of the dimensions for a simple one,
// 0 for a null one.
std::uint64_t read_element_count(const File& file, formats::SourceCursor cursor) {
  const unsigned version = cursor.u8();
  const unsigned rank = cursor.u8();
  cursor.skip(1); // flags
  if (version == 1) {
    cursor.skip(5);
  } else {
    if (cursor.u8() == 2) {
      return 0; // null dataspace
    }
  }
  std::uint64_t count = 1;
  for (unsigned i = 0; i < rank; ++i) {
    const std::uint64_t size = cursor.uint_le(file.length_size);
    if (size != 0 && count > k_max_elements / size) {
      cursor.fail("an attribute of more than " + std::to_string(k_max_elements) + " elements");
    }
    count *= size;
  }
  return count;
}

// A variable-length value's bytes from the global heap: collection address, object index.
std::string read_global_heap_object(const File& file,
                                    std::uint64_t collection,
                                    std::uint32_t index,
                                    std::uint32_t length) {
  auto header = file.at(collection, 8 + file.length_size);
  if (header.bytes(4) != k_global_heap_signature) {
    header.fail("a global heap collection lacks its GCOL signature");
  }
  header.skip(4); // version, reserved
  const std::uint64_t size = header.uint_le(file.length_size);
  auto cursor = file.at(collection, size);
  cursor.skip(8 + file.length_size);
  const std::uint64_t object_header = 8 + file.length_size;
  while (cursor.remaining() >= object_header) {
    const std::uint16_t object_index = cursor.u16();
    cursor.skip(6); // reference count, reserved
    const std::uint64_t object_size = cursor.uint_le(file.length_size);
    if (object_index == 0) {
      break; // free space: the rest of the collection is empty
    }
    if (object_index == index) {
      return cursor.bytes(std::min<std::uint64_t>(object_size, length));
    }
    cursor.skip(std::min(padded8(object_size), cursor.remaining()));
  }
  cursor.fail("global heap object " + std::to_string(index) + " is not in its collection");
}

std::string fixed_string(std::string text) {
  while (!text.empty() && (text.back() == '\0' || text.back() == ' ')) {
    text.pop_back();
  }
  if (const auto nul = text.find('\0'); nul != std::string::npos) {
    text.resize(nul);
  }
  return text;
}

Value read_element(const File& file, const Datatype& type, formats::SourceCursor& data) {
  switch (type.type_class) {
  case string_class:
    return fixed_string(data.bytes(type.size));
  case variable_length: {
    const std::uint32_t length = data.u32();
    const std::uint64_t collection = data.uint_le(file.offset_size);
    const std::uint32_t index = data.u32();
    return read_global_heap_object(file, collection, index, length);
  }
  case fixed_point: {
    const std::uint64_t raw = data.uint_le(type.size);
    if ((type.bitfield & 0x08) == 0) {
      return raw;
    }
    const std::uint64_t sign = 1ull << (8 * type.size - 1);
    return static_cast<std::int64_t>((raw ^ sign) - sign); // sign-extended
  }
  default: { // floating_point, little-endian IEEE 754 (is_decodable checked)
    if (type.size == 4) {
      const auto bits = data.u32();
      float number = 0;
      std::memcpy(&number, &bits, sizeof number);
      return double{number};
    }
    const std::uint64_t bits = data.u64();
    double number = 0;
    std::memcpy(&number, &bits, sizeof number);
    return number;
  }
  }
}

bool is_decodable(const Datatype& type) {
  switch (type.type_class) {
  case string_class:
    return type.size > 0;
  case variable_length:
    return (type.bitfield & 0x0F) == k_vlen_string || type.base_class == string_class;
  case fixed_point:
    return type.size == 1 || type.size == 2 || type.size == 4 || type.size == 8;
  case floating_point:
    return (type.size == 4 || type.size == 8) && (type.bitfield & 0x41) == 0; // little-endian
  default:
    return false;
  }
}

Value decode(const File& file,
             const Datatype& type,
             std::uint64_t count,
             formats::SourceCursor data) {
  if (!is_decodable(type)) {
    return "(" + std::to_string(count) + " values of HDF5 type class " +
           std::to_string(type.type_class) + ")";
  }
  if (count == 1) {
    return read_element(file, type, data);
  }
  std::vector<std::string> items;
  for (std::uint64_t i = 0; i < std::min(count, k_max_elements_shown); ++i) {
    items.push_back(value_text(read_element(file, type, data)));
  }
  if (count > k_max_elements_shown) {
    items.push_back("... (" + std::to_string(count) + " values)");
  }
  return items;
}

} // namespace

Attribute read_attribute(const File& file, const Message& message) {
  auto cursor = formats::SourceCursor(file.source, std::string(k_format), message.offset,
                                      message.offset + message.size);
  const unsigned version = cursor.u8();
  if (version < 1 || version > 3) {
    cursor.fail("attribute message version " + std::to_string(version) + " is unknown");
  }
  const std::uint8_t flags = cursor.u8();
  const std::uint16_t name_size = cursor.u16();
  const std::uint16_t type_size = cursor.u16();
  const std::uint16_t space_size = cursor.u16();
  if (version == 3) {
    cursor.skip(1); // name character set
  }
  // Version 1 pads the name, datatype and dataspace to multiples of 8 bytes.
  const auto step = [&](std::uint64_t size) { return version == 1 ? padded8(size) : size; };
  Attribute attribute;
  attribute.name = fixed_string(cursor.bytes(step(name_size)));
  const std::uint64_t type_at = cursor.position();
  cursor.skip(step(type_size));
  const std::uint64_t space_at = cursor.position();
  cursor.skip(step(space_size));
  if ((flags & k_shared_type_or_space) != 0 && version > 1) {
    attribute.value = std::string("(shared datatype, not read)");
    return attribute;
  }
  const auto type = read_datatype(
      formats::SourceCursor(file.source, std::string(k_format), type_at, type_at + type_size));
  const auto count =
      read_element_count(file, formats::SourceCursor(file.source, std::string(k_format), space_at,
                                                     space_at + space_size));
  attribute.value = decode(file, type, count, cursor);
  return attribute;
}

} // namespace mlv::inspect::hdf5
