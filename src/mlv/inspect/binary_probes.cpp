#include "probes.hpp"

#include <array>

namespace mlv::inspect::probe {

namespace {

constexpr std::string_view k_hdf5_signature = "\x89HDF\r\n\x1a\n";
// HDF5 looks for its superblock at 0 and then at 512, 1024, 2048, ... (a user block before it).
constexpr std::uint64_t k_hdf5_first_user_block = 512;
// Root-group attributes that Keras writes into every .h5 model or weights file.
constexpr std::array<std::string_view, 2> k_keras_hdf5_markers = {"keras_version", "model_config"};
// ONNX ir_version values that exist or may soon (ONNX 1.16 writes 10).
constexpr std::uint64_t k_max_onnx_ir_version = 20;

std::uint64_t u64_le(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  }
  return value;
}

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Protobuf wire types.
enum WireType : std::uint64_t { varint = 0, fixed64 = 1, length_delimited = 2, fixed32 = 5 };

// Reads a base-128 varint at `pos`; nullopt when it runs past the bytes or over 10 bytes.
std::optional<std::uint64_t> read_varint(std::string_view bytes, std::size_t& pos) {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64 && pos < bytes.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(bytes[pos++]);
    value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      return value;
    }
  }
  return std::nullopt;
}

// The wire type ModelProto (onnx.proto) gives each of its field numbers; nullopt for numbers
// it does not have.
std::optional<std::uint64_t> onnx_model_field_wire_type(std::uint64_t field) {
  switch (field) {
  case 1: // ir_version
  case 5: // model_version
    return WireType::varint;
  case 2:  // producer_name
  case 3:  // producer_version
  case 4:  // domain
  case 6:  // doc_string
  case 7:  // graph
  case 8:  // opset_import
  case 14: // metadata_props
  case 20: // training_info
  case 21: // functions
  case 25: // configuration
    return WireType::length_delimited;
  default:
    return std::nullopt;
  }
}

} // namespace

std::optional<std::uint64_t> find_hdf5_signature(const formats::ByteSource& source) {
  const std::uint64_t size = source.size();
  for (std::uint64_t offset = 0; offset + k_hdf5_signature.size() <= size;
       offset = offset == 0 ? k_hdf5_first_user_block : offset * 2) {
    if (source.read_at(offset, k_hdf5_signature.size()) == k_hdf5_signature) {
      return offset;
    }
  }
  return std::nullopt;
}

bool is_keras_hdf5(const formats::ByteSource& source, std::uint64_t superblock) {
  const std::string window = source.read_at(superblock, k_head_bytes);
  for (const auto marker : k_keras_hdf5_markers) {
    if (window.find(marker) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool is_safetensors(const formats::ByteSource& source, std::string_view head) {
  // u64 little-endian header length, a JSON object of that length, then the tensor bytes.
  if (head.size() < 10) {
    return false;
  }
  const std::uint64_t header_length = u64_le(head);
  if (header_length < 2 || header_length > k_max_safetensors_header ||
      header_length > source.size() - 8 || head[8] != '{') {
    return false;
  }
  // What we have of the header must be JSON text: no control bytes besides whitespace.
  const std::string_view visible = head.substr(8, static_cast<std::size_t>(header_length));
  for (const char c : visible) {
    if (static_cast<unsigned char>(c) < 0x20 && !is_json_space(c)) {
      return false;
    }
  }
  std::size_t pos = 1;
  while (pos < visible.size() && is_json_space(visible[pos])) {
    ++pos;
  }
  if (pos < visible.size() && visible[pos] != '"' && visible[pos] != '}') {
    return false;
  }
  // The header ends with '}', padded with spaces to an 8-byte boundary by the writer.
  constexpr std::size_t k_tail = 64;
  const std::uint64_t tail_length = std::min<std::uint64_t>(header_length, k_tail);
  std::string tail = source.read_at(8 + header_length - tail_length, k_tail);
  tail.resize(std::min<std::size_t>(tail.size(), static_cast<std::size_t>(tail_length)));
  while (!tail.empty() && is_json_space(tail.back())) {
    tail.pop_back();
  }
  return !tail.empty() && tail.back() == '}';
}

bool is_onnx(std::string_view head, std::uint64_t file_size) {
  // A ModelProto serialised in field order: ir_version first, then only ModelProto's fields
  // with their proper wire types, and a graph or opset_import before the bytes we read run out.
  std::size_t pos = 0;
  const auto first_key = read_varint(head, pos);
  if (first_key != (1u << 3 | WireType::varint)) {
    return false;
  }
  const auto ir_version = read_varint(head, pos);
  if (!ir_version || *ir_version < 1 || *ir_version > k_max_onnx_ir_version) {
    return false;
  }
  bool saw_graph_or_opset = false;
  while (pos < head.size()) {
    const auto key = read_varint(head, pos);
    if (!key) {
      break; // the key runs past what we read
    }
    const auto wire_type = onnx_model_field_wire_type(*key >> 3);
    if (!wire_type || *wire_type != (*key & 0x7)) {
      return false;
    }
    const auto value = read_varint(head, pos);
    if (!value) {
      break;
    }
    if (*wire_type == WireType::length_delimited) {
      if (*value > file_size - pos) {
        return false; // a field longer than the file
      }
      const std::uint64_t field = *key >> 3;
      saw_graph_or_opset = saw_graph_or_opset || field == 7 || field == 8;
      if (*value >= head.size() - pos) {
        break; // the field runs past what we read: nothing more to check cheaply
      }
      pos += static_cast<std::size_t>(*value);
    }
  }
  return saw_graph_or_opset;
}

} // namespace mlv::inspect::probe
