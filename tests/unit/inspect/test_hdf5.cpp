// HDF5 files crafted byte by byte from the HDF5 File Format Specification: a version 0
// superblock with a version 1 object header (what h5py writes by default), and a version 2
// superblock with a version 2 object header and a continuation block (libver="latest").

#include "test_helpers.hpp"

#include <mlv/inspect/inspect.hpp>

#include <gtest/gtest.h>

#include <map>

namespace {

using namespace std::string_literals;
using namespace mlv::inspect;
using namespace mlv::inspect::testing;

const std::string k_signature = "\x89HDF\r\n\x1a\n";
const std::string k_undefined = le(~0ull, 8);
const std::string k_model_config =
    R"({"class_name": "Sequential", "config": {"name": "seq", "layers": )"
    R"([{"class_name": "Dense"}, {"class_name": "Dense"}, {"class_name": "Dropout"}]}})";

std::string pad8(std::string bytes) {
  bytes.append((8 - bytes.size() % 8) % 8, '\0');
  return bytes;
}

// Datatype messages: a fixed-length string, a variable-length UTF-8 string, a signed integer.
std::string fixed_string_type(std::size_t size) {
  return "\x13" + std::string(3, '\0') + le(size, 4);
}
std::string vlen_string_type() {
  return "\x19\x01\x01\x00"s + le(16, 4) + "\x10\x00\x00\x00"s + le(1, 4) + le(0, 2) + le(8, 2);
}
std::string int32_type() {
  return "\x10\x08\x00\x00"s + le(4, 4) + le(0, 2) + le(32, 2);
}
// Dataspace messages, version 1: a scalar, or one dimension.
std::string scalar_space() {
  return "\x01\x00\x00\x00"s + le(0, 4);
}
std::string vector_space(std::uint64_t size) {
  return "\x01\x01\x00\x00"s + le(0, 4) + le(size, 8);
}

// An attribute message, version 1 (name, datatype and dataspace each padded to 8 bytes).
std::string attribute_v1(const std::string& name,
                         const std::string& type,
                         const std::string& space,
                         const std::string& data) {
  const std::string named = name + '\0';
  return pad8("\x01\x00"s + le(named.size(), 2) + le(type.size(), 2) + le(space.size(), 2) +
              pad8(named) + pad8(type) + pad8(space) + data);
}

// A version 1 header message: type, size, flags, reserved, body.
std::string message_v1(std::uint16_t type, const std::string& body) {
  return le(type, 2) + le(body.size(), 2) + std::string(4, '\0') + body;
}

// What h5py writes for a Keras 2 model (object header v1, symbol table, global heap strings).
std::string keras_v0_file() {
  // Addresses, in file order.
  constexpr std::uint64_t k_root = 96;
  // The root group's local heap: an empty name at 0, then its members' names.
  const std::string heap_name_bytes = std::string(8, '\0') + pad8("dense_1") + pad8("dropout");
  const std::string keras_version = "2.11.0";
  const std::string layer_names_data = pad8("dense_1") + pad8("dropout");
  const auto attributes = [&](std::uint64_t global_heap) {
    return message_v1(0x000C, attribute_v1("keras_version", fixed_string_type(6), scalar_space(),
                                           keras_version)) +
           message_v1(0x000C, attribute_v1("backend", vlen_string_type(), scalar_space(),
                                           le(10, 4) + le(global_heap, 8) + le(1, 4))) +
           message_v1(0x000C, attribute_v1("model_config", fixed_string_type(k_model_config.size()),
                                           scalar_space(), k_model_config)) +
           message_v1(0x000C, attribute_v1("epochs", int32_type(), scalar_space(),
                                           le(static_cast<std::uint32_t>(-7), 4))) +
           message_v1(0x000C, attribute_v1("layer_names", fixed_string_type(8), vector_space(2),
                                           layer_names_data));
  };
  // The header's size does not depend on the addresses it holds: lay out what follows it.
  const std::size_t header_messages = attributes(0).size() + 8 + 16;
  const std::uint64_t after_header = k_root + 16 + header_messages;
  const std::uint64_t global_heap = after_header;
  const std::string heap_collection = "GCOL\x01\x00\x00\x00"s + le(64, 8) + le(1, 2) + le(0, 2) +
                                      le(0, 4) + le(10, 8) + pad8("tensorflow") + le(0, 2) +
                                      std::string(14, '\0');
  const std::uint64_t local_heap = global_heap + heap_collection.size();
  const std::uint64_t heap_data = local_heap + 32;
  const std::uint64_t btree = heap_data + heap_name_bytes.size();
  const std::uint64_t symbol_node = btree + 24 + 8 + 8 + 8;

  const std::string header_body =
      attributes(global_heap) + message_v1(0x0011, le(btree, 8) + le(local_heap, 8));
  std::string file = k_signature + "\x00\x00\x00\x00\x00\x08\x08\x00"s + le(4, 2) + le(16, 2) +
                     le(0, 4) + le(0, 8) + k_undefined + le(0, 8) + k_undefined + le(0, 8) +
                     le(k_root, 8) + le(0, 4) + le(0, 4) + std::string(16, '\0');
  EXPECT_EQ(file.size(), k_root);
  file += "\x01\x00"s + le(6, 2) + le(1, 4) + le(header_body.size(), 4) + std::string(4, '\0') +
          header_body;
  EXPECT_EQ(file.size(), global_heap);
  file += heap_collection;
  file += "HEAP\x00\x00\x00\x00"s + le(heap_name_bytes.size(), 8) + k_undefined + le(heap_data, 8);
  file += heap_name_bytes;
  file += "TREE\x00\x00"s + le(1, 2) + k_undefined + k_undefined + le(0, 8) + le(symbol_node, 8) +
          le(16, 8);
  EXPECT_EQ(file.size(), symbol_node);
  file += "SNOD\x01\x00"s + le(2, 2);
  for (const std::uint64_t name_offset : {8, 16}) {
    file += le(name_offset, 8) + le(k_root, 8) + le(0, 4) + le(0, 4) + std::string(16, '\0');
  }
  return file;
}

TEST(Hdf5, KerasAttributesAndRootMembersFromVersion0File) {
  const auto keras =
      inspect_source(mlv::formats::MemorySource(keras_v0_file(), "model.h5"), "model.h5");
  EXPECT_EQ(keras.format, "keras");
  EXPECT_EQ(fact_number(keras, "superblock_version"), 0u);
  EXPECT_EQ(fact_text(keras, "keras_version"), "2.11.0");
  EXPECT_EQ(fact_text(keras, "backend"), "tensorflow"); // a variable-length string
  EXPECT_EQ(fact_text(keras, "class_name"), "Sequential");
  EXPECT_EQ(fact_text(keras, "model_name"), "seq");
  EXPECT_EQ(fact_number(keras, "layers"), 3u);
  EXPECT_EQ(fact_text(keras, "root_members"), "dense_1, dropout");
  std::map<std::string, std::string> attributes;
  for (const auto& field : keras.metadata) {
    attributes[field.key] = value_text(field.value);
  }
  EXPECT_EQ(attributes["epochs"], "-7");
  EXPECT_EQ(attributes["layer_names"], "dense_1, dropout");
  EXPECT_EQ(attributes["model_config"].substr(0, 27), R"({"class_name": "Sequential")");

  const auto summary = short_summary(keras);
  EXPECT_EQ(summary_text(summary, "keras_version"), "2.11.0");
  EXPECT_EQ(summary_text(summary, "class_name"), "Sequential");
  EXPECT_EQ(summary_text(summary, "layers"), "3");
}

// A version 2 object header message: type, size, flags, body.
std::string message_v2(std::uint8_t type, const std::string& body) {
  return std::string(1, static_cast<char>(type)) + le(body.size(), 2) + std::string(1, '\0') + body;
}

// An attribute message, version 3 (no padding, a name encoding byte), of a fixed string.
std::string attribute_v3(const std::string& name, const std::string& value) {
  const std::string named = name + '\0';
  const std::string type = fixed_string_type(value.size());
  const std::string space = "\x02\x00\x00\x00"s; // version 2, scalar
  return "\x03\x00"s + le(named.size(), 2) + le(type.size(), 2) + le(space.size(), 2) + "\x00"s +
         named + type + space + value;
}

// libver="latest": superblock 2, an OHDR header with a link and an attribute, and an OCHK
// continuation block holding another attribute.
std::string version2_file() {
  constexpr std::uint64_t k_root = 48;
  const std::string link = "\x01\x00"s + std::string(1, '\x07') + "weights" + le(0, 8);
  const std::string attribute = attribute_v3("keras_version", "3.1.0");
  const std::string second = attribute_v3("backend", "jax");
  const std::uint64_t continuation_size = 4 + (4 + second.size()) + 4;
  // The header: signature, version 2, flags 1 (a 2-byte chunk size), chunk, checksum.
  const std::size_t chunk_size = (4 + link.size()) + (4 + attribute.size()) + (4 + 16);
  const std::uint64_t continuation = k_root + 4 + 2 + 2 + chunk_size + 4;
  const std::string chunk = message_v2(0x06, link) + message_v2(0x0C, attribute) +
                            message_v2(0x10, le(continuation, 8) + le(continuation_size, 8));
  std::string file = k_signature + "\x02\x08\x08\x00"s + le(0, 8) + k_undefined + le(0, 8) +
                     le(k_root, 8) + le(0, 4);
  EXPECT_EQ(file.size(), k_root);
  file += "OHDR\x02\x01" + le(chunk.size(), 2) + chunk + le(0, 4);
  EXPECT_EQ(file.size(), continuation);
  file += "OCHK" + message_v2(0x0C, second) + le(0, 4);
  return file;
}

TEST(Hdf5, Version2HeaderWithLinksAttributesAndContinuation) {
  const auto h5 = inspect_source(mlv::formats::MemorySource(version2_file(), "v2.h5"), "v2.h5");
  EXPECT_EQ(h5.format, "keras");
  EXPECT_EQ(fact_number(h5, "superblock_version"), 2u);
  EXPECT_EQ(fact_text(h5, "root_members"), "weights");
  EXPECT_EQ(fact_text(h5, "keras_version"), "3.1.0");
  EXPECT_EQ(fact_text(h5, "backend"), "jax"); // from the continuation block
}

TEST(Hdf5, UserBlockBeforeTheSuperblock) {
  // With a 512-byte user block the superblock's base address is 512 and every address in the
  // file is relative to it.
  std::string file = std::string(512, 'u') + keras_v0_file();
  file.replace(512 + 24, 8, le(512, 8));
  const auto h5 = inspect_source(mlv::formats::MemorySource(file, "ub.h5"), "ub.h5");
  EXPECT_EQ(fact_number(h5, "userblock_bytes"), 512u);
  EXPECT_EQ(fact_text(h5, "keras_version"), "2.11.0");
  EXPECT_EQ(fact_text(h5, "root_members"), "dense_1, dropout");
}

TEST(Hdf5, HostileStructuresAreBadInputNamingTheFile) {
  std::string bytes = keras_v0_file();
  // The root object header address past the end.
  std::string root = bytes;
  root.replace(64, 8, le(1ull << 40, 8));
  EXPECT_NE(bad_input_message(root, "root.h5").find("past the end"), std::string::npos);
  // Sizes of offsets that HDF5 does not have.
  std::string sizes = bytes;
  sizes[13] = 3;
  bad_input_message(sizes, "sizes.h5");
  // A continuation block that points back at itself.
  const std::string loop_body = message_v1(0x0010, le(112, 8) + le(24, 8));
  std::string loop = k_signature + "\x00\x00\x00\x00\x00\x08\x08\x00"s + le(4, 2) + le(16, 2) +
                     le(0, 4) + le(0, 8) + k_undefined + le(0, 8) + k_undefined + le(0, 8) +
                     le(96, 8) + le(0, 4) + le(0, 4) + std::string(16, '\0') + "\x01\x00"s +
                     le(100, 2) + le(1, 4) + le(loop_body.size(), 4) + std::string(4, '\0') +
                     loop_body + "model_config";
  EXPECT_NE(bad_input_message(loop, "loop.h5").find("loop"), std::string::npos);
  // A global heap collection that is not one.
  std::string heap = bytes;
  heap.replace(heap.find("GCOL"), 4, "XXXX");
  EXPECT_NE(bad_input_message(heap, "heap.h5").find("GCOL"), std::string::npos);
  // Every truncation fails cleanly.
  for (std::size_t cut = 100; cut < bytes.size(); cut += 37) {
    bad_input_message(bytes.substr(0, cut), "cut.h5");
  }
}

} // namespace
