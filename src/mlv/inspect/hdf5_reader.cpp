// HDF5 files (and Keras .h5 models): the superblock, then the root group's object header, whose
// attribute messages hold what Keras records (keras_version, backend, model_config as JSON,
// layer_names in weights files) and whose symbol table or link messages name its members.

#include "hdf5_format.hpp"
#include "readers.hpp"

#include <algorithm>

namespace mlv::inspect::reader {

namespace {

using hdf5::k_format;

constexpr std::uint64_t k_signature_bytes = 8;
// Root members listed; a file with more shows the first ones and the count.
constexpr std::size_t k_max_member_names = 256;
// Attribute text shown in full up to this; a model_config is summarised by its facts instead.
constexpr std::size_t k_max_shown_text = 256;
constexpr std::string_view k_model_config = "model_config";
constexpr std::string_view k_layer_names = "layer_names";
constexpr std::string_view k_keras_facts[] = {"keras_version", "backend"};

// What the superblock says: its version and the file-wide sizes, and where the root group's
// object header is.
struct Superblock {
  unsigned version = 0;
  hdf5::File file;
  std::uint64_t root = 0;
};

unsigned checked_size(formats::SourceCursor& cursor, const char* what) {
  const unsigned size = cursor.u8();
  if (size != 2 && size != 4 && size != 8) {
    cursor.fail(std::string("the superblock's size of ") + what + " is " + std::to_string(size) +
                " (2, 4 or 8 expected)");
  }
  return size;
}

std::optional<Superblock>
read_superblock(const formats::ByteSource& source, std::uint64_t offset, Inspection& out) {
  formats::SourceCursor cursor(source, std::string(k_format), offset + k_signature_bytes,
                               source.size());
  Superblock superblock{cursor.u8(), hdf5::File{source}, 0};
  out.add_fact("superblock_version", std::uint64_t{superblock.version});
  if (offset > 0) {
    out.add_fact("userblock_bytes", offset);
  }
  auto& file = superblock.file;
  if (superblock.version <= 1) {
    cursor.skip(4); // free-space, root symbol table entry and shared header versions, reserved
    file.offset_size = checked_size(cursor, "offsets");
    file.length_size = checked_size(cursor, "lengths");
    cursor.skip(1 + 2 + 2 + 4); // reserved, group K values, consistency flags
    if (superblock.version == 1) {
      cursor.skip(4); // indexed storage K, reserved
    }
    file.base = cursor.uint_le(file.offset_size);
    cursor.skip(3 * file.offset_size); // free space, end of file, driver information
    // The root group's symbol table entry: link name offset, then object header address.
    cursor.skip(file.offset_size);
    superblock.root = cursor.uint_le(file.offset_size);
  } else if (superblock.version <= 3) {
    file.offset_size = checked_size(cursor, "offsets");
    file.length_size = checked_size(cursor, "lengths");
    cursor.skip(1); // consistency flags
    file.base = cursor.uint_le(file.offset_size);
    cursor.skip(2 * file.offset_size); // superblock extension, end of file
    superblock.root = cursor.uint_le(file.offset_size);
  } else {
    return std::nullopt; // a newer layout: the signature and version are all that is known
  }
  return superblock;
}

Value shown(const Value& value) {
  const auto* text = std::get_if<std::string>(&value);
  if (text == nullptr || text->size() <= k_max_shown_text) {
    return value;
  }
  return text->substr(0, k_max_shown_text) + "... (" + std::to_string(text->size()) + " bytes)";
}

void add_attribute_facts(const formats::ByteSource& source,
                         const hdf5::Attribute& attribute,
                         Inspection& out) {
  const auto* text = std::get_if<std::string>(&attribute.value);
  for (const auto key : k_keras_facts) {
    if (attribute.name == key && text != nullptr) {
      out.add_fact(std::string(key), *text);
    }
  }
  if (attribute.name == k_model_config && text != nullptr) {
    add_keras_config_facts(source, *text, out);
  }
  if (attribute.name == k_layer_names && out.fact("layers") == nullptr) {
    if (const auto* names = std::get_if<std::vector<std::string>>(&attribute.value)) {
      out.add_fact("layers", static_cast<std::uint64_t>(names->size()));
    } else if (text != nullptr) {
      out.add_fact("layers", std::uint64_t{1});
    }
  }
}

// Whether a link info or attribute info message points at a fractal heap: "dense" storage, used
// for many links or attributes, which is not read here.
bool uses_dense_storage(const hdf5::File& file, const hdf5::Message& message) {
  auto body = formats::SourceCursor(file.source, std::string(k_format), message.offset,
                                    message.offset + message.size);
  body.skip(1); // version
  const std::uint8_t flags = body.u8();
  if ((flags & 0x1) != 0) {
    body.skip(message.type == hdf5::link_info ? 8 : 2); // maximum creation index
  }
  return !file.is_undefined(body.uint_le(file.offset_size));
}

} // namespace

void read_hdf5(const formats::ByteSource& source,
               std::uint64_t superblock_offset,
               Inspection& out) {
  const auto superblock = read_superblock(source, superblock_offset, out);
  if (!superblock) {
    return;
  }
  const auto& file = superblock->file;
  std::vector<std::string> members;
  bool dense_links = false;
  bool dense_attributes = false;
  for (const auto& message : hdf5::read_object_header(file, superblock->root)) {
    switch (message.type) {
    case hdf5::attribute: {
      const auto attribute = hdf5::read_attribute(file, message);
      add_attribute_facts(source, attribute, out);
      out.metadata.push_back({attribute.name, shown(attribute.value)});
      break;
    }
    case hdf5::symbol_table: {
      auto names = hdf5::read_symbol_table_names(file, message, k_max_member_names);
      members.insert(members.end(), names.begin(), names.end());
      break;
    }
    case hdf5::link:
      if (members.size() < k_max_member_names) {
        members.push_back(hdf5::read_link_name(file, message));
      }
      break;
    case hdf5::link_info:
      dense_links = dense_links || uses_dense_storage(file, message);
      break;
    case hdf5::attribute_info:
      dense_attributes = dense_attributes || uses_dense_storage(file, message);
      break;
    default:
      break;
    }
  }
  std::sort(members.begin(), members.end());
  out.add_fact("root_members", members);
  if (dense_links) {
    out.add_fact("root_members_note", std::string("more members in dense storage, not listed"));
  }
  if (dense_attributes) {
    out.add_fact("root_attributes_note", std::string("more attributes in dense storage, not read"));
  }
}

} // namespace mlv::inspect::reader
